#pragma once

#include <QByteArray>

namespace nixtide {

// Output a terminal cannot keep: when serial output arrives faster than the
// emulation takes it, the bytes still waiting may hold far more lines than
// the history and the screen together. Those lines would scroll out of the
// history before anyone could see them, so they need not go through the
// emulation at all.
//
// Skipping them leaves the terminal exactly as feeding them would, as long
// as the skipped lines and the lines after them are plain: text, CR LF line
// ends, carriage returns, tabs, backspaces, SGR (colours) and erase in line
// (CSI K). Then `keptLines` full lines fill the history and the screen by
// themselves wherever the cursor was, and only the colours in force carry
// over from the skipped part. Anything else (cursor movement, modes, a bare
// LF, which keeps the column) makes what follows depend on what came before,
// so nothing before it is skipped.
struct HistoryOverflow
{
    QByteArray bytes; // what to feed instead
    qsizetype skipped = 0; // bytes of the input left out
};

// `keptLines` must be at least the history's lines plus the screen's rows.
HistoryOverflow skipLinesBeyondHistory(const QByteArray &pending, qsizetype keptLines);

} // namespace nixtide
