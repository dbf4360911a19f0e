#pragma once

#include <QImage>
#include <QRect>
#include <QWidget>

class QAction;
class QLabel;
class QScrollArea;
class QSplitter;
class QTermWidget;
class QToolBar;

namespace nixtide {

class FramebufferView;
class ElidedLabel;
class ScreenTextTool;
class SerialConsole;
class VncConnection;

// One machine of the test: its live screen (VNC) above its serial console,
// the machine actions and its state. A container (systemd-nspawn) has no
// framebuffer: its tab is the console and the state alone. Knows nothing of the debug session:
// MachinePanel feeds it facts and turns its requests into session calls.
class MachineTab : public QWidget
{
    Q_OBJECT

public:
    explicit MachineTab(const QString &name, QWidget *parent = nullptr);
    ~MachineTab() override;

    QString machineName() const { return m_name; }
    // The session's word: off, booting, up, shutdown, crashed.
    void setState(const QString &state);
    QString state() const { return m_state; }
    static bool isRunningState(const QString &state);
    // The session's word: vm or container. A container's tab has no screen
    // and no screen actions.
    void setKind(const QString &kind);
    QString kind() const { return m_kind; }
    bool hasScreen() const { return m_kind != QLatin1String("container"); }
    // Whether machine actions can be sent at all (a session is connected).
    void setActionsAvailable(bool available);

    // Opens the screen on QEMU's VNC socket (empty: closes it). The
    // connection waits for the socket and reconnects after a restart.
    void setVncSocket(const QString &path);
    void appendSerial(const QByteArray &bytes);
    void appendNote(const QString &text);

    // Saves the current screen as <dir>/<machine>-<n>.png (the first free
    // n from 1); returns the path, or empty with `error` set.
    QString saveScreenshot(const QString &dir, QString *error);
    // A line under the toolbar: where a screenshot went, why an action failed.
    void showMessage(const QString &text);
    QString message() const;

    FramebufferView *screen() const { return m_view; }
    VncConnection *vnc() const { return m_vnc; }
    QTermWidget *terminal() const;
    SerialConsole *console() const { return m_console; }
    QToolBar *toolBar() const { return m_toolBar; }
    QAction *startAction() const { return m_start; }
    QAction *shutdownAction() const { return m_shutdown; }
    QAction *crashAction() const { return m_crash; }
    QAction *screenshotAction() const { return m_screenshot; }
    QAction *oneToOneAction() const { return m_oneToOne; }
    QLabel *grabLabel() const { return m_grabLabel; }
    ScreenTextTool *textTool() const { return m_textTool; }

Q_SIGNALS:
    void startRequested(const QString &machine);
    void shutdownRequested(const QString &machine);
    void crashRequested(const QString &machine);
    // The Screenshot button: save what the view shows.
    void screenshotRequested(const QString &machine);
    // QEMU's own screendump through the driver, as machine.screenshot().
    void driverScreenshotRequested(const QString &machine);
    void consoleInput(const QString &machine, const QByteArray &bytes);
    void stateChanged(const QString &state);
    // Test script lines made from the screen, for the editor's cursor.
    void codeInsertRequested(const QString &machine, const QStringList &lines);
    // The screen to keep as a reference, all but `region` masked.
    void referenceRequested(const QString &machine, const QImage &screen, const QRect &region);

private:
    void updateActions();
    void updateGrabLabel(bool grabbed);
    void updateScreenSize();

    QString m_name;
    QString m_state;
    QString m_kind = QStringLiteral("vm");
    bool m_available = true;
    VncConnection *m_vnc;
    QToolBar *m_toolBar;
    QToolBar *m_codeBar; // reading text, code and references from the screen
    QAction *m_start;
    QAction *m_shutdown;
    QAction *m_crash;
    QAction *m_screenshot;
    QAction *m_driverScreenshot;
    QAction *m_oneToOne;
    QLabel *m_stateLabel;
    QLabel *m_grabLabel;
    QAction *m_grabAction;
    ElidedLabel *m_message;
    QSplitter *m_splitter;
    QScrollArea *m_screenArea;
    FramebufferView *m_view;
    SerialConsole *m_console;
    ScreenTextTool *m_textTool = nullptr;
};

} // namespace nixtide
