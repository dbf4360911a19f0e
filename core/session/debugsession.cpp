#include "core/session/debugsession.h"

#include "core/dap/daptransport.h"
#include "core/paths.h"
#include "core/session/driverhost.h"

#include <QFileInfo>

#include <cstring>

namespace nixtide {

namespace {

constexpr int kTerminateGraceMs = 15000; // for the agent to shut the VMs down
constexpr qsizetype kSerialKeep = 1 << 20; // per machine, in memory (the record has all)
// The step every generation of the driver starts its VLANs in (upstream's
// own words, the same since the Python driver began).
constexpr QLatin1StringView kVlanStartup("start all VLans");

using BodyCallback = std::function<void(bool, const QJsonObject &, const QString &)>;

BodyCallback orNothing(BodyCallback callback)
{
    if (callback)
        return callback;
    return [](bool, const QJsonObject &, const QString &) { };
}

} // namespace

DebugSession::DebugSession(QObject *parent)
    : QObject(parent)
    , m_recorder(this)
{
    setBreakpointStore(&m_ownStore);
    connect(&m_vlanWatch, &VlanSwitchWatch::switchExited, this, &DebugSession::onVlanSwitchExited);
    m_terminateTimer.setSingleShot(true);
    connect(&m_terminateTimer, &QTimer::timeout, this, [this] {
        if (m_driver)
            m_driver->stop();
    });
}

DebugSession::~DebugSession()
{
    // The client goes before the transport it reads, the driver last: its
    // destructor kills the process group.
    m_client.reset();
    m_transport.reset();
    if (m_driver && m_driver->isRunning() && m_state != State::Terminated)
        Q_EMIT resultChanged(QStringLiteral("killed"));
    m_driver.reset();
}

bool DebugSession::start(
    const LaunchPlan &plan, std::optional<PrestartedDriver::Handover> prestarted)
{
    if (m_state != State::Idle) {
        m_error = QStringLiteral("the session was already started");
        return false;
    }
    m_plan = plan;
    // Answers of an earlier run say nothing about this one's script.
    m_store->clearAnswers();
    // Known from the bundle before the agent lists them: tabs appear at once.
    for (const BundleMachine &machine : plan.bundle.machines)
        m_machines.append({machine.name, QStringLiteral("off"), QStringLiteral("vm"), {}, {}, {}});
    for (const QString &container : plan.bundle.containers)
        m_machines.append(
            {container, QStringLiteral("off"), QStringLiteral("container"), {}, {}, {}});

    if (plan.record) {
        const QString base = plan.recordBase.isEmpty()
            ? DataPaths::stateDir() + QStringLiteral("/runs")
            : plan.recordBase;
        QString recordError;
        // A run without its record is still a run; say so once.
        if (!m_recorder.open(base, plan.bundle.testName, plan.sourcePath, &recordError))
            Q_EMIT errorOccurred(recordError);
    }

    m_driver = prestarted ? std::move(prestarted->host) : std::make_unique<DriverHost>();
    connect(m_driver.get(), &DriverHost::outputLine, this, &DebugSession::driverOutputLine);
    connect(m_driver.get(), &DriverHost::agentConnected, this, &DebugSession::onConnected);
    connect(m_driver.get(), &DriverHost::agentFailed, this, [this](const QString &message) {
        // The host stops the driver next: its end is no surprise.
        fail(QStringLiteral("%1; is the driver a Python test driver? Its output:\n%2")
                .arg(message, m_driver->recentOutput()));
        m_endRequested = true;
    });
    connect(m_driver.get(), &DriverHost::failedToStart, this, &DebugSession::onDriverFailedToStart);
    connect(m_driver.get(), &DriverHost::finished, this, &DebugSession::onDriverFinished);
    connect(m_driver.get(), &DriverHost::socketReachable, this, &DebugSession::onSocketReachable);
    connect(m_driver.get(), &DriverHost::fileFetched, this, &DebugSession::onFileFetched);
    connect(m_driver.get(), &DriverHost::progress, this, &DebugSession::launchProgress);
    connect(m_driver.get(), &DriverHost::hostProbed, this, [this](const QString &host, bool kvm) {
        m_hostKvm = kvm;
        Q_EMIT hostProbed(host, kvm);
    });
    connect(m_driver.get(), &DriverHost::connectionLost, this, [this](const QString &message) {
        m_connectionLost = true;
        fail(message);
        Q_EMIT connectionLost(message);
    });
    if (prestarted) {
        // What the driver printed before this session listened, now: a
        // line it prints next comes from the event loop, after these (its
        // owners connect to driverOutputLine before start()).
        for (const auto &[line, isStderr] : std::as_const(prestarted->output))
            Q_EMIT driverOutputLine(line, isStderr);
        // A connection made before the hand-over is configured from the
        // event loop, as one made after it is; not after a Stop.
        QMetaObject::invokeMethod(
            this,
            [this, connected = prestarted->agentConnected] {
                if (connected && !m_connected && !m_endRequested && m_driver
                    && m_driver->isRunning())
                    onConnected();
            },
            Qt::QueuedConnection);
    } else if (QString startError; !m_driver->start(plan, &startError)) {
        m_error = startError;
        setState(State::Terminated);
        Q_EMIT resultChanged(QStringLiteral("error"));
        return false;
    }
    Q_EMIT resultChanged(QStringLiteral("running"));
    setState(State::Starting);
    return true;
}

void DebugSession::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void DebugSession::fail(const QString &message)
{
    m_error = message;
    Q_EMIT errorOccurred(message);
}

void DebugSession::onConnected()
{
    m_transport = m_driver->takeTransport();
    m_client = std::make_unique<DapClient>(m_transport.get());
    connect(m_transport.get(), &DapTransport::errorOccurred, this, [this](const QString &message) {
        fail(QStringLiteral("debug agent connection: %1").arg(message));
    });
    connect(m_client.get(), &DapClient::eventReceived, this, &DebugSession::onEvent);
    connect(m_client.get(), &DapClient::protocolError, this, [this](const QString &message) {
        fail(QStringLiteral("debug agent protocol: %1").arg(message));
    });
    connect(m_client.get(), &DapClient::requestTimedOut, this,
        [this](int seq, const QString &command, int waited) {
            fail(QStringLiteral("the debug agent has not answered request %1 (%2) for %3 s")
                    .arg(seq)
                    .arg(command)
                    .arg(waited / 1000));
        });
    m_connected = true;
    Q_EMIT connectedToAgent();
    const QJsonObject initialize {{QStringLiteral("clientID"), QStringLiteral("nixtide")},
        {QStringLiteral("adapterID"), QStringLiteral("nixtide")},
        {QStringLiteral("linesStartAt1"), true}, {QStringLiteral("columnsStartAt1"), true},
        {QStringLiteral("pathFormat"), QStringLiteral("path")}};
    m_client->postRequest(QStringLiteral("initialize"), initialize, [this](const DapResponse &r) {
        if (!r.success) {
            fail(QStringLiteral("initialize failed: %1").arg(r.message));
            return;
        }
        m_client->postRequest(
            QStringLiteral("launch"), m_plan.launchArguments(), [this](const DapResponse &launch) {
                if (!launch.success)
                    fail(QStringLiteral("launch failed: %1").arg(launch.message));
            });
    });
}

void DebugSession::onInitialized()
{
    // Configuration: breakpoints for every file, exception stops, done.
    for (const QString &path : m_store->files())
        sendBreakpoints(path);
    m_client->postRequest(QStringLiteral("setExceptionBreakpoints"),
        {{QStringLiteral("filters"), QJsonArray {QStringLiteral("uncaught")}}});
    m_client->postRequest(QStringLiteral("configurationDone"), {}, [this](const DapResponse &r) {
        if (!r.success) {
            fail(QStringLiteral("configurationDone failed: %1").arg(r.message));
            return;
        }
        m_configured = true;
        if (m_state == State::Starting)
            setState(State::Running);
    });
}

void DebugSession::setBreakpointStore(BreakpointStore *store)
{
    disconnect(m_store, nullptr, this, nullptr);
    m_store = store ? store : &m_ownStore;
    m_agentBreakpoints.clear();
    // Breakpoints edited while the test runs take effect at once.
    connect(m_store, &BreakpointStore::requestsChanged, this, [this](const QString &path) {
        if (m_client && m_configured)
            sendBreakpoints(path);
    });
    // The window's store may go first when the window closes: the
    // session's own (empty) one takes over, so there always is a store.
    if (m_store != &m_ownStore)
        connect(m_store, &QObject::destroyed, this, [this] { setBreakpointStore(nullptr); });
}

void DebugSession::setBreakpoints(const QString &path, const QList<SourceBreakpoint> &breakpoints)
{
    m_store->setBreakpoints(path, breakpoints);
}

void DebugSession::sendBreakpoints(const QString &path)
{
    QJsonArray list;
    // The answers come in request order: the i-th is for ids[i], whatever
    // the store holds by the time they come.
    QList<int> ids;
    for (const StoredBreakpoint &entry : m_store->entries(path)) {
        const Breakpoint &bp = entry.request;
        ids.append(entry.id);
        QJsonObject item {{QStringLiteral("line"), bp.line}};
        if (!bp.condition.isEmpty())
            item.insert(QStringLiteral("condition"), bp.condition);
        if (!bp.hitCondition.isEmpty())
            item.insert(QStringLiteral("hitCondition"), bp.hitCondition);
        if (!bp.logMessage.isEmpty())
            item.insert(QStringLiteral("logMessage"), bp.logMessage);
        list.append(item);
    }
    const QJsonObject args {
        {QStringLiteral("source"), QJsonObject {{QStringLiteral("path"), path}}},
        {QStringLiteral("breakpoints"), list}};
    m_client->postRequest(
        QStringLiteral("setBreakpoints"), args, [this, path, ids](const DapResponse &r) {
            if (!r.success) {
                fail(QStringLiteral("breakpoints in %1 were refused: %2").arg(path, r.message));
                return;
            }
            const QJsonArray answered = r.body.value(QStringLiteral("breakpoints")).toArray();
            m_agentBreakpoints.removeIf(
                [&path](const auto &it) { return it.value().first == path; });
            QList<BreakpointAnswer> answers;
            for (qsizetype i = 0; i < answered.size(); ++i) {
                const QJsonObject o = answered.at(i).toObject();
                const BreakpointAnswer answer {o.value(QStringLiteral("line")).toInt(),
                    o.value(QStringLiteral("verified")).toBool(),
                    o.value(QStringLiteral("message")).toString()};
                answers.append(answer);
                if (i >= ids.size())
                    continue;
                if (o.contains(QStringLiteral("id")))
                    m_agentBreakpoints.insert(
                        o.value(QStringLiteral("id")).toInt(), {path, ids[i]});
                m_store->setAnswer(path, ids[i], answer.verified, answer.line, answer.message);
            }
            Q_EMIT breakpointsAnswered(path, answers);
        });
}

// The agent re-resolves breakpoints when it learns the script's line map
// (after configuration): where each one is set now.
void DebugSession::onBreakpointEvent(const QJsonObject &body)
{
    const QJsonObject bp = body.value(QStringLiteral("breakpoint")).toObject();
    const auto known = m_agentBreakpoints.constFind(bp.value(QStringLiteral("id")).toInt(-1));
    if (known == m_agentBreakpoints.cend())
        return;
    m_store->setAnswer(known->first, known->second, bp.value(QStringLiteral("verified")).toBool(),
        bp.value(QStringLiteral("line")).toInt(), bp.value(QStringLiteral("message")).toString());
}

void DebugSession::onEvent(const QString &event, const QJsonObject &body)
{
    if (event == QLatin1String("initialized")) {
        onInitialized();
    } else if (event == QLatin1String("stopped")) {
        onStopped(body);
    } else if (event == QLatin1String("breakpoint")) {
        onBreakpointEvent(body);
    } else if (event == QLatin1String("continued")) {
        // Past a failure only when the failing line was fixed or skipped;
        // otherwise nixtide/scriptFinished follows at once.
        m_stoppedOnFailure = false;
        m_frames.clear();
        setState(State::Running);
        Q_EMIT continued();
    } else if (event == QLatin1String("output")) {
        const QString category
            = body.value(QStringLiteral("category")).toString(QStringLiteral("console"));
        const QString text = body.value(QStringLiteral("output")).toString();
        Q_EMIT output(category, text);
    } else if (event == QLatin1String("exited")) {
        m_agentExitCode = body.value(QStringLiteral("exitCode")).toInt();
        Q_EMIT agentExited(m_agentExitCode);
    } else if (event == QLatin1String("nixtide/machines")) {
        Q_EMIT eventReceived(event, body);
        onMachines(body);
    } else if (event == QLatin1String("nixtide/logBegin")
        || event == QLatin1String("nixtide/log")) {
        LogEntry entry;
        entry.nested = event == QLatin1String("nixtide/logBegin");
        entry.subtest = body.value(QStringLiteral("kind")).toString() == QLatin1String("subtest");
        entry.id = entry.nested ? body.value(QStringLiteral("id")).toInt() : m_nextPlainId--;
        entry.parentId = body.value(QStringLiteral("parentId")).toInt();
        entry.message = body.value(QStringLiteral("message")).toString();
        entry.machine = body.value(QStringLiteral("machine")).toString();
        entry.level = body.value(QStringLiteral("level")).toString(QStringLiteral("info"));
        entry.time = body.value(QStringLiteral("time")).toDouble();
        entry.attributes = body.value(QStringLiteral("attributes")).toObject();
        entry.path = body.value(QStringLiteral("path")).toString();
        entry.line = body.value(QStringLiteral("line")).toInt();
        m_logIndex.insert(entry.id, int(m_log.size()));
        m_log.append(entry);
        onLogBegin(entry);
        Q_EMIT eventReceived(event, body);
        Q_EMIT logEntryAdded(int(m_log.size()) - 1);
    } else if (event == QLatin1String("nixtide/ocr")) {
        onOcr(body);
    } else if (event == QLatin1String("nixtide/logEnd")) {
        const int id = body.value(QStringLiteral("id")).toInt();
        if (id != 0 && id == m_vlanStartupEntry) {
            m_vlanStartupEntry = 0;
            m_vlanWatch.end();
        }
        const int index = m_logIndex.value(id, -1);
        Q_EMIT eventReceived(event, body);
        if (index >= 0) {
            m_log[index].durationSeconds = body.value(QStringLiteral("durationSeconds")).toDouble();
            m_log[index].failed = body.value(QStringLiteral("failed")).toBool();
            Q_EMIT logEntryUpdated(index);
        }
    } else if (event == QLatin1String("nixtide/serial")) {
        onSerial(body);
    } else if (event == QLatin1String("nixtide/screenshot")) {
        // The file is the driver's, on its host: copied from there first.
        const QString path = body.value(QStringLiteral("path")).toString();
        m_screenshots.insert(path, body);
        m_driver->fetchFile(path);
    } else if (event == QLatin1String("nixtide/scriptStarted")) {
        m_scriptFinished = false;
        m_stoppedOnFailure = false;
        Q_EMIT scriptStarted();
        // Again after a restart on the same VMs: the result is open again.
        Q_EMIT resultChanged(QStringLiteral("running"));
    } else if (event == QLatin1String("nixtide/scriptFinished")) {
        m_scriptFinished = true;
        const ScriptOutcome outcome = dap::scriptOutcomeFrom(body);
        // Known now, though the VMs may stay up for long (interactive).
        if (outcome.status == u"passed" || outcome.status == u"failed")
            Q_EMIT resultChanged(outcome.status);
        Q_EMIT scriptFinished(outcome);
    }
}

void DebugSession::onLogBegin(const LogEntry &entry)
{
    // Only a driver on this machine has a process tree to look at.
    const qint64 pid = m_driver ? m_driver->processId() : 0;
    if (!entry.nested || entry.message != kVlanStartup || pid <= 0)
        return;
    m_vlanStartupEntry = entry.id;
    m_vlanWatch.begin(pid, m_plan.bundle.vlans);
}

void DebugSession::onVlanSwitchExited(int vlan, qint64 pid)
{
    if (!m_stuckReason.isEmpty() || m_state == State::Terminated)
        return;
    // /proc shows a switch that the driver's cleanup killed sooner than the
    // driver's log, which comes over the agent's socket, says that its VLAN
    // start-up ended long before (seen with both cores busy). The agent's
    // answer to a request comes after everything the driver logged before
    // it: once it is here, the start-up entry is closed unless the driver
    // really waits.
    if (!m_client) {
        reportVlanStuck(vlan, pid);
        return;
    }
    m_client->postRequest(QStringLiteral("threads"), {}, [this, vlan, pid](const DapResponse &) {
        if (m_vlanStartupEntry != 0)
            reportVlanStuck(vlan, pid);
    });
}

void DebugSession::reportVlanStuck(int vlan, qint64 pid)
{
    if (!m_stuckReason.isEmpty() || m_state == State::Terminated)
        return;
    const QString which
        = vlan >= 0 ? QStringLiteral("VLAN %1").arg(vlan) : QStringLiteral("a VLAN");
    m_stuckReason = QStringLiteral("%1: vde_switch (pid %2) exited; the driver waits for it in "
                                   "its VLAN start-up and will not go on by itself")
                        .arg(which)
                        .arg(pid);
    Q_EMIT driverStuck(m_stuckReason);
}

void DebugSession::onMachines(const QJsonObject &body)
{
    m_machines.clear();
    for (const QJsonValue &value : body.value(QStringLiteral("machines")).toArray()) {
        const QJsonObject m = value.toObject();
        // The driver's socket path may be on another host: the runner says
        // where it can be reached here (later, for a forwarded one).
        const QString vnc = m.value(QStringLiteral("vncSocket")).toString();
        m_machines.append({m.value(QStringLiteral("name")).toString(),
            m.value(QStringLiteral("state")).toString(),
            m.value(QStringLiteral("kind")).toString(QStringLiteral("vm")),
            vnc.isEmpty() ? QString() : m_driver->reachableSocket(vnc),
            m.value(QStringLiteral("stateDir")).toString(), m});
    }
    Q_EMIT machinesChanged();
}

void DebugSession::onSocketReachable(const QString &driverPath, const QString &localPath)
{
    bool changed = false;
    for (MachineInfo &machine : m_machines) {
        if (machine.raw.value(QStringLiteral("vncSocket")).toString() == driverPath) {
            machine.vncSocket = localPath;
            changed = true;
        }
    }
    if (changed)
        Q_EMIT machinesChanged();
}

void DebugSession::onFileFetched(const QString &driverPath, const QString &localPath)
{
    if (m_screenshots.contains(driverPath)) {
        onScreenshotFetched(m_screenshots.take(driverPath), localPath);
        return;
    }
    const auto waiting = m_ocrWaiting.find(driverPath);
    if (waiting == m_ocrWaiting.end())
        return;
    const QList<QJsonObject> bodies = *waiting;
    m_ocrWaiting.erase(waiting);
    if (!localPath.isEmpty())
        m_ocrImages.insert(driverPath, localPath);
    for (const QJsonObject &body : bodies)
        onOcrImage(body, localPath);
}

void DebugSession::onScreenshotFetched(const QJsonObject &body, const QString &localPath)
{
    const QString driverPath = body.value(QStringLiteral("path")).toString();
    const QString machine = body.value(QStringLiteral("machine")).toString();
    QString path = localPath.isEmpty() ? driverPath : localPath;
    // The driver's copy lives in a directory removed with the run.
    const QString copy = m_recorder.keepScreenshot(machine, localPath, body);
    if (!copy.isEmpty())
        path = copy;
    Q_EMIT screenshotTaken(machine, path);
}

void DebugSession::onOcr(const QJsonObject &body)
{
    // The screen image is the driver's file, on its host: fetched once
    // (a local runner hands it over at once, so the order stays the events').
    const QString image = OcrAttempt::fromEvent(body).image;
    if (image.isEmpty() || m_ocrImages.contains(image)) {
        onOcrImage(body, m_ocrImages.value(image));
        return;
    }
    QList<QJsonObject> &waiting = m_ocrWaiting[image];
    waiting.append(body);
    if (waiting.size() == 1)
        m_driver->fetchFile(image);
}

void DebugSession::onOcrImage(const QJsonObject &body, const QString &localPath)
{
    OcrAttempt attempt = OcrAttempt::fromEvent(body);
    const QString driverImage = attempt.image;
    if (!localPath.isEmpty())
        attempt.image = localPath;
    // The agent's file goes with the driver's private directory.
    const QString copy = m_recorder.keepOcrImage(driverImage, localPath, body);
    if (!copy.isEmpty())
        attempt.image = copy;
    LogEntry entry;
    entry.id = m_nextPlainId--;
    entry.parentId = body.value(QStringLiteral("parentId")).toInt();
    entry.message = attempt.summary();
    entry.machine = attempt.machine;
    entry.level = attempt.error.isEmpty() ? QStringLiteral("info") : QStringLiteral("error");
    entry.time = body.value(QStringLiteral("time")).toDouble();
    entry.durationSeconds = attempt.seconds;
    entry.path = body.value(QStringLiteral("path")).toString();
    entry.line = body.value(QStringLiteral("line")).toInt();
    entry.ocr = std::move(attempt);
    m_logIndex.insert(entry.id, int(m_log.size()));
    m_log.append(entry);
    Q_EMIT logEntryAdded(int(m_log.size()) - 1);
}

void DebugSession::onSerial(const QJsonObject &body)
{
    const QString machine = body.value(QStringLiteral("machine")).toString();
    QByteArray bytes;
    if (body.contains(QStringLiteral("data"))) {
        const auto decoded = QByteArray::fromBase64Encoding(
            body.value(QStringLiteral("data")).toString().toLatin1(),
            QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded) {
            qWarning("nixtide/serial event of %s: data is not base64", qPrintable(machine));
            return;
        }
        bytes = *decoded;
    } else {
        // A whole line from a driver whose stream the agent could not
        // tap: a terminal needs CR LF to return to the first column.
        bytes = body.value(QStringLiteral("text")).toString().toUtf8();
        bytes.replace("\r\n", "\n");
        bytes.replace("\n", "\r\n");
    }
    QByteArray &kept = m_serial[machine];
    kept += bytes;
    // Trim in blocks: cutting to the limit on every chunk would move a
    // megabyte per chunk once a chatty machine has filled it. The cut
    // goes after a line end, so a replay starts on a whole line.
    if (kept.size() > 2 * kSerialKeep) {
        const qsizetype lineEnd = kept.indexOf('\n', kept.size() - kSerialKeep);
        kept.remove(0, lineEnd < 0 ? kept.size() - kSerialKeep : lineEnd + 1);
    }
    Q_EMIT serialReceived(machine, bytes);
}

void DebugSession::onStopped(const QJsonObject &body)
{
    // Run to cursor ends at the next stop, wherever it is.
    m_store->dropOneShots();
    m_stopReason = body.value(QStringLiteral("reason")).toString();
    m_stoppedOnFailure = m_stopReason == u"exception";
    m_stopDescription = body.value(QStringLiteral("text"))
                            .toString(body.value(QStringLiteral("description")).toString());
    // Steps, goto and exceptionInfo go to the thread that stopped.
    m_threadId = body.value(QStringLiteral("threadId")).toInt(1);
    const QJsonObject args {{QStringLiteral("threadId"), m_threadId},
        {QStringLiteral("startFrame"), 0}, {QStringLiteral("levels"), 50}};
    m_client->postRequest(QStringLiteral("stackTrace"), args, [this](const DapResponse &r) {
        m_frames = dap::stackFramesFrom(r.body, m_threadId);
        setState(State::Stopped);
        Q_EMIT stopped(m_stopReason, m_stopDescription);
    });
}

int DebugSession::scriptFrameIndex() const
{
    const QString script = QFileInfo(m_plan.breakpointPath()).absoluteFilePath();
    for (int i = 0; i < m_frames.size(); ++i) {
        if (!m_frames.at(i).path.isEmpty()
            && QFileInfo(m_frames.at(i).path).absoluteFilePath() == script)
            return i;
    }
    return 0;
}

void DebugSession::stepRequest(const QString &command)
{
    if (!m_client || m_state != State::Stopped)
        return;
    m_client->postRequest(command, {{QStringLiteral("threadId"), m_threadId}});
}

void DebugSession::continueExecution()
{
    stepRequest(QStringLiteral("continue"));
}

void DebugSession::next()
{
    stepRequest(QStringLiteral("next"));
}

void DebugSession::stepIn()
{
    stepRequest(QStringLiteral("stepIn"));
}

void DebugSession::stepOut()
{
    stepRequest(QStringLiteral("stepOut"));
}

void DebugSession::pause()
{
    if (m_client && m_state == State::Running)
        m_client->postRequest(QStringLiteral("pause"), {{QStringLiteral("threadId"), m_threadId}});
}

void DebugSession::terminate()
{
    if (!m_driver || !m_driver->isRunning())
        return;
    m_endRequested = true;
    // A stuck driver has no script for the agent to end and no VM to shut
    // down: asking would only add the grace period.
    if (m_client && m_connected && m_stuckReason.isEmpty()) {
        m_client->postRequest(QStringLiteral("terminate"), {});
        m_terminateTimer.start(kTerminateGraceMs);
    } else {
        m_driver->stop();
    }
}

void DebugSession::stopDriver()
{
    m_endRequested = true;
    if (m_driver)
        m_driver->stop();
}

void DebugSession::kill()
{
    m_endRequested = true;
    if (m_driver)
        m_driver->killGroup();
}

void DebugSession::request(
    const QString &command, const QJsonObject &arguments, ResultCallback callback, int timeoutMs)
{
    callback = orNothing(std::move(callback));
    if (!m_client || !m_connected) {
        callback(false, {}, QStringLiteral("not connected to the debug agent"));
        return;
    }
    m_client->postRequest(
        command, arguments,
        [callback](const DapResponse &r) { callback(r.success, r.body, r.message); }, timeoutMs);
}

namespace {

// Reads a successful answer's body into T; a refusal passes on its message.
template <typename T> BodyCallback typed(TypedCallback<T> callback, T (*read)(const QJsonObject &))
{
    return [callback = std::move(callback), read](
               bool ok, const QJsonObject &body, const QString &error) {
        if (callback)
            callback(ok, ok ? read(body) : T {}, error);
    };
}

BodyCallback done(DoneCallback callback)
{
    return [callback = std::move(callback)](bool ok, const QJsonObject &, const QString &error) {
        if (callback)
            callback(ok, error);
    };
}

} // namespace

void DebugSession::evaluate(const QString &expression, int frameId,
    TypedCallback<EvaluateResult> callback, const QString &context)
{
    if (frameId == 0 && !m_frames.isEmpty())
        frameId = m_frames.first().id;
    QJsonObject args {
        {QStringLiteral("expression"), expression}, {QStringLiteral("context"), context}};
    if (frameId != 0)
        args.insert(QStringLiteral("frameId"), frameId);
    // machine.succeed(...) may run for minutes: no watchdog.
    request(
        QStringLiteral("evaluate"), args, typed(std::move(callback), &dap::evaluateResultFrom), 0);
}

void DebugSession::scopes(int frameId, TypedCallback<QList<Scope>> callback)
{
    request(QStringLiteral("scopes"), {{QStringLiteral("frameId"), frameId}},
        typed(std::move(callback), &dap::scopesFrom));
}

void DebugSession::variables(int variablesReference, TypedCallback<QList<Variable>> callback)
{
    request(QStringLiteral("variables"),
        {{QStringLiteral("variablesReference"), variablesReference}},
        typed(std::move(callback), &dap::variablesFrom));
}

void DebugSession::exceptionInfo(TypedCallback<ExceptionInfo> callback)
{
    request(QStringLiteral("exceptionInfo"), {{QStringLiteral("threadId"), m_threadId}},
        typed(std::move(callback), &dap::exceptionInfoFrom));
}

void DebugSession::completions(
    const QString &line, int frameId, TypedCallback<Completions> callback)
{
    // The agent wants the line being typed and a column in it.
    QJsonObject args {
        {QStringLiteral("text"), line}, {QStringLiteral("column"), int(line.size()) + 1}};
    if (frameId > 0)
        args.insert(QStringLiteral("frameId"), frameId);
    request(QStringLiteral("completions"), args, typed(std::move(callback), &dap::completionsFrom));
}

void DebugSession::gotoTargets(
    const QString &path, int line, TypedCallback<QList<GotoTarget>> callback)
{
    const QJsonObject where {
        {QStringLiteral("source"),
            QJsonObject {{QStringLiteral("path"), QFileInfo(path).absoluteFilePath()}}},
        {QStringLiteral("line"), line}};
    request(
        QStringLiteral("gotoTargets"), where, typed(std::move(callback), &dap::gotoTargetsFrom));
}

void DebugSession::gotoTarget(int targetId, DoneCallback callback)
{
    request(QStringLiteral("goto"),
        {{QStringLiteral("threadId"), m_threadId}, {QStringLiteral("targetId"), targetId}},
        done(std::move(callback)));
}

void DebugSession::restartScript(const LaunchPlan &plan, DoneCallback callback)
{
    request(QStringLiteral("restart"), {{QStringLiteral("arguments"), plan.scriptArguments()}},
        done(std::move(callback)));
}

void DebugSession::machineAction(
    const QString &machine, const QString &action, const QString &text, DoneCallback callback)
{
    QJsonObject args {{QStringLiteral("machine"), machine}, {QStringLiteral("action"), action}};
    if (!text.isEmpty())
        args.insert(QStringLiteral("text"), text);
    request(QStringLiteral("nixtide/machineAction"), args, done(std::move(callback)), 0);
}

void DebugSession::onDriverFinished(int exitCode, bool crashed)
{
    // The driver's exit can be seen before the last events its agent
    // wrote (the script's start and end, its log): under load cli.run's
    // nixtide-written JUnit went missing so. Read them first.
    if (m_transport)
        m_transport->readPending();
    // A run to cursor that never got there ends with the run.
    m_store->dropOneShots();
    m_vlanWatch.end();
    m_vlanStartupEntry = 0;
    m_terminateTimer.stop();
    m_exitCode = exitCode;
    m_crashed = crashed;
    m_frames.clear();
    // A signal nobody here sent (the OOM killer, a kill from a terminal) ends
    // the test midway; without saying so it would look like a Stop.
    // A lost connection to the driver's host has said so already.
    if (crashed && !m_endRequested && !m_connectionLost) {
        const qint64 pid = m_driver ? m_driver->processId() : 0;
        const QString who = pid > 0 ? QStringLiteral("the test driver (pid %1)").arg(pid)
                                    : QStringLiteral("the test driver on %1")
                                          .arg(m_driver ? m_driver->hostName() : QString());
        // A remote runner knows that a signal ended the driver, not which.
        const char *name = exitCode > 0 ? ::sigabbrev_np(exitCode) : nullptr;
        const QString how = exitCode > 0
            ? QStringLiteral("signal %1%2")
                  .arg(exitCode)
                  .arg(name ? QStringLiteral(" (SIG%1)").arg(QLatin1StringView(name)) : QString())
            : QStringLiteral("a signal");
        fail(QStringLiteral("%1 was killed by %2 from outside nixtide; the test did not finish "
                            "and its VMs are stopped")
                .arg(who, how));
    }
    setState(State::Terminated);
    // Ended on request before the script had a result (at a breakpoint,
    // midway): the exit code then says only that it was ended, not that
    // the test failed.
    const bool stoppedMidway = m_endRequested && !m_scriptFinished && !m_stoppedOnFailure
        && m_error.isEmpty() && m_stuckReason.isEmpty();
    Q_EMIT resultChanged(stoppedMidway ? QStringLiteral("stopped")
            : crashed                  ? QStringLiteral("killed")
            : exitCode == 0            ? QStringLiteral("passed")
                                       : QStringLiteral("failed"));
    Q_EMIT finished(exitCode, crashed);
}

void DebugSession::onDriverFailedToStart(const QString &message)
{
    // QProcess sends no finished() after FailedToStart (execve failed, e.g.
    // a script whose interpreter is missing): end the session here as a
    // dead driver would, or everyone waiting for finished() waits forever.
    m_terminateTimer.stop();
    fail(message);
    m_frames.clear();
    setState(State::Terminated);
    Q_EMIT resultChanged(QStringLiteral("error"));
    Q_EMIT finished(m_exitCode, m_crashed);
}

QByteArray DebugSession::serialData(const QString &machine) const
{
    const QByteArray kept = m_serial.value(machine);
    if (kept.size() <= kSerialKeep)
        return kept;
    const qsizetype lineEnd = kept.indexOf('\n', kept.size() - kSerialKeep);
    return lineEnd < 0 ? kept.right(kSerialKeep) : kept.mid(lineEnd + 1);
}

QString DebugSession::runRecordDir() const
{
    return m_recorder.dir();
}

QString DebugSession::agentSocketPath() const
{
    return m_driver ? m_driver->agentSocketPath() : QString();
}

QString DebugSession::driverRunDir() const
{
    return m_driver ? m_driver->runDir() : QString();
}

QString DebugSession::hostName() const
{
    return m_plan.host;
}

qint64 DebugSession::driverProcessId() const
{
    return m_driver ? m_driver->processId() : 0;
}

QString DebugSession::driverOutput() const
{
    return m_driver ? m_driver->recentOutput() : QString();
}

} // namespace nixtide
