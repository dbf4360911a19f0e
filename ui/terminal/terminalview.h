#pragma once

#include "core/terminal/terminalscreen.h"

#include <QAbstractScrollArea>
#include <QPointer>

namespace nixtide {

// Paints a TerminalScreen's cells (colours, bold, underline, reverse,
// cursor) with its scrollback behind a scroll bar, and turns keys into the
// screen's input. Mouse drag selects; Ctrl+Shift+C copies, Ctrl+Shift+V
// pastes; Shift+PageUp/PageDown scroll.
class TerminalView : public QAbstractScrollArea
{
    Q_OBJECT
public:
    explicit TerminalView(QWidget *parent = nullptr);

    // Not owned.
    void setScreen(TerminalScreen *screen);
    TerminalScreen *screen() const { return m_screen; }

    QSize cellSize() const { return m_cell; }
    // Top visible row: 0 when showing the live screen, negative in history.
    int topRow() const;
    void scrollToBottom();

    bool hasSelection() const { return m_hasSelection; }
    QString selectedText() const;
    void setSelection(QPoint from, QPoint to); // cells (x = column, y = row), inclusive
    void clearSelection();
    void copySelection() const;
    void paste();

    // Selects and shows the next match after the selection (or the cursor),
    // wrapping around at the end.
    bool findNext(
        const QString &text, bool backwards = false, Qt::CaseSensitivity cs = Qt::CaseInsensitive);

    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void changeEvent(QEvent *event) override;
    void focusInEvent(QFocusEvent *event) override;
    void focusOutEvent(QFocusEvent *event) override;
    bool focusNextPrevChild(bool next) override;
    void scrollContentsBy(int dx, int dy) override;

private:
    void onDamaged(int firstRow, int lastRow);
    void onScrollback(int delta);
    void onCursorMoved(QPoint cursor);
    void updateMetrics();
    void updateScrollRange();
    void updateRows(int firstRow, int lastRow);
    QPoint cellAt(const QPoint &viewportPos) const;
    bool isSelected(int row, int column) const;
    void paintRow(QPainter &painter, int row, int y);

    QPointer<TerminalScreen> m_screen;
    QList<QMetaObject::Connection> m_connections;
    QSize m_cell {8, 16};
    int m_ascent = 12;
    QPoint m_cursor;
    bool m_hasSelection = false;
    bool m_selecting = false;
    QPoint m_selectionAnchor; // cells: x = column, y = row
    QPoint m_selectionEnd;
};

} // namespace nixtide
