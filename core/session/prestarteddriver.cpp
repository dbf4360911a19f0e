#include "core/session/prestarteddriver.h"

#include "core/launch/driverprocess.h"
#include "core/session/buildcache.h"

namespace nixtide {

PrestartedDriver::PrestartedDriver(QObject *parent)
    : QObject(parent)
{ }

// The host's destructor ends the driver's process group.
PrestartedDriver::~PrestartedDriver() = default;

QStringList PrestartedDriver::launchKey(const LaunchPlan &plan)
{
    const DriverLaunchOptions options = DriverHost::launchOptions(plan);
    return QStringList {options.driverPath, plan.host, options.agentDir, options.vmStateDir}
    + options.extraArguments;
}

std::unique_ptr<PrestartedDriver> PrestartedDriver::startLastBuild(
    const QString &test, const QString &attribute)
{
    QString why;
    const std::optional<BuildCache::Entry> entry = BuildCache().load(test, attribute, &why);
    if (!entry)
        return nullptr;
    auto early = std::make_unique<PrestartedDriver>();
    // When it cannot start, the run starts its own driver and says what fails.
    if (!early->start(entry->plan, &why))
        return nullptr;
    return early;
}

bool PrestartedDriver::start(const LaunchPlan &plan, QString *error)
{
    if (m_host) {
        *error = QStringLiteral("the driver was already started");
        return false;
    }
    if (!plan.host.isEmpty() || plan.keepVmState || !plan.vmStateDir.isEmpty()) {
        *error = QStringLiteral("only a local run without kept VM state starts early");
        return false;
    }
    m_host = std::make_unique<DriverHost>();
    connect(m_host.get(), &DriverHost::outputLine, this,
        [this](const QString &line, bool isStderr) { m_output.append({line, isStderr}); });
    connect(m_host.get(), &DriverHost::agentConnected, this, [this] { m_connected = true; });
    // A driver that fails now would fail the same way adopted: the run
    // starts it again and shows that failure in full.
    const auto unusable = [this](const QString &why) {
        if (m_unusable.isEmpty())
            m_unusable = why;
    };
    connect(m_host.get(), &DriverHost::agentFailed, this,
        [unusable] { unusable(QStringLiteral("its agent did not answer")); });
    connect(m_host.get(), &DriverHost::failedToStart, this,
        [unusable] { unusable(QStringLiteral("it did not start")); });
    if (!m_host->start(plan, error)) {
        m_host.reset();
        return false;
    }
    m_key = launchKey(plan);
    return true;
}

std::optional<PrestartedDriver::Handover> PrestartedDriver::take(
    const LaunchPlan &plan, QString *why)
{
    if (!m_host) {
        *why = QStringLiteral("none was started");
        return std::nullopt;
    }
    if (!m_host->isRunning()) {
        *why = QStringLiteral("it ended");
        return std::nullopt;
    }
    if (!m_unusable.isEmpty()) {
        *why = m_unusable;
        return std::nullopt;
    }
    if (launchKey(plan) != m_key) {
        *why = plan.bundle.driverPath == m_key.first()
            ? QStringLiteral("this run starts it with other options")
            : QStringLiteral("the test's build changed");
        return std::nullopt;
    }
    m_host->disconnect(this);
    Handover handover {std::move(m_host), std::exchange(m_output, {}), m_connected};
    return handover;
}

qint64 PrestartedDriver::processId() const
{
    return m_host ? m_host->processId() : 0;
}

} // namespace nixtide
