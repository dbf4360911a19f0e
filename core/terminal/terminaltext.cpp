// Text views of a TerminalScreen: line text, selections and search. Kept
// apart from the libvterm plumbing in terminalscreen.cpp.
#include "core/terminal/terminalscreen.h"

#include <algorithm>

namespace nixtide {

QString TerminalScreen::rowString(int row, std::vector<int> *columns) const
{
    QString s;
    s.reserve(m_columns);
    const int width = row >= 0
        ? m_columns
        : std::max(m_columns,
            scrollbackLines() + row >= 0 ? static_cast<int>(
                m_scrollback.at(static_cast<std::size_t>(scrollbackLines() + row)).size())
                                         : 0);
    for (int col = 0; col < width; ++col) {
        const TerminalCell c = cell(row, col);
        if (c.width == 0)
            continue; // right half of a wide character
        const char32_t ch = c.ch == 0 ? U' ' : c.ch;
        const QString piece = QString::fromUcs4(&ch, 1);
        s += piece;
        if (columns)
            columns->insert(columns->end(), static_cast<std::size_t>(piece.size()), col);
    }
    return s;
}

QString TerminalScreen::lineText(int row) const
{
    QString s = rowString(row, nullptr);
    qsizetype end = s.size();
    while (end > 0 && s.at(end - 1) == QLatin1Char(' '))
        --end;
    s.truncate(end);
    return s;
}

QString TerminalScreen::text(QPoint from, QPoint to) const
{
    if (to.y() < from.y() || (to.y() == from.y() && to.x() < from.x()))
        std::swap(from, to);
    const int firstRow = std::max(from.y(), -scrollbackLines());
    const int lastRow = std::min(to.y(), m_rows - 1);
    QStringList lines;
    for (int row = firstRow; row <= lastRow; ++row) {
        std::vector<int> columns;
        const QString s = rowString(row, &columns);
        const int startCol = row == from.y() ? from.x() : 0;
        const int endCol = row == to.y() ? to.x() : INT_MAX;
        QString piece;
        for (qsizetype i = 0; i < s.size(); ++i) {
            const int col = columns[static_cast<std::size_t>(i)];
            if (col >= startCol && col <= endCol)
                piece += s.at(i);
        }
        qsizetype end = piece.size();
        while (end > 0 && piece.at(end - 1) == QLatin1Char(' '))
            --end;
        piece.truncate(end);
        lines << piece;
    }
    return lines.join(QLatin1Char('\n'));
}

std::optional<TerminalScreen::Match> TerminalScreen::find(
    const QString &needle, QPoint from, bool backwards, Qt::CaseSensitivity cs) const
{
    if (needle.isEmpty())
        return std::nullopt;
    const int top = -scrollbackLines();
    const int bottom = m_rows - 1;
    const int step = backwards ? -1 : 1;
    for (int row = std::clamp(from.y(), top, bottom); row >= top && row <= bottom; row += step) {
        std::vector<int> columns;
        const QString s = rowString(row, &columns);
        qsizetype at = -1;
        if (!backwards) {
            qsizetype start = 0;
            if (row == from.y()) {
                // First unit whose column lies after `from`.
                start
                    = std::upper_bound(columns.begin(), columns.end(), from.x()) - columns.begin();
            }
            at = start < s.size() ? s.indexOf(needle, start, cs) : -1;
        } else {
            qsizetype start = s.size() - 1;
            if (row == from.y()) {
                start = std::lower_bound(columns.begin(), columns.end(), from.x()) - columns.begin()
                    - 1;
            }
            at = start >= 0 ? s.lastIndexOf(needle, start, cs) : -1;
        }
        if (at >= 0) {
            const int col = columns[static_cast<std::size_t>(at)];
            const int endCol = columns[static_cast<std::size_t>(at + needle.size() - 1)];
            return Match {row, col, endCol - col + 1};
        }
    }
    return std::nullopt;
}

} // namespace nixtide
