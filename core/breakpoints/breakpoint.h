#pragma once

#include <QList>
#include <QString>

namespace nixtide {

// A breakpoint as the user asks for it: a 1-based line of a file, an
// optional Python condition, a hit count ("5", ">= 3", "% 2": stop from that
// hit on) and a log message ("x is {x}": print, do not stop). What the
// debugger answered lives next to it in BreakpointStore.
struct Breakpoint
{
    int line = 0;
    QString condition;
    QString hitCondition {};
    QString logMessage {};

    bool isPlain() const
    {
        return condition.isEmpty() && hitCondition.isEmpty() && logMessage.isEmpty();
    }

    bool operator==(const Breakpoint &) const = default;
};

using BreakpointList = QList<Breakpoint>;

} // namespace nixtide
