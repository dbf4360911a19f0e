#pragma once

#include <QWidget>

class QLineEdit;
class QToolButton;

namespace nixtide {

class TerminalScreen;
class TerminalView;

// A machine's serial console: a TerminalView over a TerminalScreen fed with
// what the driver read from ttyS0, a find bar (Ctrl+Shift+F) and the keys
// typed into it, which come out of typed() for the owner to send to the VM.
class SerialConsole : public QWidget
{
    Q_OBJECT
public:
    explicit SerialConsole(QWidget *parent = nullptr);

    // The driver delivers whole lines ending in "\n"; the terminal needs
    // "\r\n" to return to the first column. Terminal resets and screen
    // clears are dropped: the console keeps every boot's lines.
    void appendSerial(const QString &text);
    // A line of our own (a new run, the VM went away), dimmed.
    void appendNote(const QString &text);

    TerminalScreen *screen() const { return m_screen; }
    TerminalView *view() const { return m_view; }
    QLineEdit *findField() const { return m_findField; }

    void showFind();
    bool findNext(bool backwards = false);

Q_SIGNALS:
    void typed(const QByteArray &bytes);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void fitScreenToView();

    TerminalScreen *m_screen;
    TerminalView *m_view;
    QWidget *m_findBar;
    QLineEdit *m_findField;
};

} // namespace nixtide
