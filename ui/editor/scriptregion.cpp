#include "ui/editor/scriptregion.h"

#include "core/nix/nixstring.h"
#include "core/nix/scriptlinemap.h"

#include <algorithm>

namespace nixtide {

namespace {

bool startsAt(const QString &s, int i, QLatin1StringView what)
{
    return i >= 0 && QStringView(s).mid(i).startsWith(what);
}

// The body of the indented string [begin, end) as Python: see ScriptLineView.
void blankNix(const QString &text, int begin, int end, QString *python, QByteArray *isPython)
{
    *python = text.mid(begin, end - begin);
    *isPython = QByteArray(python->size(), 1);
    const auto blank = [&](int from, int to, QChar with) {
        for (int i = std::max(from, 0); i < std::min<int>(to, python->size()); ++i) {
            (*isPython)[i] = 0;
            const QChar c = python->at(i);
            if (c != u'\n' && c != u'\r')
                (*python)[i] = with;
        }
    };
    for (int i = 0; i < python->size();) {
        const int at = begin + i;
        if (startsAt(text, at, QLatin1StringView("''"))) {
            // `'''` gives `''`, `''$` gives `$`, `''\x` gives the escaped x.
            const QChar next = at + 2 < end ? text.at(at + 2) : QChar();
            const int length = next == u'\\' ? 4 : 3;
            blank(i, i + length, u' ');
            if (next == u'\'')
                (*python)[i + 1] = (*python)[i + 2] = u'\'';
            else if (i + length - 1 < python->size())
                (*python)[i + length - 1] = text.at(at + length - 1);
            i += length;
        } else if (startsAt(text, at, QLatin1StringView("$$"))) {
            i += 2; // literal dollars, no antiquotation
        } else if (startsAt(text, at, QLatin1StringView("${"))) {
            int close = NixSource::skipToClosingBrace(text, at + 2);
            if (close < 0 || close >= end)
                close = end - 1;
            blank(i, close - begin + 1, u'_');
            i = close - begin + 1;
        } else {
            ++i;
        }
    }
}

} // namespace

ScriptRegion ScriptRegion::locate(const QString &fileText)
{
    ScriptRegion region;
    QList<ScriptLocation> locations = locateScriptsInSource(fileText);
    if (locations.isEmpty()) // a file that is the script's string itself
        locations.append(locateScriptInSource(fileText));
    for (const ScriptLocation &location : std::as_const(locations)) {
        const NixStringLiteral literal = scriptLiteral(fileText, location);
        if (!literal.ok() || !literal.indented)
            continue;
        const int begin = literal.begin + 2;
        const int end = literal.end - 2;
        QString body;
        QByteArray bodyIsPython;
        blankNix(fileText, begin, end, &body, &bodyIsPython);

        // Lines end at '\n' as in Scintilla; a '\r' before it is line-end too.
        int lineStart = int(fileText.lastIndexOf(u'\n', begin - 1)) + 1;
        Span span;
        span.first = int(fileText.left(lineStart).count(u'\n'));
        // Spans are kept in file order and never overlap.
        if (!region.m_spans.isEmpty() && span.first <= region.m_spans.last().last())
            continue;
        while (lineStart <= end) {
            int lineEnd = int(fileText.indexOf(u'\n', lineStart));
            if (lineEnd < 0)
                lineEnd = int(fileText.size());
            const int next = lineEnd + 1;
            if (lineEnd > lineStart && fileText.at(lineEnd - 1) == u'\r')
                --lineEnd;
            ScriptLineView view;
            view.python = QString(lineEnd - lineStart, u' ');
            view.isPython = QByteArray(lineEnd - lineStart, 0);
            for (int at = std::max(lineStart, begin); at < std::min(lineEnd, end); ++at) {
                view.python[at - lineStart] = body.at(at - begin);
                view.isPython[at - lineStart] = bodyIsPython.at(at - begin);
            }
            span.lines.append(view);
            lineStart = next;
        }
        region.m_spans.append(span);
    }
    return region;
}

const ScriptRegion::Span *ScriptRegion::spanAt(int line0) const
{
    for (const Span &span : m_spans) {
        if (line0 >= span.first && line0 <= span.last())
            return &span;
    }
    return nullptr;
}

const ScriptLineView *ScriptRegion::line(int line0) const
{
    const Span *span = spanAt(line0);
    return span ? &span->lines.at(line0 - span->first) : nullptr;
}

int ScriptRegion::scriptFirstLine(int line0) const
{
    const Span *span = spanAt(line0);
    return span ? span->first : -1;
}

int ScriptRegion::scriptLastLine(int line0) const
{
    const Span *span = spanAt(line0);
    return span ? span->last() : -1;
}

int ScriptRegion::firstDifference(const ScriptRegion &a, const ScriptRegion &b)
{
    if (a.isEmpty() && b.isEmpty())
        return -1;
    const int from = a.isEmpty()
        ? b.firstLine()
        : (b.isEmpty() ? a.firstLine() : std::min(a.firstLine(), b.firstLine()));
    const int to = std::max(a.lastLine(), b.lastLine());
    for (int line0 = from; line0 <= to; ++line0) {
        const ScriptLineView *x = a.line(line0);
        const ScriptLineView *y = b.line(line0);
        if (!x || !y ? x != y : !(*x == *y))
            return line0;
    }
    return -1;
}

} // namespace nixtide
