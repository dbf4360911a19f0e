#pragma once

#include <QByteArray>

namespace nixtide {

// Output a terminal cannot keep: when serial output arrives faster than the
// emulation takes it, the bytes still waiting may hold far more lines than
// the history and the screen together. Those lines would scroll out of the
// history before anyone could see them, so they need not go through the
// emulation at all.
//
// Skipping them leaves the terminal as feeding them would, as long as the
// skipped lines and the lines after them are plain: text, CR LF line ends,
// carriage returns, tabs, backspaces, SGR (colours) and erase in line
// (CSI K). Up to kSkipRowsMargin line ends stand in for the skipped lines,
// so the kept lines start on a fresh bottom row as they did, and only the
// colours in force carry over. Every line that could differ (what the
// screen held before, the first kept lines written over it) then lies
// beyond the history. Anything else (cursor movement, modes, strings such
// as a title, a bare LF, which keeps the column) makes what follows depend
// on what came before, so nothing before it is skipped. One case is not
// told apart: a scroll region left set with the cursor below it, where LF
// does not scroll.
struct HistoryOverflow
{
    QByteArray bytes; // what to feed instead
    qsizetype skipped = 0; // bytes of the input left out
};

// Screens of up to half this many rows.
constexpr qsizetype kSkipRowsMargin = 1024;

// `keptLines` must be at least the history's lines plus kSkipRowsMargin.
HistoryOverflow skipLinesBeyondHistory(const QByteArray &pending, qsizetype keptLines);

} // namespace nixtide
