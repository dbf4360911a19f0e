#include "core/session/driverhost.h"

#include "core/dap/daptransport.h"
#include "core/launch/driverprocess.h"
#include "core/paths.h"
#include "core/remote/runnerfactory.h"

#include <QPointer>

namespace nixtide {

DriverHost::DriverHost(QObject *parent)
    : QObject(parent)
{
    connect(&m_connector, &AgentConnector::connected, this, &DriverHost::agentConnected);
    connect(&m_connector, &AgentConnector::failed, this, &DriverHost::onAgentFailed);
}

DriverHost::~DriverHost() = default;

bool DriverHost::start(const LaunchPlan &plan, QString *error)
{
    if (m_runner) {
        *error = QStringLiteral("the driver was already started");
        return false;
    }
    m_runner = createDriverRunner(plan.host, error);
    if (!m_runner)
        return false;
    DriverRunner *runner = m_runner.get();
    connect(runner, &DriverRunner::stdoutLine, this,
        [this](const QString &line) { Q_EMIT outputLine(line, false); });
    connect(runner, &DriverRunner::stderrLine, this,
        [this](const QString &line) { Q_EMIT outputLine(line, true); });
    connect(runner, &DriverRunner::started, this,
        [this] { m_connector.start(m_runner->agentSocketPath()); });
    connect(runner, &DriverRunner::failedToStart, this, [this](const QString &message) {
        m_connector.cancel();
        Q_EMIT failedToStart(message);
    });
    connect(runner, &DriverRunner::finished, this, [this](int exitCode, bool crashed) {
        // An agent that never came is no news once the driver is gone.
        m_connector.cancel();
        Q_EMIT finished(exitCode, crashed);
    });
    connect(runner, &DriverRunner::socketReachable, this, &DriverHost::socketReachable);
    connect(runner, &DriverRunner::fileFetched, this, &DriverHost::fileFetched);
    connect(runner, &DriverRunner::hostProbed, this, &DriverHost::hostProbed);
    connect(runner, &DriverRunner::progress, this, &DriverHost::progress);
    connect(runner, &DriverRunner::connectionLost, this, &DriverHost::connectionLost);

    const DriverLaunchOptions options = launchOptions(plan);
    m_vmStateDir = options.vmStateDir;
    return m_runner->start(options, error);
}

DriverLaunchOptions DriverHost::launchOptions(const LaunchPlan &plan)
{
    DriverLaunchOptions options;
    options.driverPath = plan.bundle.driverPath;
    options.extraArguments = plan.driverArguments();
    options.agentDir = DataPaths::agentDir();
    options.vmStateDir = plan.effectiveVmStateDir();
    return options;
}

void DriverHost::onAgentFailed(const QString &message)
{
    // A late failure of a driver already gone says nothing new.
    if (!isRunning())
        return;
    const QPointer<DriverHost> alive(this);
    Q_EMIT agentFailed(message);
    if (alive)
        m_runner->stop();
}

void DriverHost::stop()
{
    if (m_runner)
        m_runner->stop();
}

void DriverHost::killGroup()
{
    if (m_runner)
        m_runner->killGroup();
}

bool DriverHost::isRunning() const
{
    return m_runner && m_runner->isRunning();
}

std::unique_ptr<LocalSocketTransport> DriverHost::takeTransport()
{
    return m_connector.takeTransport();
}

QString DriverHost::agentSocketPath() const
{
    return m_runner ? m_runner->agentSocketPath() : QString();
}

QString DriverHost::recentOutput() const
{
    return m_runner ? m_runner->recentOutput() : QString();
}

QString DriverHost::runDir() const
{
    return m_runner ? m_runner->runDir() : QString();
}

QString DriverHost::hostName() const
{
    return m_runner ? m_runner->hostName() : QString();
}

qint64 DriverHost::processId() const
{
    return m_runner ? m_runner->processId() : 0;
}

QString DriverHost::reachableSocket(const QString &driverPath)
{
    return m_runner ? m_runner->reachableSocket(driverPath) : driverPath;
}

void DriverHost::fetchFile(const QString &driverPath)
{
    if (m_runner)
        m_runner->fetchFile(driverPath);
}

} // namespace nixtide
