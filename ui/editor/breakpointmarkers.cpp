#include "ui/editor/breakpointmarkers.h"

#include "core/breakpoints/breakpointstore.h"
#include "ui/editor/scripteditor.h"

#include <algorithm>

namespace nixtide {

BreakpointMarkers::BreakpointMarkers(ScriptEditor *editor)
    : QObject(editor)
    , m_editor(editor)
    , m_ownStore(new BreakpointStore(this))
{
    setStore(m_ownStore);
    // Scintilla moves markers with the lines they are on.
    connect(editor, &QsciScintilla::linesChanged, this, &BreakpointMarkers::follow);
}

void BreakpointMarkers::setStore(BreakpointStore *store)
{
    if (m_store)
        disconnect(m_store, nullptr, this, nullptr);
    m_store = store ? store : m_ownStore;
    connect(m_store, &BreakpointStore::breakpointsChanged, this, [this](const QString &path) {
        if (path == file())
            redraw();
    });
    connect(m_store, &QObject::destroyed, this, [this] { setStore(m_ownStore); });
    redraw();
}

QString BreakpointMarkers::file() const
{
    return BreakpointStore::key(m_editor->filePath());
}

void BreakpointMarkers::reload()
{
    redraw();
}

BreakpointList BreakpointMarkers::breakpoints() const
{
    BreakpointList list;
    for (auto it = m_handles.cbegin(); it != m_handles.cend(); ++it) {
        const int line0 = m_editor->markerLine(it.key());
        if (line0 < 0)
            continue; // its line was deleted
        // Deleting lines can merge two markers onto one line: keep one.
        const bool seen = std::any_of(
            list.cbegin(), list.cend(), [&](const Breakpoint &b) { return b.line == line0 + 1; });
        const std::optional<StoredBreakpoint> entry = m_store->entry(file(), it.value());
        if (seen || !entry)
            continue;
        Breakpoint bp = entry->request;
        bp.line = line0 + 1;
        list.append(bp);
    }
    std::sort(list.begin(), list.end(),
        [](const Breakpoint &a, const Breakpoint &b) { return a.line < b.line; });
    return list;
}

std::optional<Breakpoint> BreakpointMarkers::at(int line) const
{
    for (const Breakpoint &bp : breakpoints()) {
        if (bp.line == line)
            return bp;
    }
    return std::nullopt;
}

QList<int> BreakpointMarkers::lines() const
{
    QList<int> out;
    for (const Breakpoint &bp : breakpoints())
        out.append(bp.line);
    return out;
}

void BreakpointMarkers::redraw()
{
    // What is drawn already stays: deleting and adding every marker on each
    // answer would make the margin flicker while a test runs.
    QHash<int, std::pair<int, bool>> wanted; // id -> 0-based line, plain
    for (const StoredBreakpoint &entry : m_store->entries(file())) {
        if (!entry.oneShot && entry.line() >= 1 && entry.line() <= m_editor->lines())
            wanted.insert(entry.id, {entry.line() - 1, entry.request.isPlain()});
    }
    bool same = wanted.size() == m_handles.size();
    for (auto it = m_handles.cbegin(); same && it != m_handles.cend(); ++it) {
        const auto want = wanted.constFind(it.value());
        const int marker = m_editor->markersAtLine(m_editor->markerLine(it.key()));
        same = want != wanted.cend() && m_editor->markerLine(it.key()) == want->first
            && (marker
                & (1u << (want->second ? ScriptEditor::BreakpointMarker
                                       : ScriptEditor::ConditionalBreakpointMarker)));
    }
    if (!same) {
        m_editor->markerDeleteAll(ScriptEditor::BreakpointMarker);
        m_editor->markerDeleteAll(ScriptEditor::ConditionalBreakpointMarker);
        m_handles.clear();
        for (auto it = wanted.cbegin(); it != wanted.cend(); ++it) {
            const int handle = m_editor->markerAdd(it->first,
                it->second ? ScriptEditor::BreakpointMarker
                           : ScriptEditor::ConditionalBreakpointMarker);
            if (handle >= 0)
                m_handles.insert(handle, it.key());
        }
    }
    Q_EMIT changed();
}

void BreakpointMarkers::follow()
{
    QHash<int, int> shown;
    for (auto it = m_handles.cbegin(); it != m_handles.cend(); ++it) {
        const int line0 = m_editor->markerLine(it.key());
        if (line0 >= 0)
            shown.insert(it.value(), line0 + 1);
    }
    m_store->follow(file(), shown);
}

} // namespace nixtide
