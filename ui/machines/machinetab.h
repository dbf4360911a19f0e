#pragma once

#include <QWidget>

class QLabel;
class QSplitter;
class QToolBar;

namespace nixtide {

// One machine of the test: its screen above its serial console, and the
// machine actions. The screen and console widgets (ui/vnc, ui/terminal) are
// handed in; until then placeholders say what will appear.
class MachineTab : public QWidget
{
    Q_OBJECT

public:
    explicit MachineTab(const QString &name, QWidget *parent = nullptr);

    QString machineName() const { return m_name; }
    // Free text from the session ("off", "booting", "up", "crashed"…).
    void setState(const QString &state);
    QString state() const { return m_state; }

    // Takes ownership; replaces the placeholder.
    void setScreenWidget(QWidget *screen);
    void setConsoleWidget(QWidget *console);
    QWidget *screenWidget() const { return m_screen; }
    QWidget *consoleWidget() const { return m_console; }

    QToolBar *toolBar() const { return m_toolBar; }

Q_SIGNALS:
    void startRequested(const QString &machine);
    void shutdownRequested(const QString &machine);
    void crashRequested(const QString &machine);
    void screenshotRequested(const QString &machine);
    void stateChanged(const QString &state);

private:
    void replace(QWidget **slot, QWidget *widget);

    QString m_name;
    QString m_state;
    QToolBar *m_toolBar;
    QLabel *m_stateLabel;
    QSplitter *m_splitter;
    QWidget *m_screen;
    QWidget *m_console;
};

} // namespace nixtide
