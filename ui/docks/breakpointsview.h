#pragma once

#include "ui/editor/breakpoint.h"

#include <QTreeWidget>

namespace nixtide {

// Every breakpoint of every open file; double-click jumps to it, Delete
// removes it.
class BreakpointsView : public QTreeWidget
{
    Q_OBJECT

public:
    explicit BreakpointsView(QWidget *parent = nullptr);

    // Replaces the rows of one file.
    void setBreakpoints(const QString &path, const BreakpointList &breakpoints);
    int breakpointCount() const { return topLevelItemCount(); }
    // What the debugger answered for one breakpoint: an empty reason when
    // it took it, else why it refused (shown on the row, in warning colour).
    void setRefusal(const QString &path, int line, const QString &reason);
    QString refusal(const QString &path, int line) const;

Q_SIGNALS:
    void breakpointActivated(const QString &path, int line);
    void removeRequested(const QString &path, int line);
};

} // namespace nixtide
