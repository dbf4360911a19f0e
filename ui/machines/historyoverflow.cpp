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

qsizetype utf8Length(uchar lead)
{
    return lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
}

// Read as the emulation reads it: controls within a sequence are carried
// out (DEL ignored) and the sequence goes on; ESC drops it and starts the
// next one; CAN and SUB cancel it.
Sequence readEscape(QByteArrayView bytes, qsizetype at)
{
    enum class Stage { Introducer, CsiParameters, CsiIntermediates, EscIntermediates };
    Stage stage = Stage::Introducer;
    bool uninterrupted = true;
    bool onlyDigits = true; // no private marker (? < = >) among the parameters
    bool intermediates = false;
    for (qsizetype i = at + 1; i < bytes.size(); ++i) {
        const auto c = static_cast<uchar>(bytes[i]);
        if (c == 0x1b)
            return {i, false, false};
        if (c == 0x18 || c == 0x1a)
            return {i + 1, false, false};
        if (c < 0x20 || c == 0x7f) {
            uninterrupted = false;
            continue;
        }
        if (c >= 0x80)
            return {std::min(bytes.size(), i + utf8Length(c)), false, false};
        switch (stage) {
        case Stage::Introducer:
            if (c == '[') {
                stage = Stage::CsiParameters;
                continue;
            }
            if (c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_')
                return {stringEnd(bytes, i + 1), false, false};
            if (isIntermediate(c)) {
                stage = Stage::EscIntermediates;
                continue;
            }
            return {i + 1, false, false};
        case Stage::CsiParameters:
            if (isCsiParameter(c)) {
                onlyDigits = onlyDigits && ((c >= '0' && c <= '9') || c == ';' || c == ':');
                continue;
            }
            stage = Stage::CsiIntermediates;
            [[fallthrough]];
        case Stage::CsiIntermediates: {
            if (isIntermediate(c)) {
                intermediates = true;
                continue;
            }
            if (!isCsiFinal(c))
                return {i + 1, false, false}; // malformed: nothing before it is trusted
            const bool simple = uninterrupted && onlyDigits && !intermediates;
            return {i + 1, simple && (c == 'm' || c == 'K'), simple && c == 'm'};
        }
        case Stage::EscIntermediates:
            if (isIntermediate(c))
                continue;
            return {i + 1, false, false};
        }
    }
    return {};
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
            // UTF-8 for a C1 control (U+0080 to U+009F): where what it
            // starts ends is not worth modelling; nothing is skipped.
            if (c == 0xc2 && i + 1 < size && static_cast<uchar>(bytes[i + 1]) >= 0x80
                && static_cast<uchar>(bytes[i + 1]) <= 0x9f)
                return size;
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
        if (sequence.end < 0)
            break; // cannot happen after plainTailStart; never loop on it
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
