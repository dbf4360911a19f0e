#include "ui/machines/historyoverflow.h"

#include <algorithm>

namespace nixtide {

namespace {

constexpr char kEscape = '\x1b';
constexpr char kBell = '\x07';

// Colours carried over beyond this are not worth a skip: output that sets
// attributes without ever resetting them all.
constexpr qsizetype kMostColourBytes = 4096;

bool isCsiParameter(uchar c)
{
    return c >= 0x30 && c <= 0x3f;
}
bool isIntermediate(uchar c)
{
    return c >= 0x20 && c <= 0x2f;
}
bool isCsiFinal(uchar c)
{
    return c >= 0x40 && c <= 0x7e;
}

// The end (one past) of the string sequence (OSC, DCS, SOS, PM, APC) whose
// body starts at `from`: after its BEL or ST (ESC \), or -1 if cut off.
qsizetype stringEnd(QByteArrayView bytes, qsizetype from)
{
    for (qsizetype i = from; i < bytes.size(); ++i) {
        if (bytes[i] == kBell)
            return i + 1;
        if (bytes[i] == kEscape && i + 1 < bytes.size() && bytes[i + 1] == '\\')
            return i + 2;
    }
    return -1;
}

// One escape sequence starting at `at` (ESC): where it ends and whether it
// leaves later output independent of earlier output (SGR, erase in line).
struct Sequence
{
    qsizetype end = -1; // one past; -1: cut off
    bool plain = false;
    bool colour = false;
};

Sequence readEscape(QByteArrayView bytes, qsizetype at)
{
    const qsizetype size = bytes.size();
    if (at + 1 >= size)
        return {};
    const auto introducer = static_cast<uchar>(bytes[at + 1]);
    if (introducer == '[') {
        qsizetype i = at + 2;
        bool onlyDigits = true; // no private marker (? < = >) in the parameters
        while (i < size && isCsiParameter(static_cast<uchar>(bytes[i]))) {
            const char c = bytes[i];
            onlyDigits = onlyDigits && ((c >= '0' && c <= '9') || c == ';' || c == ':');
            ++i;
        }
        bool intermediates = false;
        while (i < size && isIntermediate(static_cast<uchar>(bytes[i]))) {
            intermediates = true;
            ++i;
        }
        if (i == size)
            return {};
        const auto final = static_cast<uchar>(bytes[i]);
        if (!isCsiFinal(final))
            return {i + 1, false, false}; // malformed: nothing after it is trusted
        const bool simple = onlyDigits && !intermediates;
        return {i + 1, simple && (final == 'm' || final == 'K'), simple && final == 'm'};
    }
    if (introducer == ']' || introducer == 'P' || introducer == 'X' || introducer == '^'
        || introducer == '_') {
        return {stringEnd(bytes, at + 2), false, false};
    }
    qsizetype i = at + 1;
    while (i < size && isIntermediate(static_cast<uchar>(bytes[i])))
        ++i;
    if (i == size)
        return {};
    return {i + 1, false, false};
}

// The plain stretch at the end of some terminal output: text, CR LF line
// ends, CR, tab, backspace, SGR and CSI K. Returns where it starts.
qsizetype plainTailStart(QByteArrayView bytes)
{
    const qsizetype size = bytes.size();
    qsizetype begin = 0;
    // The emulation may be inside a sequence that began in bytes it already
    // has: the state is known again after the first line end.
    bool known = false;
    qsizetype i = 0;
    while (i < size) {
        const auto c = static_cast<uchar>(bytes[i]);
        if (c >= 0x20 && c != 0x7f) {
            // UTF-8 for a C1 control (U+0080 to U+009F): the emulation may
            // act on it, and on what follows; trust nothing before the next
            // line end.
            if (c == 0xc2 && i + 1 < size && static_cast<uchar>(bytes[i + 1]) >= 0x80
                && static_cast<uchar>(bytes[i + 1]) <= 0x9f) {
                const qsizetype lineEnd = bytes.sliced(i).indexOf('\n');
                if (lineEnd < 0)
                    return size;
                begin = i + lineEnd + 1;
                i = begin;
                known = true;
                continue;
            }
            ++i;
        } else if (c == '\r' || c == '\t' || c == '\b') {
            ++i;
        } else if (c == '\n') {
            if (!known || i == begin || bytes[i - 1] != '\r')
                begin = i + 1; // a bare LF keeps the column: the next line depends on it
            known = true;
            ++i;
        } else if (c == kEscape) {
            const Sequence sequence = readEscape(bytes, i);
            if (sequence.end < 0)
                return size; // cut off: the rest of it comes later
            if (!sequence.plain)
                begin = sequence.end;
            i = sequence.end;
        } else {
            begin = i + 1; // any other control
            ++i;
        }
    }
    return known ? begin : size;
}

// Does this SGR (ESC [ parameters m) start by resetting every attribute?
bool resetsColours(QByteArrayView sgr)
{
    const QByteArrayView parameters = sgr.sliced(2, sgr.size() - 3);
    return parameters.isEmpty() || parameters.startsWith("0;") || parameters == "0"
        || parameters.startsWith(';');
}

// The SGR sequences in force at the end of `bytes` (plain), from the last
// one that resets every attribute.
QByteArray coloursInForce(QByteArrayView bytes)
{
    QByteArray colours;
    qsizetype i = bytes.indexOf(kEscape);
    while (i >= 0) {
        const Sequence sequence = readEscape(bytes, i);
        if (sequence.colour) {
            const QByteArrayView sgr = bytes.sliced(i, sequence.end - i);
            if (resetsColours(sgr))
                colours.clear();
            colours += sgr;
        }
        i = bytes.indexOf(kEscape, sequence.end);
    }
    return colours;
}

} // namespace

HistoryOverflow skipLinesBeyondHistory(const QByteArray &pending, qsizetype keptLines)
{
    if (keptLines < 1)
        return {pending, 0};
    const QByteArrayView bytes(pending);
    const qsizetype begin = plainTailStart(bytes);
    // The start of the last `keptLines` full lines, counted from the end.
    qsizetype keptFrom = bytes.size();
    qsizetype lineEnds = 0;
    while (lineEnds <= keptLines) {
        const qsizetype lf = bytes.first(keptFrom).lastIndexOf('\n');
        if (lf < begin)
            return {pending, 0};
        keptFrom = lf;
        ++lineEnds;
    }
    keptFrom += 1;
    // Lines skipped: those between the start of the plain stretch and
    // `keptFrom` (the first may be the end of a line begun before it).
    const QByteArrayView skippedPart = bytes.sliced(begin, keptFrom - begin);
    const qsizetype skippedLines = skippedPart.count('\n');
    const QByteArray colours = coloursInForce(skippedPart);
    if (colours.size() > kMostColourBytes)
        return {pending, 0};

    // Each skipped line end is a scroll at the bottom or a step down; with
    // as many line ends (up to twice the rows of any screen) the kept lines
    // start on a fresh bottom row, as they did after the skipped lines.
    const qsizetype lineEndsFed = std::min(skippedLines, kSkipRowsMargin);
    QByteArray fed;
    fed.reserve(begin + colours.size() + 2 * lineEndsFed + bytes.size() - keptFrom);
    fed += bytes.first(begin);
    fed += colours;
    for (qsizetype k = 0; k < lineEndsFed; ++k)
        fed += "\r\n";
    fed += bytes.sliced(keptFrom);
    const qsizetype skipped = keptFrom - begin;
    return {fed, skipped};
}

} // namespace nixtide
