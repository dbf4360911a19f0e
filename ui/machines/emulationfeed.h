#pragma once

#include "ui/machines/paintthrottle.h"

#include <QByteArray>
#include <QMetaMethod>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <deque>
#include <memory>

class QTermWidget;

namespace nixtide {

// Hands a QTermWidget's output straight to its emulation, as its own pty
// reader would, without the round trip through the kernel's pty: that hop
// cut the bytes into blocks of at most 4095 and woke a kernel worker several
// times per block, often on the other CPU, which cost a quarter to a third
// more CPU time per byte (bench/terminal, 2026-11-30). Bytes wait in order
// and go in slices, one per event-loop turn, so a burst never stalls the GUI
// thread.
class EmulationFeed : public QObject
{
    Q_OBJECT
public:
    // Null when this QTermWidget's session has no block receiver to call
    // (a QTermWidget unlike 2.1's): the caller writes to the pty instead.
    static std::unique_ptr<EmulationFeed> attach(QTermWidget *terminal);

    void write(const QByteArray &bytes);
    qsizetype pendingBytes() const { return m_pending; }

    // Waiting lines beyond this many from the end are skipped when they
    // would only scroll out of the history (see HistoryOverflow): plain
    // output faster than the emulation then costs what the terminal keeps,
    // and what waits stays bounded. 0 (the default) feeds every byte.
    void setKeptLines(qsizetype lines) { m_keptLines = lines; }
    qsizetype skippedBytes() const { return m_skipped; }
    // How often the waiting bytes were looked through for lines to skip.
    int skipChecks() const { return m_skipChecks; }

    // Output that cannot be skipped (cursor movement in every screenful)
    // and comes faster than the emulation takes it would wait without end.
    // Past maxPending bytes the oldest half is dropped: the terminal's modes
    // are set back to their defaults and it shows the note (%1: the size of
    // the output dropped since the last note it showed) before what is
    // kept, which starts at a line. 0 (the default) never drops.
    void setOverflowLimit(qsizetype maxPending, const QString &note);
    // Output bytes dropped (the notes not counted).
    qsizetype droppedBytes() const { return m_dropped; }

private:
    EmulationFeed(QObject *session, QMetaMethod receive, QWidget *display);
    void feedSlice();
    void skipLinesBeyondHistory();
    void dropOldestHalf();
    bool overLimit() const { return m_maxPending > 0 && m_pending > m_maxPending; }
    QByteArray takeWaiting();

    QPointer<QObject> m_session;
    QMetaMethod m_receive;
    QTimer m_nextTurn;
    std::deque<QByteArray> m_queue;
    qsizetype m_offset = 0; // into m_queue.front()
    qsizetype m_pending = 0;
    qsizetype m_keptLines = 0;
    qsizetype m_writtenSinceSkipCheck = 0;
    qsizetype m_skipped = 0;
    int m_skipChecks = 0;
    qsizetype m_maxPending = 0;
    QString m_overflowNote;
    qsizetype m_dropped = 0;
    qsizetype m_droppedUnshown = 0; // since the last note that went in
    qsizetype m_noteWaiting = 0; // bytes of the last note not yet fed
    std::unique_ptr<PaintThrottle> m_throttle; // null: no display found
};

} // namespace nixtide
