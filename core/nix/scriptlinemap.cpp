#include "core/nix/scriptlinemap.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

namespace nixtide {

namespace {

bool isIdentChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_' || c == u'\'' || c == u'-';
}

// From the start of a value: skips `{ … }:`, `name:` and `name@{ … }:`
// lambda heads. Returns the offset of the body and sets `isFunction`.
int skipLambdaHeads(const QString &s, int i, bool *isFunction)
{
    while (i < s.size()) {
        int j = i;
        if (s.at(j) == u'{') {
            const int close = NixSource::skipToClosingBrace(s, j + 1);
            if (close < 0)
                return i;
            j = NixSource::skipSpace(s, close + 1);
            if (j < s.size() && s.at(j) == u'@') {
                j = NixSource::skipSpace(s, j + 1);
                while (j < s.size() && isIdentChar(s.at(j)))
                    ++j;
                j = NixSource::skipSpace(s, j);
            }
        } else if (s.at(j).isLetter() || s.at(j) == u'_') {
            while (j < s.size() && isIdentChar(s.at(j)))
                ++j;
            j = NixSource::skipSpace(s, j);
            if (j < s.size() && s.at(j) == u'@') {
                j = NixSource::skipSpace(s, j + 1);
                if (j >= s.size() || s.at(j) != u'{')
                    return i;
                const int close = NixSource::skipToClosingBrace(s, j + 1);
                if (close < 0)
                    return i;
                j = NixSource::skipSpace(s, close + 1);
            }
        } else {
            return i;
        }
        // `a:b` without a space is a URI in Nix, not a lambda.
        if (j >= s.size() || s.at(j) != u':' || (j + 1 < s.size() && !s.at(j + 1).isSpace()))
            return i;
        *isFunction = true;
        i = NixSource::skipSpace(s, j + 1);
    }
    return i;
}

bool keywordAt(const QString &s, int i, QLatin1StringView word)
{
    if (!QStringView(s).mid(i).startsWith(word))
        return false;
    const int after = i + int(word.size());
    return (i == 0 || !isIdentChar(s.at(i - 1)))
        && (after >= s.size() || !isIdentChar(s.at(after)));
}

// From the start of a value: past `let … in` to the body. Returns `i`
// unchanged when the value is no `let`, -1 when it is one that never ends.
int skipLetIn(const QString &s, int i)
{
    if (!keywordAt(s, i, QLatin1StringView("let")))
        return i;
    int j = NixSource::skipSpace(s, i + 3);
    while (j >= 0 && j < s.size() && !keywordAt(s, j, QLatin1StringView("in"))) {
        j = NixSource::skipToSemicolon(s, j);
        if (j >= 0)
            j = NixSource::skipSpace(s, j);
    }
    return j >= 0 && j < s.size() ? NixSource::skipSpace(s, j + 2) : -1;
}

// The offsets of the definitions `name = …` in the file (attributes or
// `let` bindings; not `a.name = …`, not `name == …`), in text order. The
// text is read as Nix's lexer reads it: a name in a comment or inside a
// string (another string, or a script) defines nothing.
QList<int> definitionsOf(const QString &s, QStringView name)
{
    QList<int> out;
    int i = 0;
    while (i >= 0 && i < s.size()) {
        const QChar c = s.at(i);
        if (c == u'#' || QStringView(s).mid(i).startsWith(u"/*")) {
            i = NixSource::skipSpace(s, i);
        } else if (c == u'"' || QStringView(s).mid(i).startsWith(u"''")) {
            i = NixSource::skipString(s, i);
        } else if (c.isLetterOrNumber() || c == u'_') {
            int end = i; // a name, or a number (`1e3`) that holds none
            while (end < s.size() && isIdentChar(s.at(end)))
                ++end;
            if (QStringView(s).mid(i, end - i) == name && (i == 0 || s.at(i - 1) != u'.')) {
                const int eq = NixSource::skipSpace(s, end);
                if (eq < s.size() && s.at(eq) == u'='
                    && (eq + 1 >= s.size() || s.at(eq + 1) != u'='))
                    out.append(i);
            }
            i = end;
        } else {
            ++i;
        }
    }
    return out;
}

// The first of them at or after `from` that is not `exclude`; -1 when none.
int findDefinition(const QString &s, QStringView name, int exclude, int from = 0)
{
    for (const int at : definitionsOf(s, name)) {
        if (at >= from && at != exclude)
            return at;
    }
    return -1;
}

// From the start of testScript's value to its string literal, through lambda
// heads, `let … in` and (a few levels of) a name bound elsewhere in the
// file: `testScript = script;` with `script = ''…'';` in a `let`.
int findScriptString(const QString &s, int i, int attrOffset, bool *isFunction, int *expression)
{
    for (int hops = 0; hops < 4 && i >= 0 && i < s.size(); ++hops) {
        i = skipLambdaHeads(s, i, isFunction);
        const int body = skipLetIn(s, i);
        if (body != i) {
            i = body;
            continue;
        }
        if (i >= s.size()) // a lambda head or `let` with nothing after it
            return -1;
        if (QStringView(s).mid(i).startsWith(u"''") || s.at(i) == u'"')
            return i;
        int end = i;
        while (end < s.size() && isIdentChar(s.at(end)))
            ++end;
        if (end == i || NixSource::skipSpace(s, end) >= s.size()
            || s.at(NixSource::skipSpace(s, end)) != u';') {
            *expression = i;
            return -1; // an expression: only evaluation can tell (or a file it reads)
        }
        const int definition = findDefinition(s, QStringView(s).mid(i, end - i), attrOffset);
        i = definition < 0 ? -1 : NixSource::skipSpace(s, int(s.indexOf(u'=', definition)) + 1);
    }
    return -1;
}

// The value of the definition of `testScript` at `offset`: its literal,
// or the file it reads, or (error) no `testScript = …` there.
ScriptLocation locateDefinition(const QString &source, int offset, ScriptLocation loc)
{
    loc.attrLine = NixSource::lineOf(source, offset);
    loc.attrColumn = offset - int(source.lastIndexOf(u'\n', offset - 1) + 1) + 1;

    int i = offset;
    if (source.at(i) == u'"') {
        i = source.indexOf(u'"', i + 1) + 1;
    } else {
        while (i < source.size() && (isIdentChar(source.at(i)) || source.at(i) == u'.'))
            ++i;
    }
    i = NixSource::skipSpace(source, i);
    if (i >= source.size() || source.at(i) != u'=') {
        loc.error = QStringLiteral("testScript definition is not `testScript = …;`");
        return loc;
    }
    int expression = -1;
    i = findScriptString(
        source, NixSource::skipSpace(source, i + 1), offset, &loc.isFunction, &expression);
    if (i >= 0) {
        loc.isString = true;
        loc.line = NixSource::lineOf(source, i);
        loc.column = i - int(source.lastIndexOf(u'\n', i - 1) + 1) + 1;
    } else if (expression >= 0) {
        // `builtins.readFile ./x.py`, `lib.readFile ./x.py`, `import ./x.nix`.
        static const QRegularExpression reads(QStringLiteral(
            "\\G(?:(?:builtins|lib|lib\\.strings)\\.)?(readFile|import)\\s+(\\.{1,2}/[\\w./+-]+)"));
        const QRegularExpressionMatch m = reads.match(source, expression);
        if (m.hasMatch()) {
            loc.valueFile = m.captured(2);
            loc.valueIsImport = m.captured(1) == QLatin1StringView("import");
            loc.isScriptFile = !loc.valueIsImport;
            loc.line = NixSource::lineOf(source, expression);
        }
    }
    return loc;
}

} // namespace

ScriptLocation locateScriptInSource(const QString &source, int attrLine, int attrColumn)
{
    ScriptLocation loc;
    int offset = -1;
    if (attrLine > 0) {
        offset = NixSource::offsetOf(source, attrLine, attrColumn);
        loc.how = QStringLiteral("nix");
    } else {
        offset = findDefinition(source, u"testScript", -1);
        loc.how = QStringLiteral("text");
    }
    if (attrLine > 0 && attrColumn == 0) { // only the line is known
        const int lineStart = NixSource::offsetOf(source, attrLine, 1);
        offset = lineStart < 0 ? -1 : findDefinition(source, u"testScript", -1, lineStart);
    }
    if (offset < 0 && attrLine == 0) {
        // A file that is the script itself: `''…''` or `{ nodes, ... }: ''…''`.
        int expression = -1;
        const int literal = findScriptString(
            source, NixSource::skipSpace(source, 0), -1, &loc.isFunction, &expression);
        if (literal >= 0) {
            loc.isString = true;
            loc.line = loc.attrLine = NixSource::lineOf(source, literal);
            loc.column = loc.attrColumn
                = literal - int(source.lastIndexOf(u'\n', literal - 1) + 1) + 1;
            return loc;
        }
    }
    if (offset < 0) {
        loc.error = QStringLiteral("no testScript attribute found");
        return loc;
    }
    return locateDefinition(source, offset, loc);
}

QList<ScriptLocation> locateScriptsInSource(const QString &source)
{
    QList<ScriptLocation> out;
    for (const int offset : definitionsOf(source, u"testScript")) {
        ScriptLocation loc;
        loc.how = QStringLiteral("text");
        loc = locateDefinition(source, offset, loc);
        if (loc.found())
            out.append(loc);
    }
    return out;
}

int scriptStringOffset(const QString &source, const ScriptLocation &location)
{
    if (!location.isString || location.line < 1)
        return -1;
    int offset = 0;
    for (int l = 1; l < location.line && offset >= 0; ++l)
        offset = source.indexOf(u'\n', offset) + 1;
    if (offset <= 0 && location.line > 1)
        return -1;
    return offset + location.column - 1;
}

NixStringLiteral scriptLiteral(const QString &source, const ScriptLocation &location)
{
    const int offset = scriptStringOffset(source, location);
    if (offset < 0) {
        NixStringLiteral none;
        none.error = location.error.isEmpty()
            ? QStringLiteral("the testScript is not a string literal")
            : location.error;
        return none;
    }
    return NixSource::parseString(source, offset);
}

QString scriptValuePath(const QString &file, const ScriptLocation &location)
{
    if (location.valueFile.isEmpty())
        return {};
    return QFileInfo(QFileInfo(file).dir().filePath(location.valueFile)).absoluteFilePath();
}

ScriptLineMap ScriptLineMap::build(
    const QString &nixSource, const ScriptLocation &location, const QString &builtScript)
{
    if (location.isScriptFile) {
        // The build read the file as it is: line i is line i.
        ScriptLineMap map;
        if (builtScript != nixSource) {
            map.m_error = QStringLiteral("the built test script differs from %1 (edited since "
                                         "the build?)")
                              .arg(location.file);
            return map;
        }
        const int lines = int(builtScript.count(u'\n')) + 1;
        for (int l = 1; l <= lines; ++l)
            map.m_nixLines.append(l);
        return map;
    }
    const NixStringLiteral lit = scriptLiteral(nixSource, location);
    if (!lit.ok()) {
        ScriptLineMap map;
        map.m_error = lit.error;
        return map;
    }
    return build(NixSource::strip(lit), builtScript);
}

ScriptLineMap ScriptLineMap::build(const NixStringTemplate &tmpl, const QString &builtScript)
{
    ScriptLineMap map;
    // Align the literal text with the built script; whatever lies between
    // two literals is the value of the antiquotation there.
    QString pattern = QStringLiteral("\\A");
    for (const NixStringPart &seg : tmpl.segments) {
        if (seg.kind == NixStringPart::Kind::Antiquotation)
            pattern += QStringLiteral("(.*?)");
        else
            pattern += QRegularExpression::escape(seg.text);
    }
    pattern += QStringLiteral("\\z");
    const QRegularExpression re(pattern, QRegularExpression::DotMatchesEverythingOption);
    const QRegularExpressionMatch m = re.match(builtScript);
    if (!m.hasMatch()) {
        map.m_error = QStringLiteral("the built test script does not match the testScript in the "
                                     ".nix file (edited since the build?)");
        return map;
    }

    QVector<int> charLines;
    charLines.reserve(builtScript.size());
    int group = 1;
    for (const NixStringPart &seg : tmpl.segments) {
        if (seg.kind == NixStringPart::Kind::Antiquotation) {
            const QString value = m.captured(group++);
            map.m_values.append(value);
            charLines.insert(charLines.size(), value.size(), seg.line);
        } else {
            charLines += seg.lines;
        }
    }

    // A script line maps to the .nix line of its first character.
    bool lineStart = true;
    for (int i = 0; i < builtScript.size(); ++i) {
        if (lineStart)
            map.m_nixLines.append(charLines.at(i));
        lineStart = builtScript.at(i) == u'\n';
    }
    return map;
}

int ScriptLineMap::nixLineForScriptLine(int scriptLine) const
{
    return scriptLine >= 1 && scriptLine <= m_nixLines.size() ? m_nixLines.at(scriptLine - 1) : 0;
}

int ScriptLineMap::scriptLineForNixLine(int nixLine) const
{
    const int index = int(m_nixLines.indexOf(nixLine));
    return index < 0 ? 0 : index + 1;
}

} // namespace nixtide
