#include "ui/machines/serialconsole.h"

#include "ui/machines/consolecolorscheme.h"
#include "ui/machines/emulationfeed.h"
#include "ui/machines/historyoverflow.h"
#include "ui/machines/scrollbackkeeper.h"
#include "ui/machines/teletypewriter.h"

#include <QAction>
#include <QBuffer>
#include <QContextMenuEvent>
#include <QEvent>
#include <QFontDatabase>
#include <QLineEdit>
#include <QMenu>
#include <QVBoxLayout>
#include <qtermwidget.h>
#include <qtermwidget_version.h>

#include <termios.h>

namespace nixtide {

namespace {

// Lines of scrollback: a boot is one or two thousand, so this keeps several
// runs. QTermWidget keeps its history in memory and its cost per byte grows
// with it: 50000 lines took about twice the CPU per byte of 5000; with 10000
// the whole bench process peaked at 61 MiB (bench/terminal, 2026-11-30).
constexpr int kHistoryLines = 10000;

// Output that cannot be skipped waits up to this much, about one to two
// seconds of the emulation's work, before the oldest half is dropped.
constexpr qsizetype kMaxPendingBytes = 32 * 1024 * 1024;

} // namespace

SerialConsole::SerialConsole(QWidget *parent)
    : QWidget(parent)
    , m_terminal(new QTermWidget(0, this))
    , m_keeper(std::make_unique<ScrollbackKeeper>())
{
    m_terminal->setHistorySize(kHistoryLines);
    m_terminal->setScrollBarPosition(QTermWidget::ScrollBarRight);
    m_terminal->setTerminalFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_terminal->setFlowControlEnabled(false);
    m_terminal->startTerminalTeletype();
    m_feed = EmulationFeed::attach(m_terminal);
    if (m_feed) {
        m_feed->setKeptLines(kHistoryLines + kSkipRowsMargin);
        m_feed->setOverflowLimit(kMaxPendingBytes,
            tr("nixtide: %1 of serial output not shown, the console fell behind; the run "
               "record's serial log has every byte"));
    } else {
        qWarning("serial console: QTermWidget %d.%d.%d has no session slot "
                 "onReceiveBlock(const char*,int): output goes through its pty, at about a "
                 "third more CPU time",
            QTERMWIDGET_VERSION_MAJOR, QTERMWIDGET_VERSION_MINOR, QTERMWIDGET_VERSION_PATCH);
        // The terminal reads its pty's master end; QTermWidget 2.1 hands
        // out only the slave end, and bytes written there show on its
        // screen. Output processing off, so every byte arrives as the guest
        // sent it: the guest's own tty already turned its line ends into
        // CR LF.
        const int slave = m_terminal->getPtySlaveFd();
        termios attributes {};
        if (tcgetattr(slave, &attributes) == 0) {
            attributes.c_oflag &= ~tcflag_t(OPOST);
            tcsetattr(slave, TCSANOW, &attributes);
        }
        m_writer = std::make_unique<TeletypeWriter>(slave);
    }
    connect(m_terminal, &QTermWidget::sendData, this, [this](const char *bytes, int size) {
        if (m_inputEnabled)
            Q_EMIT typed(QByteArray(bytes, size));
    });

    // Ctrl+C and Ctrl+V belong to the guest's shell; the Shift variants
    // are no keys a shell needs.
    m_copy = new QAction(tr("Copy"), this);
    m_copy->setShortcut(QKeySequence(tr("Ctrl+Shift+C")));
    m_copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_copy, &QAction::triggered, m_terminal, &QTermWidget::copyClipboard);
    auto *paste = new QAction(tr("Paste"), this);
    paste->setShortcut(QKeySequence(tr("Ctrl+Shift+V")));
    paste->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(paste, &QAction::triggered, m_terminal, &QTermWidget::pasteClipboard);
    auto *find = new QAction(tr("Find"), this);
    find->setShortcut(QKeySequence(tr("Ctrl+Shift+F")));
    find->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(find, &QAction::triggered, this, &SerialConsole::showFind);
    addActions({m_copy, paste, find});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_terminal);
    setFocusProxy(m_terminal);
    applyPalette();
}

SerialConsole::~SerialConsole() = default;

void SerialConsole::appendSerial(const QByteArray &bytes)
{
    write(m_keeper->filter(bytes, m_terminal->screenLinesCount()));
}

void SerialConsole::appendNote(const QString &text)
{
    // Faint, then back to normal: SGR 2 / 22.
    write("\r\n\x1b[2m" + text.toUtf8() + "\x1b[22m\r\n");
}

void SerialConsole::write(const QByteArray &bytes)
{
    if (m_feed)
        m_feed->write(bytes);
    else
        m_writer->write(bytes);
}

QWidget *SerialConsole::keyTarget() const
{
    return m_terminal->focusProxy() ? m_terminal->focusProxy() : m_terminal;
}

QString SerialConsole::text() const
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    m_terminal->saveHistory(&buffer);
    return QString::fromUtf8(buffer.data());
}

qsizetype SerialConsole::pendingBytes() const
{
    return m_feed ? m_feed->pendingBytes() : m_writer->pendingBytes();
}

qsizetype SerialConsole::skippedBytes() const
{
    return m_feed ? m_feed->skippedBytes() : 0;
}

qsizetype SerialConsole::droppedBytes() const
{
    return m_feed ? m_feed->droppedBytes() : 0;
}

QLineEdit *SerialConsole::findField() const
{
    return m_terminal->findChild<QLineEdit *>(QStringLiteral("searchTextEdit"));
}

void SerialConsole::showFind()
{
    QLineEdit *field = findField();
    if (field && !field->isVisible())
        m_terminal->toggleShowSearchBar();
    if (field) {
        field->setFocus();
        field->selectAll();
    }
}

void SerialConsole::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
    QWidget::changeEvent(event);
}

void SerialConsole::contextMenuEvent(QContextMenuEvent *event)
{
    m_copy->setEnabled(!m_terminal->selectedText().isEmpty());
    auto *menu = new QMenu(this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->addActions(actions());
    // popup(), not exec(): no nested event loop while serial bytes arrive.
    menu->popup(event->globalPos());
    connect(menu, &QMenu::aboutToHide, this, [this] { m_copy->setEnabled(true); });
}

void SerialConsole::applyPalette()
{
    const QString scheme = consoleColorSchemeFile(palette());
    if (!scheme.isEmpty())
        m_terminal->setColorScheme(scheme);
}

} // namespace nixtide
