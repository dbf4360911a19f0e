#pragma once

#include "core/breakpoints/breakpoint.h"

#include <QHash>
#include <QObject>
#include <QPointer>

#include <optional>

namespace nixtide {

class BreakpointStore;
class ScriptEditor;

// The breakpoint markers of one ScriptEditor, drawn from a BreakpointStore:
// at the line the debugger set each breakpoint once it answered, else where
// it was asked for. Markers move with the text as it is edited; the store
// follows them (BreakpointStore::follow), so a change from elsewhere never
// puts a marker back on a line the text has left.
class BreakpointMarkers : public QObject
{
    Q_OBJECT

public:
    // Draws from a store of its own until setStore().
    explicit BreakpointMarkers(ScriptEditor *editor);

    void setStore(BreakpointStore *store);
    BreakpointStore *store() const { return m_store; }

    // What the markers show, with the lines they are on now (1-based).
    BreakpointList breakpoints() const;
    std::optional<Breakpoint> at(int line) const;
    QList<int> lines() const;

    // The editor's file changed: its breakpoints are another file's.
    void reload();

Q_SIGNALS:
    void changed();

private:
    void redraw();
    void follow();
    QString file() const;

    ScriptEditor *m_editor;
    BreakpointStore *m_ownStore;
    QPointer<BreakpointStore> m_store;
    QHash<int, int> m_handles; // marker handle -> the store's id
};

} // namespace nixtide
