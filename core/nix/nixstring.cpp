#include "core/nix/nixstring.h"

#include <QStringList>

#include <algorithm>

namespace nixtide {

namespace {

QChar at(const QString &s, int i)
{
    return i >= 0 && i < s.size() ? s.at(i) : QChar();
}

bool startsAt(const QString &s, int i, QLatin1StringView what)
{
    return i >= 0 && QStringView(s).mid(i).startsWith(what);
}

QChar unescape(QChar c)
{
    if (c == u'n')
        return u'\n';
    if (c == u'r')
        return u'\r';
    if (c == u't')
        return u'\t';
    return c;
}

// Appends one produced character to the last part if it is of `kind`.
void appendChar(QVector<NixStringPart> &parts, NixStringPart::Kind kind, QChar c, int line)
{
    if (parts.isEmpty() || parts.last().kind != kind
        || kind == NixStringPart::Kind::Antiquotation) {
        NixStringPart part;
        part.kind = kind;
        part.line = line;
        parts.append(part);
    }
    parts.last().text.append(c);
    parts.last().lines.append(line);
}

} // namespace

QStringList NixStringTemplate::antiquotations() const
{
    QStringList out;
    for (const NixStringPart &p : segments) {
        if (p.kind == NixStringPart::Kind::Antiquotation)
            out.append(p.text);
    }
    return out;
}

QString NixStringTemplate::render(const QStringList &values) const
{
    QString out;
    int next = 0;
    for (const NixStringPart &p : segments) {
        if (p.kind == NixStringPart::Kind::Antiquotation)
            out += values.value(next++);
        else
            out += p.text;
    }
    return out;
}

int NixSource::offsetOf(const QString &source, int line, int column)
{
    if (line < 1 || column < 1)
        return -1;
    int offset = 0;
    for (int l = 1; l < line; ++l) {
        offset = source.indexOf(u'\n', offset);
        if (offset < 0)
            return -1;
        ++offset;
    }
    // Nix counts columns in bytes: walk the line's characters by UTF-8 length.
    int bytes = 1;
    int i = offset;
    while (bytes < column && i < source.size() && source.at(i) != u'\n') {
        const char16_t c = source.at(i).unicode();
        if (QChar::isHighSurrogate(c)) {
            bytes += 4;
            i += 2;
            continue;
        }
        bytes += c < 0x80 ? 1 : (c < 0x800 ? 2 : 3);
        ++i;
    }
    return bytes == column ? i : -1;
}

int NixSource::lineOf(const QString &source, int offset)
{
    return 1 + int(QStringView(source).left(offset).count(u'\n'));
}

int NixSource::skipSpace(const QString &s, int i)
{
    while (i < s.size()) {
        if (s.at(i).isSpace()) {
            ++i;
        } else if (s.at(i) == u'#') {
            while (i < s.size() && s.at(i) != u'\n')
                ++i;
        } else if (startsAt(s, i, QLatin1StringView("/*"))) {
            const int close = s.indexOf(QLatin1StringView("*/"), i + 2);
            i = close < 0 ? int(s.size()) : close + 2;
        } else {
            break;
        }
    }
    return i;
}

int NixSource::skipToClosingBrace(const QString &s, int i)
{
    int depth = 0;
    while (i < s.size()) {
        const QChar c = s.at(i);
        if (c == u'{') {
            ++depth;
            ++i;
        } else if (c == u'}') {
            if (depth == 0)
                return i;
            --depth;
            ++i;
        } else if (c == u'"' || startsAt(s, i, QLatin1StringView("''"))) {
            i = skipString(s, i);
            if (i < 0)
                return -1;
        } else if (c == u'#' || startsAt(s, i, QLatin1StringView("/*"))) {
            i = skipSpace(s, i);
        } else {
            ++i;
        }
    }
    return -1;
}

int NixSource::skipStringOrComment(const QString &s, int i)
{
    const QChar c = at(s, i);
    if (c == u'"' || startsAt(s, i, QLatin1StringView("''")))
        return skipString(s, i);
    if (c == u'#' || startsAt(s, i, QLatin1StringView("/*"))) {
        const int next = skipSpace(s, i);
        return next > i ? next : i + 1;
    }
    return i;
}

int NixSource::skipString(const QString &s, int i)
{
    if (at(s, i) == u'"') {
        for (int j = i + 1; j < s.size(); ++j) {
            if (s.at(j) == u'\\') {
                ++j;
            } else if (s.at(j) == u'"') {
                return j + 1;
            } else if (startsAt(s, j, QLatin1StringView("${"))) {
                j = skipToClosingBrace(s, j + 2);
                if (j < 0)
                    return -1;
            }
        }
        return -1;
    }
    for (int j = i + 2; j < s.size(); ++j) {
        if (startsAt(s, j, QLatin1StringView("''"))) {
            const QChar next = at(s, j + 2);
            if (next == u'$' || next == u'\'')
                j += 2;
            else if (next == u'\\')
                j += 3;
            else
                return j + 2;
        } else if (startsAt(s, j, QLatin1StringView("$$"))) {
            ++j;
        } else if (startsAt(s, j, QLatin1StringView("${"))) {
            j = skipToClosingBrace(s, j + 2);
            if (j < 0)
                return -1;
        }
    }
    return -1;
}

int NixSource::skipToSemicolon(const QString &s, int i)
{
    int depth = 0;
    while (i >= 0 && i < s.size()) {
        const QChar c = s.at(i);
        if (const int past = skipStringOrComment(s, i); past != i) {
            i = past;
        } else if (c == u'{') {
            const int close = skipToClosingBrace(s, i + 1);
            i = close < 0 ? -1 : close + 1;
        } else if (c == u'(' || c == u'[') {
            ++depth;
            ++i;
        } else if (c == u')' || c == u']') {
            --depth;
            ++i;
        } else if (c == u';' && depth <= 0) {
            return i + 1;
        } else {
            ++i;
        }
    }
    return -1;
}

NixStringLiteral NixSource::parseString(const QString &s, int offset)
{
    using Kind = NixStringPart::Kind;
    NixStringLiteral lit;
    lit.begin = offset;
    lit.line = lineOf(s, offset);
    lit.column = offset - (s.lastIndexOf(u'\n', offset - 1) + 1) + 1;
    int line = lit.line;
    int i = offset;

    const auto antiquotation = [&](int dollar) {
        const int close = skipToClosingBrace(s, dollar + 2);
        if (close < 0)
            return -1;
        NixStringPart part;
        part.kind = Kind::Antiquotation;
        part.line = line;
        part.text = s.mid(dollar + 2, close - dollar - 2);
        lit.parts.append(part);
        line += int(QStringView(s).mid(dollar, close - dollar).count(u'\n'));
        return close + 1;
    };
    // `$$`, `${…}` and plain characters read the same in both kinds of
    // string; -1 for an unterminated antiquotation.
    const auto textStep = [&](int at) {
        if (startsAt(s, at, QLatin1StringView("$$"))) {
            appendChar(lit.parts, Kind::Literal, u'$', line);
            appendChar(lit.parts, Kind::Literal, u'$', line);
            return at + 2;
        }
        if (startsAt(s, at, QLatin1StringView("${")))
            return antiquotation(at);
        appendChar(lit.parts, Kind::Literal, s.at(at), line);
        if (s.at(at) == u'\n')
            ++line;
        return at + 1;
    };

    if (startsAt(s, i, QLatin1StringView("''"))) {
        lit.indented = true;
        i += 2;
        // Nix's lexer swallows spaces and one newline right after the opening `''`.
        int j = i;
        while (at(s, j) == u' ')
            ++j;
        if (at(s, j) == u'\n') {
            i = j + 1;
            ++line;
        }
        while (true) {
            if (i >= s.size()) {
                lit.error = QStringLiteral("unterminated indented string");
                return lit;
            }
            if (startsAt(s, i, QLatin1StringView("''"))) {
                const QChar next = at(s, i + 2);
                if (next == u'$') {
                    appendChar(lit.parts, Kind::Escape, u'$', line);
                    i += 3;
                } else if (next == u'\'') {
                    appendChar(lit.parts, Kind::Escape, u'\'', line);
                    appendChar(lit.parts, Kind::Escape, u'\'', line);
                    i += 3;
                } else if (next == u'\\' && i + 3 < s.size()) {
                    appendChar(lit.parts, Kind::Escape, unescape(s.at(i + 3)), line);
                    if (s.at(i + 3) == u'\n')
                        ++line;
                    i += 4;
                } else {
                    lit.end = i + 2;
                    return lit;
                }
            } else if ((i = textStep(i)) < 0) {
                lit.error = QStringLiteral("unterminated antiquotation");
                return lit;
            }
        }
    }

    if (at(s, i) != u'"') {
        lit.error = QStringLiteral("not a string literal");
        return lit;
    }
    ++i;
    while (true) {
        if (i >= s.size()) {
            lit.error = QStringLiteral("unterminated string");
            return lit;
        }
        const QChar c = s.at(i);
        if (c == u'"') {
            lit.end = i + 1;
            return lit;
        }
        if (c == u'\\' && i + 1 < s.size()) {
            appendChar(lit.parts, Kind::Escape, unescape(s.at(i + 1)), line);
            if (s.at(i + 1) == u'\n')
                ++line;
            i += 2;
        } else if ((i = textStep(i)) < 0) {
            lit.error = QStringLiteral("unterminated antiquotation");
            return lit;
        }
    }
}

NixStringTemplate NixSource::strip(const NixStringLiteral &lit)
{
    using Kind = NixStringPart::Kind;
    NixStringTemplate out;
    const auto put
        = [&out](QChar c, int line) { appendChar(out.segments, Kind::Literal, c, line); };

    if (!lit.indented) {
        for (const NixStringPart &p : lit.parts) {
            if (p.kind == Kind::Antiquotation) {
                out.segments.append(p);
                continue;
            }
            for (int j = 0; j < p.text.size(); ++j)
                put(p.text.at(j), p.lines.at(j));
        }
        return out;
    }

    // The minimum indentation: whitespace-only lines do not count; escapes
    // and antiquotations end a line's leading whitespace.
    bool atStartOfLine = true;
    int minIndent = 1000000;
    int curIndent = 0;
    for (const NixStringPart &p : lit.parts) {
        if (p.kind != Kind::Literal) {
            if (atStartOfLine) {
                atStartOfLine = false;
                minIndent = std::min(minIndent, curIndent);
            }
            continue;
        }
        for (const QChar c : p.text) {
            if (atStartOfLine) {
                if (c == u' ') {
                    ++curIndent;
                } else if (c == u'\n') {
                    curIndent = 0;
                } else {
                    atStartOfLine = false;
                    minIndent = std::min(minIndent, curIndent);
                }
            } else if (c == u'\n') {
                atStartOfLine = true;
                curIndent = 0;
            }
        }
    }

    atStartOfLine = true;
    int curDropped = 0;
    for (int n = 0; n < lit.parts.size(); ++n) {
        const NixStringPart &p = lit.parts.at(n);
        if (p.kind == Kind::Antiquotation) {
            atStartOfLine = false;
            curDropped = 0;
            out.segments.append(p);
            continue;
        }
        if (p.kind == Kind::Escape) {
            atStartOfLine = false;
            curDropped = 0;
            for (int j = 0; j < p.text.size(); ++j)
                put(p.text.at(j), p.lines.at(j));
            continue;
        }
        const bool lastPart = n == lit.parts.size() - 1;
        const bool fresh = out.segments.isEmpty() || out.segments.last().kind != Kind::Literal;
        const int partStart = fresh ? 0 : int(out.segments.last().text.size());
        for (int j = 0; j < p.text.size(); ++j) {
            const QChar c = p.text.at(j);
            const int line = p.lines.at(j);
            if (atStartOfLine) {
                if (c == u' ') {
                    if (curDropped++ >= minIndent)
                        put(c, line);
                } else if (c == u'\n') {
                    curDropped = 0;
                    put(c, line);
                } else {
                    atStartOfLine = false;
                    curDropped = 0;
                    put(c, line);
                }
            } else {
                put(c, line);
                if (c == u'\n')
                    atStartOfLine = true;
            }
        }
        // The last line is removed when it is empty or spaces only.
        if (lastPart && !out.segments.isEmpty() && out.segments.last().kind == Kind::Literal) {
            NixStringPart &seg = out.segments.last();
            const int nl = int(seg.text.lastIndexOf(u'\n'));
            if (nl >= partStart) {
                bool spacesOnly = true;
                for (int k = nl + 1; k < seg.text.size(); ++k)
                    spacesOnly = spacesOnly && seg.text.at(k) == u' ';
                if (spacesOnly) {
                    seg.text.truncate(nl + 1);
                    seg.lines.resize(nl + 1);
                }
            }
        }
    }
    return out;
}

} // namespace nixtide
