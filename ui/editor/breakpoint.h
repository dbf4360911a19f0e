#pragma once

#include <QList>
#include <QString>

namespace nixtide {

// A breakpoint as the editor shows it: a 1-based line of the file in the
// editor and an optional Python condition.
struct Breakpoint
{
    int line = 0;
    QString condition;

    bool operator==(const Breakpoint &) const = default;
};

using BreakpointList = QList<Breakpoint>;

} // namespace nixtide
