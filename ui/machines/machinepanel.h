#pragma once

#include <QImage>
#include <QPointer>
#include <QRect>
#include <QTabWidget>

class QTermWidget;

namespace nixtide {

class DebugSession;
class FramebufferView;
class MachineTab;
class SerialConsole;
class VncConnection;

// The machine tabs of a debug session: one MachineTab per machine the
// session reports, kept when the machine shuts down (its state shown), with
// a coloured dot in the tab for the state. Binds each tab to the session:
// screen on the machine's VNC socket, serial output into the console, keys
// typed into the console to ttyS0 (machineAction sendConsole), the actions
// (start, shutdown, crash, screenshots) to machineAction or the run record.
class MachinePanel : public QTabWidget
{
    Q_OBJECT

public:
    explicit MachinePanel(DebugSession *session, QWidget *parent = nullptr);
    ~MachinePanel() override;

    // A new run (nullptr: the run is over). The tabs stay, screens closed,
    // consoles with a separator line, until the new session lists its
    // machines; then tabs of machines it does not have go.
    void setSession(DebugSession *session);
    DebugSession *session() const;

    MachineTab *tab(const QString &machine) const;
    FramebufferView *screen(const QString &machine) const;
    QTermWidget *terminal(const QString &machine) const;
    SerialConsole *console(const QString &machine) const;
    VncConnection *vnc(const QString &machine) const;
    QStringList machineNames() const;

    // Where the Screenshot button saves: the run record's screenshots/
    // directory, or a temporary one when the run has no record.
    QString screenshotDir() const;
    // Saves the machine's screen there; the path, or empty (message shown).
    QString saveScreenshot(const QString &machine);

Q_SIGNALS:
    void machineCountChanged(int count);
    void screenshotSaved(const QString &machine, const QString &path);
    // One line for the status bar: a saved screenshot, a failed action.
    void statusMessage(const QString &text);
    // From a machine tab's screen tools (see ScreenTextTool).
    void codeInsertRequested(const QString &machine, const QStringList &lines);
    void referenceRequested(const QString &machine, const QImage &screen, const QRect &region);

private:
    void syncMachines();
    void syncAvailability();
    void onSerial(const QString &machine, const QByteArray &bytes);
    void onFinished();
    MachineTab *addTab(const QString &machine);
    void updateTabIndicator(MachineTab *tab);
    void runAction(const QString &machine, const QString &action, const QString &text = {});

    QPointer<DebugSession> m_session;
    QList<QMetaObject::Connection> m_connections;
};

} // namespace nixtide
