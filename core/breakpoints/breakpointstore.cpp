#include "core/breakpoints/breakpointstore.h"

#include <QFileInfo>

#include <algorithm>

namespace nixtide {

namespace {

void sortByLine(QList<StoredBreakpoint> &list)
{
    std::stable_sort(list.begin(), list.end(),
        [](const StoredBreakpoint &a, const StoredBreakpoint &b) { return a.line() < b.line(); });
}

Breakpoint trimmed(Breakpoint bp)
{
    bp.condition = bp.condition.trimmed();
    bp.hitCondition = bp.hitCondition.trimmed();
    return bp;
}

} // namespace

BreakpointStore::BreakpointStore(QObject *parent)
    : QObject(parent)
{ }

QString BreakpointStore::key(const QString &path)
{
    // An editor of no file (a scratch buffer) keeps its breakpoints under "".
    return path.isEmpty() ? QString() : QFileInfo(path).absoluteFilePath();
}

QStringList BreakpointStore::files() const
{
    QStringList out;
    for (auto it = m_files.cbegin(); it != m_files.cend(); ++it) {
        if (!it.value().isEmpty())
            out.append(it.key());
    }
    out.sort();
    return out;
}

QList<StoredBreakpoint> BreakpointStore::entries(const QString &path) const
{
    return m_files.value(key(path));
}

BreakpointList BreakpointStore::breakpoints(const QString &path) const
{
    BreakpointList out;
    for (const StoredBreakpoint &entry : m_files.value(key(path))) {
        if (!entry.oneShot)
            out.append(entry.request);
    }
    std::sort(out.begin(), out.end(),
        [](const Breakpoint &a, const Breakpoint &b) { return a.line < b.line; });
    return out;
}

std::optional<StoredBreakpoint> BreakpointStore::entry(const QString &path, int id) const
{
    for (const StoredBreakpoint &entry : m_files.value(key(path))) {
        if (entry.id == id)
            return entry;
    }
    return std::nullopt;
}

StoredBreakpoint *BreakpointStore::shownAt(const QString &file, int line, bool oneShot)
{
    auto it = m_files.find(file);
    if (it == m_files.end())
        return nullptr;
    for (StoredBreakpoint &entry : *it) {
        if (entry.oneShot == oneShot && entry.line() == line)
            return &entry;
    }
    return nullptr;
}

void BreakpointStore::changed(const QString &file, bool requests)
{
    sortByLine(m_files[file]);
    if (requests)
        Q_EMIT requestsChanged(file);
    Q_EMIT breakpointsChanged(file);
}

void BreakpointStore::setBreakpoints(const QString &path, const BreakpointList &breakpoints)
{
    const QString file = key(path);
    QList<StoredBreakpoint> &list = m_files[file];
    QList<StoredBreakpoint> next;
    for (const StoredBreakpoint &entry : std::as_const(list)) {
        if (entry.oneShot)
            next.append(entry);
    }
    for (const Breakpoint &bp : breakpoints) {
        if (bp.line < 1)
            continue;
        const bool taken = std::any_of(next.cbegin(), next.cend(),
            [&](const StoredBreakpoint &e) { return !e.oneShot && e.line() == bp.line; });
        if (taken)
            continue; // two on one line are one breakpoint
        StoredBreakpoint entry;
        const auto old = std::find_if(list.cbegin(), list.cend(),
            [&](const StoredBreakpoint &e) { return !e.oneShot && e.line() == bp.line; });
        if (old != list.cend()) {
            entry = *old;
            // Shown at its answered line, asked for at another: it stays asked there.
            const int asked = entry.request.line;
            entry.request = trimmed(bp);
            entry.request.line = asked;
        } else {
            entry.id = m_nextId++;
            entry.request = trimmed(bp);
        }
        next.append(entry);
    }
    const auto same = [](const QList<StoredBreakpoint> &a, const QList<StoredBreakpoint> &b) {
        return std::equal(a.cbegin(), a.cend(), b.cbegin(), b.cend(),
            [](const StoredBreakpoint &x, const StoredBreakpoint &y) {
                return x.id == y.id && x.request == y.request;
            });
    };
    sortByLine(next);
    if (same(list, next))
        return;
    list = next;
    changed(file, true);
}

void BreakpointStore::setBreakpoint(const QString &path, const Breakpoint &breakpoint)
{
    if (breakpoint.line < 1)
        return;
    const QString file = key(path);
    if (StoredBreakpoint *entry = shownAt(file, breakpoint.line, false)) {
        Breakpoint request = trimmed(breakpoint);
        request.line = entry->request.line;
        if (entry->request == request)
            return;
        entry->request = request;
    } else {
        StoredBreakpoint added;
        added.id = m_nextId++;
        added.request = trimmed(breakpoint);
        m_files[file].append(added);
    }
    changed(file, true);
}

void BreakpointStore::removeBreakpoint(const QString &path, int line)
{
    const QString file = key(path);
    auto it = m_files.find(file);
    if (it == m_files.end())
        return;
    if (it->removeIf([line](const StoredBreakpoint &e) { return !e.oneShot && e.line() == line; })
        > 0)
        changed(file, true);
}

void BreakpointStore::follow(const QString &path, const QHash<int, int> &shownLines)
{
    const QString file = key(path);
    auto it = m_files.find(file);
    if (it == m_files.end())
        return;
    bool moved = false;
    for (StoredBreakpoint &entry : *it) {
        const auto shown = shownLines.constFind(entry.id);
        if (shown == shownLines.cend() || *shown == entry.line() || *shown < 1)
            continue;
        const int delta = *shown - entry.line();
        entry.request.line += delta;
        if (entry.actualLine > 0)
            entry.actualLine += delta;
        moved = true;
    }
    if (moved)
        changed(file, false);
}

void BreakpointStore::setOneShot(const QString &path, int line)
{
    dropOneShots();
    if (line < 1)
        return;
    const QString file = key(path);
    StoredBreakpoint entry;
    entry.id = m_nextId++;
    entry.request.line = line;
    entry.oneShot = true;
    m_files[file].append(entry);
    changed(file, true);
}

void BreakpointStore::dropOneShots()
{
    // Observers may edit the store: signals go out after the walk.
    QStringList dropped;
    for (auto it = m_files.begin(); it != m_files.end(); ++it) {
        if (it->removeIf([](const StoredBreakpoint &e) { return e.oneShot; }) > 0)
            dropped.append(it.key());
    }
    for (const QString &file : std::as_const(dropped))
        changed(file, true);
}

void BreakpointStore::setAnswer(
    const QString &path, int id, bool verified, int line, const QString &message)
{
    const QString file = key(path);
    auto it = m_files.find(file);
    if (it == m_files.end())
        return;
    for (StoredBreakpoint &entry : *it) {
        if (entry.id != id)
            continue;
        const int actual = verified ? line : 0;
        // A refusal is shown by its reason: one without gets one.
        const QString reason = verified ? QString()
            : message.isEmpty()         ? QStringLiteral("the debugger refused it")
                                        : message;
        if (entry.verified == verified && entry.actualLine == actual && entry.message == reason)
            return;
        entry.verified = verified;
        entry.actualLine = actual;
        entry.message = reason;
        changed(file, false);
        return;
    }
}

void BreakpointStore::clearAnswers()
{
    QStringList cleared;
    for (auto it = m_files.begin(); it != m_files.end(); ++it) {
        bool any = false;
        for (StoredBreakpoint &entry : *it) {
            if (entry.verified || entry.actualLine > 0 || !entry.message.isEmpty()) {
                entry.verified = false;
                entry.actualLine = 0;
                entry.message.clear();
                any = true;
            }
        }
        if (any)
            cleared.append(it.key());
    }
    for (const QString &file : std::as_const(cleared))
        changed(file, false);
}

QVariantMap BreakpointStore::save() const
{
    QVariantMap out;
    for (auto it = m_files.cbegin(); it != m_files.cend(); ++it) {
        QStringList encoded;
        for (const StoredBreakpoint &entry : it.value()) {
            if (entry.oneShot)
                continue;
            const Breakpoint &bp = entry.request;
            encoded.append(
                QStringList {QString::number(bp.line), bp.condition, bp.hitCondition, bp.logMessage}
                    .join(u'\t'));
        }
        if (!encoded.isEmpty() && !it.key().isEmpty())
            out.insert(it.key(), encoded);
    }
    return out;
}

void BreakpointStore::restore(const QVariantMap &saved)
{
    for (auto it = saved.cbegin(); it != saved.cend(); ++it) {
        BreakpointList list;
        for (const QString &item : it.value().toStringList()) {
            const QStringList parts = item.split(u'\t');
            bool ok = false;
            const int line = parts.value(0).toInt(&ok);
            if (ok && line > 0)
                list.append({line, parts.value(1), parts.value(2), parts.value(3)});
        }
        setBreakpoints(it.key(), list);
    }
}

} // namespace nixtide
