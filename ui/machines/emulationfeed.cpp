#include "ui/machines/emulationfeed.h"

#include "ui/machines/historyoverflow.h"

#include <QMetaObject>
#include <qtermwidget.h>

#include <algorithm>

namespace nixtide {

namespace {

// At 35 to 55 ns per byte in the emulation, a slice takes about a
// millisecond of the GUI thread. 64 KiB slices saved about 5 % of the CPU
// time but held the GUI thread 11 to 14 ms a turn; 4 KiB cost 10 % more.
constexpr qsizetype kSliceBytes = 16 * 1024;

// While a burst lasts the display paints five times a second instead of
// QTermWidget's 25: 200 ms cut the CPU time per byte by about a tenth, 100 ms
// by less (bench/terminal, 2026-12-01).
constexpr int kBurstPaintIntervalMs = 200;

// Looking for lines to skip scans what waits, so it is done only when more
// waits than the history usually holds (10000 lines of 80 to 100 bytes),
// and again only once a megabyte, and at least half as much as waits, came
// since: each byte is scanned a bounded number of times, also in output
// that is never plain for long.
constexpr qsizetype kSkipCheckFromBytes = 2 * 1024 * 1024;
constexpr qsizetype kSkipCheckAgainBytes = 1024 * 1024;

// Where the kept half of an overflow starts: after the first line end in
// this many bytes, else at the first byte that does not continue a UTF-8
// character.
constexpr qsizetype kLineStartSearchBytes = 64 * 1024;

qsizetype keptStart(QByteArrayView waiting, qsizetype from)
{
    const qsizetype searchEnd = std::min(waiting.size(), from + kLineStartSearchBytes);
    const qsizetype lineEnd = waiting.sliced(from, searchEnd - from).indexOf('\n');
    if (lineEnd >= 0)
        return from + lineEnd + 1;
    while (from < waiting.size() && (quint8(waiting[from]) & 0xC0) == 0x80)
        ++from;
    return from;
}

QString sizeText(qsizetype bytes)
{
    constexpr qsizetype kMiB = 1024 * 1024;
    if (bytes < kMiB)
        return QStringLiteral("%1 KiB").arg((bytes + 1023) / 1024);
    return QStringLiteral("%1 MiB").arg(double(bytes) / kMiB, 0, 'f', 1);
}

} // namespace

std::unique_ptr<EmulationFeed> EmulationFeed::attach(QTermWidget *terminal)
{
    // QTermWidget 2.1 keeps its Konsole::Session, a child QObject, out of
    // its API; the session's slot that takes the pty's blocks is what its
    // pty reader calls: it feeds the emulation and emits receivedData().
    const QList<QObject *> children = terminal->findChildren<QObject *>();
    const auto session = std::find_if(children.begin(), children.end(), [](QObject *child) {
        return qstrcmp(child->metaObject()->className(), "Konsole::Session") == 0;
    });
    if (session == children.end())
        return nullptr;
    const QMetaObject *meta = (*session)->metaObject();
    const int index = meta->indexOfSlot("onReceiveBlock(const char*,int)");
    if (index < 0)
        return nullptr;
    return std::unique_ptr<EmulationFeed>(
        new EmulationFeed(*session, meta->method(index), terminal->focusProxy()));
}

EmulationFeed::EmulationFeed(QObject *session, QMetaMethod receive, QWidget *display)
    : m_session(session)
    , m_receive(receive)
{
    if (display)
        m_throttle = std::make_unique<PaintThrottle>(display, kBurstPaintIntervalMs);
    m_nextTurn.setSingleShot(true);
    m_nextTurn.setInterval(0);
    connect(&m_nextTurn, &QTimer::timeout, this, &EmulationFeed::feedSlice);
}

void EmulationFeed::write(const QByteArray &bytes)
{
    if (bytes.isEmpty())
        return;
    m_queue.push_back(bytes);
    m_pending += bytes.size();
    m_writtenSinceSkipCheck += bytes.size();
    if (m_keptLines > 0 && m_pending >= kSkipCheckFromBytes
        && (overLimit()
            || m_writtenSinceSkipCheck >= std::max(kSkipCheckAgainBytes, m_pending / 2))) {
        m_writtenSinceSkipCheck = 0;
        skipLinesBeyondHistory();
    }
    // After a drop half the limit waits, so the bytes looked through per
    // byte written stay bounded here too.
    if (overLimit())
        dropOldestHalf();
    if (!m_nextTurn.isActive())
        m_nextTurn.start();
}

void EmulationFeed::setOverflowLimit(qsizetype maxPending, const QString &note)
{
    m_maxPending = maxPending;
    m_overflowNote = note;
}

QByteArray EmulationFeed::takeWaiting()
{
    QByteArray waiting;
    waiting.reserve(m_pending);
    for (const QByteArray &block : m_queue)
        waiting += QByteArrayView(block).sliced(&block == &m_queue.front() ? m_offset : 0);
    m_queue.clear();
    m_offset = 0;
    m_pending = 0;
    return waiting;
}

void EmulationFeed::skipLinesBeyondHistory()
{
    QByteArray waiting = takeWaiting();
    HistoryOverflow overflow = nixtide::skipLinesBeyondHistory(waiting, m_keptLines);
    ++m_skipChecks;
    QByteArray &rest = overflow.skipped > 0 ? overflow.bytes : waiting;
    m_skipped += overflow.skipped;
    m_pending = rest.size();
    m_queue.push_back(std::move(rest));
}

void EmulationFeed::dropOldestHalf()
{
    const QByteArray waiting = takeWaiting();
    const qsizetype from = keptStart(waiting, waiting.size() - m_maxPending / 2);
    // A note that had not gone in yet goes with the rest: its count is
    // carried into the new one, so the note shown counts all output lost
    // since the last note shown.
    const qsizetype output = from - std::min(from, m_noteWaiting);
    m_dropped += output;
    m_droppedUnshown += output;
    // ST ends a string (a title) or drops a sequence the emulation is in the
    // middle of, without drawing anything (CAN would draw a checker board).
    // Then the main screen, and on it the character set (G0 and G1 ASCII,
    // as QTermWidget shifts a screen to the other screen's choice when one
    // is designated; G0 shifted in), colours, cursor keys, keypad, scroll
    // region, origin and insert modes and autowrap are set back: the dropped
    // bytes may have changed any of them (or set them back), so the kept ones
    // are read from the defaults. The screen is not cleared (ScrollbackKeeper
    // keeps resets from erasing either): the note goes below it, on the last
    // row. The cursor is shown at the note's end: a mode on the note's line
    // keeps a later skip (HistoryOverflow) from taking the note while it
    // waits, which m_noteWaiting counts on.
    QByteArray kept = "\x1b\\\x1b[?47l\x1b(B\x1b)B\x0f\x1b[0m\x1b[?1l\x1b>\x1b[r\x1b[?6l\x1b[4l"
                      "\x1b[?7h\x1b[999;1H\n\x1b[7m"
        + m_overflowNote.arg(sizeText(m_droppedUnshown)).toUtf8() + "\x1b[0m\x1b[?25h\r\n";
    m_noteWaiting = kept.size();
    kept += QByteArrayView(waiting).sliced(from);
    m_pending = kept.size();
    m_queue.push_back(std::move(kept));
}

void EmulationFeed::feedSlice()
{
    if (!m_session) {
        // The terminal is being destroyed: nothing can show these bytes.
        m_queue.clear();
        m_offset = 0;
        m_pending = 0;
        return;
    }
    qsizetype budget = kSliceBytes;
    while (budget > 0 && !m_queue.empty()) {
        const QByteArray &front = m_queue.front();
        const qsizetype size = std::min(budget, front.size() - m_offset);
        m_receive.invoke(m_session.data(), Qt::DirectConnection,
            Q_ARG(const char *, front.constData() + m_offset), Q_ARG(int, int(size)));
        m_offset += size;
        m_pending -= size;
        budget -= size;
        if (m_noteWaiting > 0) {
            m_noteWaiting -= std::min(m_noteWaiting, size);
            if (m_noteWaiting == 0)
                m_droppedUnshown = 0; // the note that counts them went in
        }
        if (m_offset == front.size()) {
            m_queue.pop_front();
            m_offset = 0;
        }
    }
    if (!m_queue.empty())
        m_nextTurn.start();
    // A burst is more than one slice: a prompt or an echoed key paints at once.
    if (m_throttle) {
        if (m_queue.empty())
            m_throttle->settle();
        else
            m_throttle->burst();
    }
}

} // namespace nixtide
