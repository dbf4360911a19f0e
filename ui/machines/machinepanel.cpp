#include "ui/machines/machinepanel.h"

#include "core/paths.h"
#include "core/session/debugsession.h"
#include "ui/machines/consoleinput.h"
#include "ui/machines/machinetab.h"

#include <QPainter>
#include <QPixmap>

#include <algorithm>

namespace nixtide {

namespace {

QColor stateColor(const QString &state)
{
    if (state == QLatin1String("up"))
        return QColor(0x3c, 0xb3, 0x71);
    if (state == QLatin1String("booting"))
        return QColor(0xe6, 0xa8, 0x17);
    if (state == QLatin1String("crashed"))
        return QColor(0xd9, 0x3b, 0x3b);
    return QColor(0x90, 0x90, 0x90); // off, shutdown
}

QIcon stateIcon(const QString &state)
{
    QPixmap pixmap(12, 12);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(stateColor(state));
    painter.drawEllipse(QRectF(1, 1, 10, 10));
    return QIcon(pixmap);
}

} // namespace

MachinePanel::MachinePanel(DebugSession *session, QWidget *parent)
    : QTabWidget(parent)
{
    setDocumentMode(true);
    setSession(session);
}

MachinePanel::~MachinePanel() = default;

void MachinePanel::setSession(DebugSession *session)
{
    for (const QMetaObject::Connection &c : std::as_const(m_connections))
        disconnect(c);
    m_connections.clear();
    m_session = session;
    // Whatever ran before is gone with its session. The tabs stay (the user
    // may still read the old console) until the new session lists its
    // machines: start() fills that list after this call, as a rule.
    for (int i = 0; i < count(); ++i) {
        auto *t = qobject_cast<MachineTab *>(widget(i));
        if (!t)
            continue;
        t->setVncSocket({});
        if (MachineTab::isRunningState(t->state()))
            t->setState(QStringLiteral("off"));
        t->showMessage({});
        if (session)
            t->appendNote(tr("--- new run ---"));
    }
    if (!session) {
        syncAvailability();
        return;
    }
    m_connections << connect(
        session, &DebugSession::machinesChanged, this, &MachinePanel::syncMachines);
    // start() lists the bundle's machines without a signal; the state change
    // that follows is the first chance to show them.
    m_connections << connect(session, &DebugSession::stateChanged, this, [this] {
        syncMachines();
        syncAvailability();
    });
    m_connections << connect(session, &DebugSession::serialReceived, this, &MachinePanel::onSerial);
    m_connections << connect(session, &DebugSession::finished, this, &MachinePanel::onFinished);
    m_connections << connect(session, &DebugSession::screenshotTaken, this,
        [this](const QString &machine, const QString &path) {
            if (MachineTab *t = tab(machine))
                t->showMessage(tr("Driver screenshot: %1").arg(path));
            Q_EMIT statusMessage(tr("Screenshot of %1 saved to %2").arg(machine, path));
        });
    syncMachines();
    // A panel made mid-run shows what the console printed so far.
    for (const MachineInfo &info : session->machines()) {
        const QByteArray bytes = session->serialData(info.name);
        if (!bytes.isEmpty())
            tab(info.name)->appendSerial(bytes);
    }
    syncAvailability();
}

DebugSession *MachinePanel::session() const
{
    return m_session;
}

MachineTab *MachinePanel::tab(const QString &machine) const
{
    for (int i = 0; i < count(); ++i) {
        auto *t = qobject_cast<MachineTab *>(widget(i));
        if (t && t->machineName() == machine)
            return t;
    }
    return nullptr;
}

FramebufferView *MachinePanel::screen(const QString &machine) const
{
    MachineTab *t = tab(machine);
    return t ? t->screen() : nullptr;
}

QTermWidget *MachinePanel::terminal(const QString &machine) const
{
    MachineTab *t = tab(machine);
    return t ? t->terminal() : nullptr;
}

SerialConsole *MachinePanel::console(const QString &machine) const
{
    MachineTab *t = tab(machine);
    return t ? t->console() : nullptr;
}

VncConnection *MachinePanel::vnc(const QString &machine) const
{
    MachineTab *t = tab(machine);
    return t ? t->vnc() : nullptr;
}

QStringList MachinePanel::machineNames() const
{
    QStringList names;
    for (int i = 0; i < count(); ++i) {
        if (auto *t = qobject_cast<MachineTab *>(widget(i)))
            names.append(t->machineName());
    }
    return names;
}

QString MachinePanel::screenshotDir() const
{
    const QString record = m_session ? m_session->runRecordDir() : QString();
    return record.isEmpty() ? DataPaths::stateDir() + QStringLiteral("/screenshots")
                            : record + QStringLiteral("/screenshots");
}

QString MachinePanel::saveScreenshot(const QString &machine)
{
    MachineTab *t = tab(machine);
    if (!t)
        return {};
    QString error;
    const QString path = t->saveScreenshot(screenshotDir(), &error);
    if (path.isEmpty()) {
        t->showMessage(tr("Screenshot failed: %1").arg(error));
        Q_EMIT statusMessage(tr("Screenshot of %1 failed: %2").arg(machine, error));
        return {};
    }
    t->showMessage(tr("Screenshot saved: %1").arg(path));
    Q_EMIT statusMessage(tr("Screenshot of %1 saved to %2").arg(machine, path));
    Q_EMIT screenshotSaved(machine, path);
    return path;
}

void MachinePanel::syncMachines()
{
    if (!m_session)
        return;
    const int before = count();
    const QList<MachineInfo> machines = m_session->machines();
    // A finished run's machines are gone with its driver (and their sockets
    // with its state directory), even when its last machine event is read
    // after the driver's exit.
    const bool ended = m_session->state() == DebugSession::State::Terminated;
    if (!machines.isEmpty()) {
        // Tabs of an earlier run's machines this test no longer has.
        for (int i = count() - 1; i >= 0; --i) {
            auto *t = qobject_cast<MachineTab *>(widget(i));
            const bool listed = t
                && std::any_of(machines.begin(), machines.end(),
                    [t](const MachineInfo &m) { return m.name == t->machineName(); });
            if (!listed) {
                removeTab(i);
                delete t;
            }
        }
    }
    for (const MachineInfo &info : machines) {
        MachineTab *t = tab(info.name);
        if (!t)
            t = addTab(info.name);
        const QString previous = t->state();
        t->setKind(info.kind.isEmpty() ? QStringLiteral("vm") : info.kind);
        const QString state = info.state.isEmpty() ? QStringLiteral("off") : info.state;
        t->setState(ended && MachineTab::isRunningState(state) ? QStringLiteral("off") : state);
        if (!info.vncSocket.isEmpty() && !ended)
            t->setVncSocket(info.vncSocket);
        if (MachineTab::isRunningState(previous) && !MachineTab::isRunningState(t->state()))
            t->appendNote(tr("--- %1: %2 ---").arg(info.name, t->state()));
    }
    if (count() != before)
        Q_EMIT machineCountChanged(count());
}

void MachinePanel::syncAvailability()
{
    const bool available = m_session
        && (m_session->state() == DebugSession::State::Running
            || m_session->state() == DebugSession::State::Stopped);
    for (int i = 0; i < count(); ++i) {
        if (auto *t = qobject_cast<MachineTab *>(widget(i)))
            t->setActionsAvailable(available);
    }
}

void MachinePanel::onSerial(const QString &machine, const QByteArray &bytes)
{
    MachineTab *t = tab(machine);
    if (!t) {
        syncMachines();
        t = tab(machine);
    }
    if (t)
        t->appendSerial(bytes);
}

void MachinePanel::onFinished()
{
    // The driver is gone and its VMs with it, whatever the last event said;
    // its state directory (and the VNC socket in it) goes too.
    for (int i = 0; i < count(); ++i) {
        auto *t = qobject_cast<MachineTab *>(widget(i));
        if (!t)
            continue;
        if (MachineTab::isRunningState(t->state()))
            t->setState(QStringLiteral("off"));
        t->setVncSocket({});
    }
    syncAvailability();
}

MachineTab *MachinePanel::addTab(const QString &machine)
{
    auto *t = new MachineTab(machine, this);
    QTabWidget::addTab(t, machine);
    updateTabIndicator(t);
    connect(t, &MachineTab::stateChanged, this, [this, t] { updateTabIndicator(t); });
    connect(t, &MachineTab::startRequested, this,
        [this](const QString &m) { runAction(m, QStringLiteral("start")); });
    connect(t, &MachineTab::shutdownRequested, this,
        [this](const QString &m) { runAction(m, QStringLiteral("shutdown")); });
    connect(t, &MachineTab::crashRequested, this,
        [this](const QString &m) { runAction(m, QStringLiteral("crash")); });
    connect(t, &MachineTab::driverScreenshotRequested, this,
        [this](const QString &m) { runAction(m, QStringLiteral("screenshot")); });
    connect(t, &MachineTab::screenshotRequested, this, &MachinePanel::saveScreenshot);
    connect(t, &MachineTab::codeInsertRequested, this, &MachinePanel::codeInsertRequested);
    connect(t, &MachineTab::referenceRequested, this, &MachinePanel::referenceRequested);

    QPointer<MachinePanel> panel(this);
    auto *input = new ConsoleInput(
        [panel, machine](const QString &text, std::function<void()> done) {
            if (!panel || !panel->m_session) {
                // Keys typed after the run ended go nowhere: say so.
                if (MachineTab *owner = panel ? panel->tab(machine) : nullptr)
                    owner->showMessage(tr("No test is running: keys typed here are not sent"));
                done();
                return;
            }
            panel->m_session->machineAction(machine, QStringLiteral("sendConsole"), text,
                [panel, machine, done](bool ok, const QString &error) {
                    if (!ok && panel) {
                        if (MachineTab *owner = panel->tab(machine))
                            owner->showMessage(
                                tr("Typing into the serial console failed: %1").arg(error));
                    }
                    done();
                });
        },
        t);
    connect(t, &MachineTab::consoleInput, input,
        [input](const QString &, const QByteArray &bytes) { input->append(bytes); });
    return t;
}

void MachinePanel::updateTabIndicator(MachineTab *t)
{
    const int index = indexOf(t);
    if (index < 0)
        return;
    setTabIcon(index, stateIcon(t->state()));
    setTabToolTip(index, tr("%1: %2").arg(t->machineName(), t->state()));
}

void MachinePanel::runAction(const QString &machine, const QString &action, const QString &text)
{
    if (!m_session)
        return;
    QPointer<MachinePanel> panel(this);
    m_session->machineAction(
        machine, action, text, [panel, machine, action](bool ok, const QString &error) {
            // Success shows itself: the state changes, screenshotTaken arrives.
            if (ok || !panel)
                return;
            const QString message = tr("%1 of %2 failed: %3").arg(action, machine, error);
            if (MachineTab *t = panel->tab(machine))
                t->showMessage(message);
            Q_EMIT panel->statusMessage(message);
        });
}

} // namespace nixtide
