#include "core/cli/debugadapter.h"

#include "core/dap/dapframer.h"
#include "core/dap/dapmessage.h"
#include "core/dap/daptransport.h"
#include "core/paths.h"
#include "core/session/driverhost.h"
#include "core/session/testresolver.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QTimer>

#include <memory>

namespace nixtide::cli {

namespace {

// The seq of the adapter's own initialize to the agent: far above anything
// an editor numbers its requests with, so its response is recognised.
constexpr int kOwnInitializeSeq = 1 << 30;

// The agent's capabilities, from the file the agent itself answers
// `initialize` with: the editor needs an answer before the test is built.
QJsonObject agentCapabilities(QString *error)
{
    const QString path = DataPaths::agentDir() + QStringLiteral("/nixtide_agent/capabilities.json");
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return {};
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!doc.isObject()) {
        *error = QStringLiteral("%1 is not a JSON object: %2").arg(path, parseError.errorString());
        return {};
    }
    return doc.object();
}

// Relays DAP between the editor (stdio) and the agent in the driver. Until
// the agent is connected it answers initialize itself and holds everything
// else; on launch it resolves the test, starts the driver and then forwards
// the launch with the source path and line map added.
class Adapter : public QObject
{
public:
    Adapter()
    {
        connect(&m_editor, &DapTransport::bytesReceived, this, &Adapter::fromEditor);
        connect(&m_editor, &DapTransport::closed, this, [this] {
            // The editor went away: so does the test.
            if (m_driver && m_driver->isRunning())
                m_driver->stop();
            else
                QCoreApplication::exit(0);
        });
    }

private:
    void sendToEditor(QJsonObject message)
    {
        if (!message.contains(QStringLiteral("seq")))
            message.insert(QStringLiteral("seq"), m_ownSeq++);
        m_editor.write(DapFramer::encode(message));
    }

    void respond(const QJsonObject &request, bool success, const QJsonObject &body = {},
        const QString &message = {})
    {
        sendToEditor(dapResponse(request, success, body, message));
    }

    void event(const QString &name, const QJsonObject &body = {})
    {
        sendToEditor({{QStringLiteral("type"), QStringLiteral("event")},
            {QStringLiteral("event"), name}, {QStringLiteral("body"), body}});
    }

    void outputToEditor(const QString &category, const QString &text)
    {
        event(QStringLiteral("output"),
            {{QStringLiteral("category"), category}, {QStringLiteral("output"), text}});
    }

    void fromEditor(const QByteArray &bytes)
    {
        for (const DapFramer::Item &item : m_editorFramer.feed(bytes)) {
            if (item.kind == DapFramer::Item::Kind::Junk) {
                outputToEditor(QStringLiteral("stderr"),
                    QStringLiteral("nixtide debug-adapter: ignored %1 bytes outside a frame\n")
                        .arg(item.junk.size()));
                continue;
            }
            if (item.kind == DapFramer::Item::Kind::Error) {
                outputToEditor(QStringLiteral("stderr"),
                    QStringLiteral("nixtide debug-adapter: %1\n").arg(item.error));
                continue;
            }
            handleEditorMessage(item.message);
        }
    }

    void handleEditorMessage(const QJsonObject &message)
    {
        if (m_agentReady) {
            m_agent->write(DapFramer::encode(message));
            return;
        }
        const QString command = message.value(QStringLiteral("command")).toString();
        if (command == QLatin1String("initialize")) {
            m_initializeArguments = message.value(QStringLiteral("arguments")).toObject();
            QString error;
            m_capabilities = agentCapabilities(&error);
            if (m_capabilities.isEmpty())
                respond(message, false, {}, QStringLiteral("nixtide debug-adapter: ") + error);
            else
                respond(message, true, m_capabilities);
        } else if (command == QLatin1String("launch") && !m_launchRequest.has_value()) {
            m_launchRequest = message;
            startLaunch(message.value(QStringLiteral("arguments")).toObject());
        } else if (command == QLatin1String("disconnect")
            || command == QLatin1String("terminate")) {
            respond(message, true);
            if (m_driver && m_driver->isRunning()) {
                m_driver->stop();
            } else {
                m_resolver.cancel();
                event(QStringLiteral("terminated"));
                QTimer::singleShot(0, this, [] { QCoreApplication::exit(0); });
            }
        } else if (command == QLatin1String("attach")) {
            respond(
                message, false, {}, QStringLiteral("nixtide debug-adapter only launches tests"));
        } else {
            // Anything else waits for the agent.
            m_queue.append(message);
        }
    }

    void failLaunch(const QString &message)
    {
        respond(*m_launchRequest, false, {}, message);
        outputToEditor(QStringLiteral("stderr"), message + QLatin1Char('\n'));
        event(QStringLiteral("terminated"));
    }

    void startLaunch(const QJsonObject &arguments)
    {
        const QString test = arguments.value(QStringLiteral("test"))
                                 .toString(arguments.value(QStringLiteral("program")).toString());
        if (test.isEmpty()) {
            failLaunch(QStringLiteral(
                "launch needs \"test\": a .nix file, flake reference or driver bundle"));
            return;
        }
        connect(&m_resolver, &TestResolver::progressMessage, this, [this](const QString &m) {
            outputToEditor(QStringLiteral("console"), m + QLatin1Char('\n'));
        });
        connect(&m_resolver, &TestResolver::warning, this, [this](const QString &m) {
            outputToEditor(QStringLiteral("console"), m + QLatin1Char('\n'));
        });
        connect(&m_resolver, &TestResolver::failed, this,
            [this](TestResolver::Failure, const QString &message) { failLaunch(message); });
        connect(&m_resolver, &TestResolver::resolved, this,
            [this, arguments](const LaunchPlan &resolved) {
                LaunchPlan plan = resolved;
                const QString script = arguments.value(QStringLiteral("script")).toString();
                QString error;
                if (!script.isEmpty() && !plan.loadScript(script, &error)) {
                    failLaunch(error);
                    return;
                }
                plan.keepVmState = arguments.value(QStringLiteral("keepVmState")).toBool();
                startDriver(plan, arguments);
            });
        m_resolver.start(test,
            arguments.value(QStringLiteral("interactive")).toBool()
                ? QStringLiteral("driverInteractive")
                : QStringLiteral("driver"));
    }

    void startDriver(const LaunchPlan &plan, const QJsonObject &editorArguments)
    {
        // The editor's own launch arguments go through (stopOnEntry,
        // noDebug, …) with what only nixtide knows added.
        m_forwardedLaunch = editorArguments;
        const QJsonObject ours = plan.scriptArguments();
        for (auto it = ours.begin(); it != ours.end(); ++it)
            m_forwardedLaunch.insert(it.key(), it.value());
        m_driver = std::make_unique<DriverHost>();
        connect(m_driver.get(), &DriverHost::outputLine, this,
            [this](const QString &line, bool isStderr) {
                outputToEditor(isStderr ? QStringLiteral("stderr") : QStringLiteral("stdout"),
                    line + QLatin1Char('\n'));
            });
        connect(m_driver.get(), &DriverHost::failedToStart, this, [this](const QString &m) {
            // No finished() follows a failed execve: end here, or the
            // editor waits on an adapter with nothing left to relay.
            failLaunch(m);
            QTimer::singleShot(0, this, [] { QCoreApplication::exit(0); });
        });
        connect(m_driver.get(), &DriverHost::finished, this, [this](int code, bool crashed) {
            if (!m_agentReady && m_launchRequest && !m_launchAnswered)
                failLaunch(
                    QStringLiteral("the driver exited (%1) before the debug agent answered:\n%2")
                        .arg(crashed ? QStringLiteral("killed") : QString::number(code),
                            m_driver->recentOutput()));
            else if (!m_sawTerminated)
                event(QStringLiteral("terminated"));
            QTimer::singleShot(0, this, [] { QCoreApplication::exit(0); });
        });
        connect(m_driver.get(), &DriverHost::agentConnected, this, &Adapter::onAgentConnected);
        connect(m_driver.get(), &DriverHost::agentFailed, this, [this](const QString &message) {
            // The editor hears why; the host stops the driver, whose
            // finished() then ends us.
            failLaunch(
                QStringLiteral("%1; the driver said:\n%2").arg(message, m_driver->recentOutput()));
            m_launchAnswered = true;
            m_sawTerminated = true;
        });

        QString error;
        if (!m_driver->start(plan, &error)) {
            failLaunch(error);
            return;
        }
        if (!m_driver->vmStateDir().isEmpty())
            outputToEditor(QStringLiteral("console"),
                QStringLiteral("keeping VM state in %1\n").arg(m_driver->vmStateDir()));
    }

    void onAgentConnected()
    {
        m_agent = m_driver->takeTransport();
        connect(m_agent.get(), &DapTransport::bytesReceived, this, &Adapter::fromAgent);
        connect(m_agent.get(), &DapTransport::errorOccurred, this, [this](const QString &message) {
            outputToEditor(QStringLiteral("stderr"),
                QStringLiteral("nixtide debug-adapter: debug agent connection: %1\n").arg(message));
        });
        QJsonObject initialize {{QStringLiteral("seq"), kOwnInitializeSeq},
            {QStringLiteral("type"), QStringLiteral("request")},
            {QStringLiteral("command"), QStringLiteral("initialize")},
            {QStringLiteral("arguments"), m_initializeArguments}};
        m_agent->write(DapFramer::encode(initialize));
    }

    void fromAgent(const QByteArray &bytes)
    {
        for (const DapFramer::Item &item : m_agentFramer.feed(bytes)) {
            if (item.kind != DapFramer::Item::Kind::Message) {
                outputToEditor(QStringLiteral("stderr"),
                    QStringLiteral("nixtide debug-adapter: from the agent: %1\n")
                        .arg(item.kind == DapFramer::Item::Kind::Error
                                ? item.error
                                : QString::fromUtf8(item.junk.left(200))));
                continue;
            }
            const QJsonObject &message = item.message;
            const QString type = message.value(QStringLiteral("type")).toString();
            if (type == QLatin1String("response")
                && message.value(QStringLiteral("request_seq")).toInt() == kOwnInitializeSeq) {
                // The running agent's own answer is the authority: an agent
                // other than the file's (a different install) is passed on.
                const QJsonObject body = message.value(QStringLiteral("body")).toObject();
                if (body != m_capabilities)
                    sendToEditor({{QStringLiteral("type"), QStringLiteral("event")},
                        {QStringLiteral("event"), QStringLiteral("capabilities")},
                        {QStringLiteral("body"),
                            QJsonObject {{QStringLiteral("capabilities"), body}}}});
                onAgentInitialized();
                continue;
            }
            if (type == QLatin1String("response")
                && message.value(QStringLiteral("request_seq"))
                    == m_launchRequest->value(QStringLiteral("seq")))
                m_launchAnswered = true;
            if (type == QLatin1String("event")
                && message.value(QStringLiteral("event")).toString() == QLatin1String("terminated"))
                m_sawTerminated = true;
            m_editor.write(DapFramer::encode(message));
        }
    }

    void onAgentInitialized()
    {
        // The agent now takes over: the editor's launch (with our
        // additions, under the editor's seq) first, then whatever waited.
        m_agentReady = true;
        QJsonObject launch = *m_launchRequest;
        launch.insert(QStringLiteral("arguments"), m_forwardedLaunch);
        m_agent->write(DapFramer::encode(launch));
        for (const QJsonObject &queued : std::as_const(m_queue))
            m_agent->write(DapFramer::encode(queued));
        m_queue.clear();
    }

    StdioTransport m_editor {0, 1};
    DapFramer m_editorFramer;
    DapFramer m_agentFramer;
    TestResolver m_resolver;
    std::unique_ptr<DriverHost> m_driver;
    std::unique_ptr<LocalSocketTransport> m_agent;
    QJsonObject m_initializeArguments;
    QJsonObject m_capabilities;
    std::optional<QJsonObject> m_launchRequest;
    QJsonObject m_forwardedLaunch;
    QList<QJsonObject> m_queue;
    int m_ownSeq = 1;
    bool m_agentReady = false;
    bool m_launchAnswered = false;
    bool m_sawTerminated = false;
};

} // namespace

int debugAdapter(const QStringList &arguments)
{
    Q_UNUSED(arguments);
    Adapter adapter;
    return QCoreApplication::exec();
}

} // namespace nixtide::cli
