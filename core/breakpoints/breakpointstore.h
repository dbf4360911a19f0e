#pragma once

#include "core/breakpoints/breakpoint.h"

#include <QHash>
#include <QObject>
#include <QVariantMap>

#include <optional>

namespace nixtide {

// One breakpoint in the store: what the user asked for and what the
// debugger answered.
struct StoredBreakpoint
{
    int id = 0; // the store's own, kept while the breakpoint lives (edits, moves)
    Breakpoint request; // request.line: where the user put it
    bool oneShot = false; // run to cursor's: dropped at the next stop, never shown
    bool verified = false;
    int actualLine = 0; // where the debugger set it; 0 before it answered
    QString message; // why the debugger refused it

    // Where it is drawn: where the debugger set it once it did (a blank or
    // comment line stops at the next statement), else where it was asked.
    int line() const { return verified && actualLine > 0 ? actualLine : request.line; }
};

// The one owner of every file's breakpoints (issue 14): the editors and the
// Breakpoints view observe it and edit through it, the window persists it,
// the debug session sends it to the debugger and writes the answers back.
// Files are keyed by absolute path.
class BreakpointStore : public QObject
{
    Q_OBJECT

public:
    explicit BreakpointStore(QObject *parent = nullptr);

    static QString key(const QString &path);

    QStringList files() const;
    // Every entry of the file, one-shots included, by line.
    QList<StoredBreakpoint> entries(const QString &path) const;
    // The user's breakpoints of the file as asked for, by line.
    BreakpointList breakpoints(const QString &path) const;
    std::optional<StoredBreakpoint> entry(const QString &path, int id) const;

    // The user's side. Lines are the ones shown (StoredBreakpoint::line()).
    // Replaces the user's breakpoints of the file; an entry still shown on
    // one of the lines keeps its id and the debugger's answer.
    void setBreakpoints(const QString &path, const BreakpointList &breakpoints);
    // Adds the breakpoint, or changes the one shown on its line (which keeps
    // the line it was asked for).
    void setBreakpoint(const QString &path, const Breakpoint &breakpoint);
    void removeBreakpoint(const QString &path, int line);
    // The editor's markers followed an edit of the text: id -> the line now
    // shown. Entries move with their answer; the debugger hears of it with
    // the next change, as the running script is the file as it was saved.
    void follow(const QString &path, const QHash<int, int> &shownLines);
    // Run to cursor: one one-shot entry at a time, in any file.
    void setOneShot(const QString &path, int line);
    void dropOneShots();

    // The debugger's side.
    void setAnswer(const QString &path, int id, bool verified, int line, const QString &message);
    // A new run: nothing is verified yet.
    void clearAnswers();

    // Settings: path -> "line<TAB>condition<TAB>hit count<TAB>log message"
    // strings (older settings: "line<TAB>condition"); one-shots not kept.
    QVariantMap save() const;
    void restore(const QVariantMap &saved);

Q_SIGNALS:
    // What the debugger is to be sent changed (not its answers).
    void requestsChanged(const QString &path);
    // Anything about the file's breakpoints changed: what observers draw.
    void breakpointsChanged(const QString &path);

private:
    StoredBreakpoint *shownAt(const QString &file, int line, bool oneShot);
    void changed(const QString &file, bool requests);

    QHash<QString, QList<StoredBreakpoint>> m_files;
    int m_nextId = 1;
};

} // namespace nixtide
