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

// Where a .nix file's testScript (an indented string, bound directly or as a
// `{ nodes, ... }:` function's body) is, found by the same text scan the
// build uses (locateScriptInSource), as one view per line it spans.
class ScriptRegion
{
public:
    static ScriptRegion locate(const QString &fileText);

    bool isEmpty() const { return m_lines.isEmpty(); }
    int firstLine() const { return m_first; } // 0-based; -1 when empty
    int lastLine() const { return m_first + int(m_lines.size()) - 1; }
    // The view of a 0-based file line, or null outside the script.
    const ScriptLineView *line(int line0) const;

    // The first 0-based line whose view differs between a and b, or -1.
    static int firstDifference(const ScriptRegion &a, const ScriptRegion &b);

private:
    int m_first = -1;
    QVector<ScriptLineView> m_lines;
};

} // namespace nixtide
