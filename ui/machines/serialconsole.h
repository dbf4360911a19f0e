#pragma once

#include <QWidget>

#include <memory>

class QLineEdit;
class QTermWidget;

namespace nixtide {

class EmulationFeed;
class ScrollbackKeeper;
class TeletypeWriter;

// A machine's serial console: a QTermWidget in teletype mode (no local
// process) fed with the bytes QEMU's ttyS0 wrote, as they arrive, straight
// into its emulation (through its pty with a QTermWidget unlike 2.1's). Keys typed into it come out
// of typed() for the owner to send to the VM. Selection (copied with Ctrl+Shift+C or the context
// menu, or the mouse's primary selection), QTermWidget's search bar (Ctrl+Shift+F), scrollback, and
// colours following the application's palette.
class SerialConsole : public QWidget
{
    Q_OBJECT
public:
    explicit SerialConsole(QWidget *parent = nullptr);
    ~SerialConsole() override;

    // Bytes as the guest wrote them (chunks may split lines, sequences and
    // characters). Resets and clears keep the earlier boots' lines.
    void appendSerial(const QByteArray &bytes);
    // A line of our own (a new run, the VM went away), dimmed.
    void appendNote(const QString &text);

    QTermWidget *terminal() const { return m_terminal; }
    // The widget that takes the keys (QTermWidget's display).
    QWidget *keyTarget() const;
    // What the console holds, scrollback and screen, one line per row.
    QString text() const;
    // Bytes handed over but not yet in the terminal.
    qsizetype pendingBytes() const;
    // Output that outran the terminal and would only have scrolled out of
    // its history (EmulationFeed::setKeptLines).
    qsizetype skippedBytes() const;
    // Bytes not shown because the console fell behind by more than it keeps
    // waiting (EmulationFeed::setOverflowLimit).
    qsizetype droppedBytes() const;
    QLineEdit *findField() const;

    void showFind();
    // A machine that is off reads nothing: typing is dropped, not queued
    // for a console that will never answer.
    void setInputEnabled(bool enabled) { m_inputEnabled = enabled; }
    bool isInputEnabled() const { return m_inputEnabled; }

Q_SIGNALS:
    void typed(const QByteArray &bytes);

protected:
    void changeEvent(QEvent *event) override;
    // QTermWidget shows no menu of its own; a right click on it ends here.
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    void applyPalette();
    void write(const QByteArray &bytes);

    QTermWidget *m_terminal;
    QAction *m_copy;
    bool m_inputEnabled = true;
    std::unique_ptr<ScrollbackKeeper> m_keeper;
    // Destroyed before the terminal (a child), which they feed; one of
    // them is set.
    std::unique_ptr<EmulationFeed> m_feed;
    std::unique_ptr<TeletypeWriter> m_writer;
};

} // namespace nixtide
