#pragma once

#include <QByteArray>
#include <QString>
#include <QVector>

namespace nixtide {

// One line of a .nix file's testScript as the Python highlighter sees it.
struct ScriptLineView
{
    // The line, as long as the file's line, with what is not Python blanked
    // out: `${…}` becomes `_` (the script resumes after it in the same Python
    // context, inside a Python string or not), Nix escapes (`''$`, `'''`,
    // `''\x`) keep only the characters they produce, text before the opening
    // or after the closing `''` becomes spaces.
    QString python;
    // One byte per character: 1 where the file's character is the script's
    // Python, 0 where it stays Nix (delimiters, escapes, antiquotations).
    QByteArray isPython;
    bool operator==(const ScriptLineView &other) const = default;
};

// Where a .nix file's testScripts (indented strings, bound directly or as a
// `{ nodes, ... }:` function's body; a file may define several tests) are,
// found by the same text scan the build uses (locateScriptsInSource), as one
// view per line each spans.
class ScriptRegion
{
public:
    static ScriptRegion locate(const QString &fileText);

    bool isEmpty() const { return m_spans.isEmpty(); }
    // 0-based lines of the first script's first line and the last script's
    // last line; -1 when empty.
    int firstLine() const { return isEmpty() ? -1 : m_spans.first().first; }
    int lastLine() const { return isEmpty() ? -1 : m_spans.last().last(); }
    // The view of a 0-based file line, or null outside every script.
    const ScriptLineView *line(int line0) const;
    // The first and last 0-based lines of the script holding line0, or -1.
    int scriptFirstLine(int line0) const;
    int scriptLastLine(int line0) const;

    // The first 0-based line whose view differs between a and b, or -1.
    static int firstDifference(const ScriptRegion &a, const ScriptRegion &b);

private:
    struct Span
    {
        int first = 0;
        QVector<ScriptLineView> lines;
        int last() const { return first + int(lines.size()) - 1; }
    };
    const Span *spanAt(int line0) const;
    QVector<Span> m_spans;
};

} // namespace nixtide
