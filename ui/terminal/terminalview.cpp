#include "ui/terminal/terminalview.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QKeyEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QScrollBar>

#include <algorithm>

namespace nixtide {

TerminalView::TerminalView(QWidget *parent)
    : QAbstractScrollArea(parent)
{
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setFocusPolicy(Qt::StrongFocus);
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
    viewport()->setCursor(Qt::IBeamCursor);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    updateMetrics();
}

void TerminalView::setScreen(TerminalScreen *screen)
{
    for (const auto &c : std::as_const(m_connections))
        disconnect(c);
    m_connections.clear();
    m_screen = screen;
    clearSelection();
    if (screen) {
        m_connections << connect(screen, &TerminalScreen::damaged, this, &TerminalView::onDamaged);
        m_connections << connect(
            screen, &TerminalScreen::scrollbackChanged, this, &TerminalView::onScrollback);
        m_connections << connect(
            screen, &TerminalScreen::cursorMoved, this, &TerminalView::onCursorMoved);
        m_cursor = screen->cursor();
    }
    updateScrollRange();
    scrollToBottom();
    viewport()->update();
}

int TerminalView::topRow() const
{
    return verticalScrollBar()->value();
}

void TerminalView::scrollToBottom()
{
    verticalScrollBar()->setValue(0);
}

void TerminalView::updateMetrics()
{
    const QFontMetrics fm(font());
    m_cell = QSize(std::max(1, fm.horizontalAdvance(QLatin1Char('M'))), std::max(1, fm.height()));
    m_ascent = fm.ascent();
    verticalScrollBar()->setSingleStep(1);
    updateScrollRange();
    updateGeometry();
}

void TerminalView::updateScrollRange()
{
    QScrollBar *bar = verticalScrollBar();
    const int history = m_screen ? m_screen->scrollbackLines() : 0;
    bar->setRange(-history, 0);
    bar->setPageStep(std::max(1, viewport()->height() / m_cell.height()));
}

QSize TerminalView::sizeHint() const
{
    const int rows = m_screen ? m_screen->rows() : 25;
    const int cols = m_screen ? m_screen->columns() : 80;
    return {cols * m_cell.width() + verticalScrollBar()->sizeHint().width() + 2 * frameWidth(),
        rows * m_cell.height() + 2 * frameWidth()};
}

void TerminalView::onScrollback(int delta)
{
    QScrollBar *bar = verticalScrollBar();
    const bool following = bar->value() == 0;
    const int value = bar->value();
    updateScrollRange();
    // Reading history: keep the same lines in view while new ones arrive.
    if (!following)
        bar->setValue(value - delta);
    viewport()->update();
}

void TerminalView::onDamaged(int firstRow, int lastRow)
{
    updateRows(firstRow, lastRow);
}

void TerminalView::onCursorMoved(QPoint cursor)
{
    updateRows(m_cursor.y(), m_cursor.y());
    m_cursor = cursor;
    updateRows(cursor.y(), cursor.y());
}

void TerminalView::updateRows(int firstRow, int lastRow)
{
    const int top = topRow();
    const int y0 = (firstRow - top) * m_cell.height();
    const int y1 = (lastRow - top + 1) * m_cell.height();
    const QRect band(0, y0, viewport()->width(), y1 - y0);
    const QRect visible = band & viewport()->rect();
    if (!visible.isEmpty())
        viewport()->update(visible);
}

void TerminalView::scrollContentsBy(int, int)
{
    viewport()->update();
}

void TerminalView::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    updateScrollRange();
}

void TerminalView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::FontChange)
        updateMetrics();
    QAbstractScrollArea::changeEvent(event);
}

void TerminalView::paintEvent(QPaintEvent *event)
{
    QPainter painter(viewport());
    const QColor background = m_screen ? m_screen->defaultBackground() : QColor(Qt::black);
    if (!m_screen) {
        painter.fillRect(event->rect(), background);
        return;
    }
    painter.setFont(font());
    const int top = topRow();
    const int firstVisible = event->rect().top() / m_cell.height();
    const int lastVisible = event->rect().bottom() / m_cell.height();
    for (int i = firstVisible; i <= lastVisible; ++i) {
        const int row = top + i;
        const int y = i * m_cell.height();
        if (row >= m_screen->rows()) {
            painter.fillRect(QRect(0, y, viewport()->width(), m_cell.height()), background);
            continue;
        }
        paintRow(painter, row, y);
    }
    // Right margin beyond the last column.
    const int right = m_screen->columns() * m_cell.width();
    if (right < viewport()->width())
        painter.fillRect(
            QRect(right, event->rect().top(), viewport()->width() - right, event->rect().height()),
            background);
}

void TerminalView::paintRow(QPainter &painter, int row, int y)
{
    const int columns = m_screen->columns();
    const bool cursorRow = row == m_cursor.y() && m_screen->cursorVisible() && topRow() <= row;
    // Cells are drawn in runs of equal attributes: one fillRect and one
    // drawText per run instead of per cell.
    int col = 0;
    while (col < columns) {
        const TerminalCell first = m_screen->cell(row, col);
        const bool selected = isSelected(row, col);
        const bool cursorHere = cursorRow && col == m_cursor.x();
        QString text;
        int end = col;
        while (end < columns) {
            const TerminalCell c = end == col ? first : m_screen->cell(row, end);
            if (end != col
                && (c.fg != first.fg || c.bg != first.bg || c.flags != first.flags
                    || isSelected(row, end) != selected || (cursorRow && end == m_cursor.x())))
                break;
            if (c.width != 0)
                text += c.text();
            ++end;
            if (cursorHere)
                break; // the cursor cell is a run of its own
        }
        QColor fg = QColor::fromRgb(first.fg);
        QColor bg = QColor::fromRgb(first.bg);
        if (first.reverse() != selected)
            std::swap(fg, bg);
        if (cursorHere && hasFocus())
            std::swap(fg, bg);
        const QRect rect(col * m_cell.width(), y, (end - col) * m_cell.width(), m_cell.height());
        painter.fillRect(rect, bg);
        if (!text.trimmed().isEmpty()) {
            QFont f = font();
            f.setBold(first.bold());
            f.setItalic(first.italic());
            f.setUnderline(first.underline());
            f.setStrikeOut(first.has(TerminalCell::Strike));
            painter.setFont(f);
            painter.setPen(fg);
            painter.drawText(rect.left(), y + m_ascent, text);
        }
        if (cursorHere && !hasFocus()) {
            painter.setPen(QColor::fromRgb(first.fg));
            painter.setBrush(Qt::NoBrush);
            painter.drawRect(rect.adjusted(0, 0, -1, -1));
        }
        col = end;
    }
}

QPoint TerminalView::cellAt(const QPoint &pos) const
{
    const int columns = m_screen ? m_screen->columns() : 1;
    const int rows = m_screen ? m_screen->rows() : 1;
    return {std::clamp(pos.x() / m_cell.width(), 0, columns - 1),
        std::min(topRow() + std::max(0, pos.y()) / m_cell.height(), rows - 1)};
}

bool TerminalView::isSelected(int row, int column) const
{
    if (!m_hasSelection)
        return false;
    QPoint a = m_selectionAnchor;
    QPoint b = m_selectionEnd;
    if (b.y() < a.y() || (b.y() == a.y() && b.x() < a.x()))
        std::swap(a, b);
    if (row < a.y() || row > b.y())
        return false;
    if (row == a.y() && column < a.x())
        return false;
    if (row == b.y() && column > b.x())
        return false;
    return true;
}

void TerminalView::setSelection(QPoint from, QPoint to)
{
    m_selectionAnchor = from;
    m_selectionEnd = to;
    m_hasSelection = true;
    viewport()->update();
}

void TerminalView::clearSelection()
{
    if (!m_hasSelection)
        return;
    m_hasSelection = false;
    viewport()->update();
}

QString TerminalView::selectedText() const
{
    if (!m_hasSelection || !m_screen)
        return {};
    return m_screen->text(m_selectionAnchor, m_selectionEnd);
}

void TerminalView::copySelection() const
{
    if (m_hasSelection)
        QApplication::clipboard()->setText(selectedText());
}

void TerminalView::paste()
{
    if (m_screen) {
        m_screen->sendText(QApplication::clipboard()->text());
        scrollToBottom();
    }
}

bool TerminalView::findNext(const QString &text, bool backwards, Qt::CaseSensitivity cs)
{
    if (!m_screen || text.isEmpty())
        return false;
    QPoint from = m_hasSelection ? m_selectionAnchor : QPoint(m_cursor.x(), m_cursor.y());
    if (m_hasSelection && m_selectionEnd.y() < from.y())
        from = m_selectionEnd;
    auto match = m_screen->find(text, from, backwards, cs);
    if (!match) {
        // Wrap around, as editors' find does.
        const QPoint edge = backwards ? QPoint(m_screen->columns(), m_screen->rows() - 1)
                                      : QPoint(-1, -m_screen->scrollbackLines());
        match = m_screen->find(text, edge, backwards, cs);
    }
    if (!match)
        return false;
    setSelection(
        QPoint(match->column, match->row), QPoint(match->column + match->length - 1, match->row));
    const int visibleRows = std::max(1, viewport()->height() / m_cell.height());
    if (match->row < topRow() || match->row >= topRow() + visibleRows)
        verticalScrollBar()->setValue(std::min(0, match->row - visibleRows / 2));
    return true;
}

void TerminalView::keyPressEvent(QKeyEvent *event)
{
    const auto mods = event->modifiers();
    const bool ctrlShift = (mods & Qt::ControlModifier) && (mods & Qt::ShiftModifier);
    if (ctrlShift && event->key() == Qt::Key_C) {
        copySelection();
        return;
    }
    if (ctrlShift && event->key() == Qt::Key_V) {
        paste();
        return;
    }
    if (mods == Qt::ShiftModifier
        && (event->key() == Qt::Key_PageUp || event->key() == Qt::Key_PageDown)) {
        QScrollBar *bar = verticalScrollBar();
        bar->setValue(
            bar->value() + (event->key() == Qt::Key_PageUp ? -bar->pageStep() : bar->pageStep()));
        return;
    }
    if (!m_screen)
        return;
    m_screen->sendKey(event->key(), mods, event->text());
    scrollToBottom();
}

void TerminalView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QAbstractScrollArea::mousePressEvent(event);
        return;
    }
    setFocus(Qt::MouseFocusReason);
    clearSelection();
    m_selecting = true;
    m_selectionAnchor = m_selectionEnd = cellAt(event->position().toPoint());
}

void TerminalView::mouseMoveEvent(QMouseEvent *event)
{
    if (!m_selecting)
        return;
    m_selectionEnd = cellAt(event->position().toPoint());
    m_hasSelection = true;
    viewport()->update();
}

void TerminalView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || !m_selecting)
        return;
    m_selecting = false;
    // X11 convention: a selection is available for middle-click paste.
    QClipboard *clipboard = QApplication::clipboard();
    if (m_hasSelection && clipboard->supportsSelection())
        clipboard->setText(selectedText(), QClipboard::Selection);
}

void TerminalView::focusInEvent(QFocusEvent *event)
{
    updateRows(m_cursor.y(), m_cursor.y());
    QAbstractScrollArea::focusInEvent(event);
}

void TerminalView::focusOutEvent(QFocusEvent *event)
{
    updateRows(m_cursor.y(), m_cursor.y());
    QAbstractScrollArea::focusOutEvent(event);
}

bool TerminalView::focusNextPrevChild(bool)
{
    return false; // Tab is for the shell's completion
}

} // namespace nixtide
