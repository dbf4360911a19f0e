#pragma once

#include "core/breakpoints/breakpoint.h"

#include <QTreeWidget>

namespace nixtide {

class BreakpointStore;

// Every breakpoint of every file; activating the location jumps to it,
// Delete removes it. Condition, hit count and log message are edited in
// place (double-click or F2 on the cell). With a store it shows the store's
// breakpoints where the debugger set them, its refusals, and edits them
// there.
class BreakpointsView : public QTreeWidget
{
    Q_OBJECT

public:
    explicit BreakpointsView(QWidget *parent = nullptr);

    void setStore(BreakpointStore *store);

    // Replaces the rows of one file.
    void setBreakpoints(const QString &path, const BreakpointList &breakpoints);
    int breakpointCount() const { return topLevelItemCount(); }
    // What the debugger answered for one breakpoint: an empty reason when
    // it took it, else why it refused (shown on the row, in warning colour).
    void setRefusal(const QString &path, int line, const QString &reason);
    QString refusal(const QString &path, int line) const;

    enum Column { LocationColumn, ConditionColumn, HitsColumn, LogColumn, ProblemColumn };

Q_SIGNALS:
    void breakpointActivated(const QString &path, int line);
    void removeRequested(const QString &path, int line);
    // A cell was edited: the breakpoint as it is to be now.
    void editRequested(const QString &path, const nixtide::Breakpoint &breakpoint);

private:
    void showFile(const QString &path);

    BreakpointStore *m_store = nullptr;
    bool m_filling = false; // rows being made: their changes are not edits
};

} // namespace nixtide
