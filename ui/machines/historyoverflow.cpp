#include "ui/machines/historyoverflow.h"

#include <vector>

namespace nixtide {

namespace {

constexpr char kEscape = '\x1b';

struct Span
{
    qsizetype begin;
    qsizetype end;
};

// The plain stretch at the end of some terminal output: where it starts,
// its line ends and the colour changes within it.
struct PlainTail
{
    qsizetype begin = 0;
    std::vector<qsizetype> lineEnds; // index of each LF
    std::vector<Span> colours; // SGR sequences
    std::vector<bool> resets; // per colour: does it reset every attribute

    void restartAfter(qsizetype index)
    {
        begin = index;
        lineEnds.clear();
        colours.clear();
        resets.clear();
    }
};

bool isParameter(char c)
{
    return (c >= '0' && c <= '9') || c == ';' || c == ':';
}

PlainTail findPlainTail(const QByteArray &bytes)
{
    PlainTail tail;
    // The emulation may be inside an escape sequence that began in bytes it
    // already has: the state is known again after the first line end.
    bool known = false;
    const qsizetype size = bytes.size();
    const char *data = bytes.constData();
    qsizetype i = 0;
    while (i < size) {
        const auto c = static_cast<unsigned char>(data[i]);
        if (c >= 0x20 && c != 0x7f) {
            // UTF-8 for C1 controls (U+0080 to U+009F): an emulation may act on them.
            if (c == 0xc2 && i + 1 < size && static_cast<unsigned char>(data[i + 1]) >= 0x80
                && static_cast<unsigned char>(data[i + 1]) <= 0x9f) {
                tail.restartAfter(i + 2);
                i += 2;
                continue;
            }
            ++i;
            continue;
        }
        if (c == '\r' || c == '\t' || c == '\b') {
            ++i;
            continue;
        }
        if (c == '\n') {
            if (known && i > tail.begin && data[i - 1] == '\r')
                tail.lineEnds.push_back(i);
            else
                tail.restartAfter(i + 1);
            known = true;
            ++i;
            continue;
        }
        if (c == kEscape && i + 1 < size && data[i + 1] == '[') {
            qsizetype j = i + 2;
            while (j < size && isParameter(data[j]))
                ++j;
            if (j == size) {
                // Cut off: the rest of it comes later.
                tail.restartAfter(size);
                break;
            }
            if (data[j] == 'm') {
                const QByteArrayView parameters(data + i + 2, j - i - 2);
                tail.colours.push_back({i, j + 1});
                tail.resets.push_back(parameters.isEmpty() || parameters == "0");
            } else if (data[j] != 'K') {
                tail.restartAfter(j + 1);
            }
            i = j + 1;
            continue;
        }
        // Any other control or escape sequence.
        tail.restartAfter(i + 1);
        ++i;
    }
    return tail;
}

} // namespace

HistoryOverflow skipLinesBeyondHistory(const QByteArray &pending, qsizetype keptLines)
{
    const PlainTail tail = findPlainTail(pending);
    const auto lines = static_cast<qsizetype>(tail.lineEnds.size());
    if (keptLines < 1 || lines <= keptLines)
        return {pending, 0};
    // Keep the last `keptLines` full lines and what follows them.
    const qsizetype keptFrom = tail.lineEnds[std::size_t(lines - keptLines - 1)] + 1;

    // The colours in force where the kept lines start: the skipped SGR
    // sequences since the last one that reset everything.
    std::size_t first = 0;
    std::size_t last = 0;
    while (last < tail.colours.size() && tail.colours[last].end <= keptFrom) {
        if (tail.resets[last])
            first = last;
        ++last;
    }
    QByteArray colours;
    for (std::size_t k = first; k < last; ++k)
        colours += QByteArrayView(pending).sliced(
            tail.colours[k].begin, tail.colours[k].end - tail.colours[k].begin);

    // The kept lines start in the first column of a line of their own, as
    // they did after the skipped CR LF.
    QByteArray bytes;
    bytes.reserve(tail.begin + colours.size() + 2 + pending.size() - keptFrom);
    bytes += QByteArrayView(pending).first(tail.begin);
    bytes += colours;
    bytes += "\r\n";
    bytes += QByteArrayView(pending).sliced(keptFrom);
    const qsizetype skipped = pending.size() - (bytes.size() - colours.size() - 2);
    return {bytes, skipped};
}

} // namespace nixtide
