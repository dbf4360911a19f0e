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
        && m_writtenSinceSkipCheck >= std::max(kSkipCheckAgainBytes, m_pending / 2)) {
        m_writtenSinceSkipCheck = 0;
        skipLinesBeyondHistory();
    }
    if (!m_nextTurn.isActive())
        m_nextTurn.start();
}

void EmulationFeed::skipLinesBeyondHistory()
{
    QByteArray waiting;
    waiting.reserve(m_pending);
    for (const QByteArray &block : m_queue)
        waiting += QByteArrayView(block).sliced(&block == &m_queue.front() ? m_offset : 0);
    HistoryOverflow overflow = nixtide::skipLinesBeyondHistory(waiting, m_keptLines);
    ++m_skipChecks;
    if (overflow.skipped == 0)
        return;
    m_skipped += overflow.skipped;
    m_queue.clear();
    m_offset = 0;
    m_pending = overflow.bytes.size();
    m_queue.push_back(std::move(overflow.bytes));
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
