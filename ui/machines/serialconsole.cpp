#include "ui/machines/serialconsole.h"

#include "core/terminal/terminalscreen.h"
#include "ui/terminal/terminalview.h"

#include <QAction>
#include <QEvent>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QShortcut>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace nixtide {

namespace {

// Below these the guest's long boot lines become unreadable; the view
// scrolls horizontally never, so the screen is at least this wide.
constexpr int kMinColumns = 40;
constexpr int kMinRows = 4;

} // namespace

SerialConsole::SerialConsole(QWidget *parent)
    : QWidget(parent)
    , m_screen(new TerminalScreen(25, 80, this))
    , m_view(new TerminalView(this))
    , m_findBar(new QWidget(this))
    , m_findField(new QLineEdit(m_findBar))
{
    m_view->setScreen(m_screen);
    m_view->setFocusPolicy(Qt::StrongFocus);
    m_view->viewport()->installEventFilter(this);
    connect(m_screen, &TerminalScreen::outputReady, this, &SerialConsole::typed);

    m_findField->setPlaceholderText(tr("Find in serial console"));
    m_findField->setClearButtonEnabled(true);
    m_findField->installEventFilter(this);
    auto *previous = new QToolButton(m_findBar);
    previous->setText(tr("Previous"));
    auto *next = new QToolButton(m_findBar);
    next->setText(tr("Next"));
    auto *close = new QToolButton(m_findBar);
    close->setText(tr("Close"));
    connect(m_findField, &QLineEdit::returnPressed, this, [this] { findNext(); });
    connect(previous, &QToolButton::clicked, this, [this] { findNext(true); });
    connect(next, &QToolButton::clicked, this, [this] { findNext(); });
    connect(close, &QToolButton::clicked, this, [this] {
        m_findBar->hide();
        m_view->setFocus();
    });
    auto *findLayout = new QHBoxLayout(m_findBar);
    findLayout->setContentsMargins(4, 2, 4, 2);
    findLayout->addWidget(m_findField, 1);
    findLayout->addWidget(previous);
    findLayout->addWidget(next);
    findLayout->addWidget(close);
    m_findBar->hide();

    // Ctrl+Shift+F is no key a shell needs, so the console may take it.
    auto *find = new QShortcut(QKeySequence(tr("Ctrl+Shift+F")), this);
    find->setContext(Qt::WidgetWithChildrenShortcut);
    connect(find, &QShortcut::activated, this, &SerialConsole::showFind);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_findBar);
    setFocusProxy(m_view);
}

void SerialConsole::appendSerial(const QString &text)
{
    QByteArray bytes = text.toUtf8();
    // The console is a log of whole lines, kept across reboots: the
    // firmware's reset (SeaBIOS sends ESC c, autowrap off, clear screen at
    // every boot) would wipe what the last boot printed and cut long lines
    // at the right edge. Cursor-addressed programs cannot work over the
    // driver's line-by-line delivery anyway.
    for (const char *sequence : {"\x1b"
                                 "c",
             "\x1b[?7l", "\x1b[2J", "\x1b[3J"})
        bytes.replace(sequence, "");
    bytes.replace("\r\n", "\n");
    bytes.replace("\n", "\r\n");
    m_screen->feed(bytes);
}

void SerialConsole::appendNote(const QString &text)
{
    // Faint, then back to normal: SGR 2 / 22.
    m_screen->feed("\r\n\x1b[2m" + text.toUtf8() + "\x1b[22m\r\n");
}

void SerialConsole::showFind()
{
    m_findBar->show();
    m_findField->setFocus();
    m_findField->selectAll();
}

bool SerialConsole::findNext(bool backwards)
{
    const QString needle = m_findField->text();
    if (needle.isEmpty())
        return false;
    const bool found = m_view->findNext(needle, backwards);
    // Red text says "no match" without a dialog in the way.
    QPalette palette = m_findField->palette();
    palette.setColor(QPalette::Text, found ? QPalette().color(QPalette::Text) : QColor(Qt::red));
    m_findField->setPalette(palette);
    return found;
}

bool SerialConsole::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view->viewport() && event->type() == QEvent::Resize)
        fitScreenToView();
    if (watched == m_findField && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Escape) {
            m_findBar->hide();
            m_view->setFocus();
            return true;
        }
        if (key->key() == Qt::Key_Return && (key->modifiers() & Qt::ShiftModifier)) {
            findNext(true);
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void SerialConsole::fitScreenToView()
{
    // The serial lines come whole from the driver: let them wrap at the
    // width the user sees rather than at a fixed 80 columns.
    const QSize cell = m_view->cellSize();
    if (cell.isEmpty())
        return;
    const QSize area = m_view->viewport()->size();
    const int columns = std::max(kMinColumns, area.width() / cell.width());
    const int rows = std::max(kMinRows, area.height() / cell.height());
    if (columns != m_screen->columns() || rows != m_screen->rows())
        m_screen->resize(rows, columns);
}

} // namespace nixtide
