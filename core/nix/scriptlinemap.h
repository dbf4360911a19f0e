#pragma once

#include "core/nix/nixstring.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QVector>

namespace nixtide {

// Where a test's testScript is written in the .nix source.
struct ScriptLocation
{
    QString file; // working-tree path of the .nix file
    int attrLine = 0; // where `testScript` is defined (1-based)
    int attrColumn = 0;
    int line = 0; // the string literal's opening quote
    int column = 0;
    bool isFunction = false; // `testScript = { nodes, ... }: ''…''`
    bool isString = false; // false: found the attribute, but its value is not a literal
    // `testScript = builtins.readFile ./x.py;`: the script is that file's
    // whole text (`file` names it once TestInfo resolved it), lines map 1:1.
    bool isScriptFile = false;
    // The path a `readFile ./x.py` or `import ./x.nix` value names, as
    // written (relative to the file holding the attribute); else empty.
    QString valueFile;
    bool valueIsImport = false;
    QString how; // "nix" (builtins.unsafeGetAttrPos) or "text" (read the file)
    QString error; // empty when found
    bool found() const { return error.isEmpty() && attrLine > 0; }
    // The script's text can be mapped line by line (a literal or a file).
    bool mappable() const { return found() && (isString || isScriptFile); }
};

// The one testScript locator: every place that needs to know where a
// test's script is in a .nix text (the build's line map, the editor's
// highlighting and code insertion, lint and the type check, the outline,
// `nixtide lint`, which files read a script file, whether a file is a test
// module) asks these functions, so they all agree.
//
// Finds the testScript's string literal in `source`, starting from the
// attribute's position as Nix reports it (or, when attrLine is 0, from the
// first `testScript =` in the text; when attrColumn is 0, from the first on
// that line). The text is read as Nix's lexer reads it: a `testScript =` (or
// the name of a let-bound script) in a comment or inside another string is
// no definition. A file with no `testScript` whose whole value is a string
// (an imported script) has that string located. Pure text work, no Nix call.
ScriptLocation locateScriptInSource(const QString &source, int attrLine = 0, int attrColumn = 0);

// Every `testScript = …` definition in `source`, located as above, in text
// order (a file may define several tests); no whole-file string.
QList<ScriptLocation> locateScriptsInSource(const QString &source);

// Offset of the string literal described by `location` in `source`, or -1.
int scriptStringOffset(const QString &source, const ScriptLocation &location);

// The string literal described by `location`, parsed; when there is none,
// its error says why (the location's own error, or that it is no literal).
NixStringLiteral scriptLiteral(const QString &source, const ScriptLocation &location);

// The absolute path of the file a `readFile`/`import` value names
// (location.valueFile, relative to `file`, the .nix file holding the
// attribute); empty when the value names none.
QString scriptValuePath(const QString &file, const ScriptLocation &location);

// Maps the built test-script's lines to the .nix lines they came from:
// indentation stripping, `''$`/`'''` escapes and antiquotations included
// (every line an antiquotation produces maps to the line of its `${`).
class ScriptLineMap
{
public:
    ScriptLineMap() = default;
    static ScriptLineMap build(
        const QString &nixSource, const ScriptLocation &location, const QString &builtScript);
    static ScriptLineMap build(const NixStringTemplate &tmpl, const QString &builtScript);

    bool isValid() const { return m_error.isEmpty() && !m_nixLines.isEmpty(); }
    QString error() const { return m_error; }
    // Element i is the .nix line of script line i + 1.
    const QVector<int> &nixLines() const { return m_nixLines; }
    int nixLineForScriptLine(int scriptLine) const; // 0 when out of range
    int scriptLineForNixLine(int nixLine) const; // first script line, 0 when none
    // The text each antiquotation produced in the built script, in order.
    QStringList antiquotationValues() const { return m_values; }

private:
    QVector<int> m_nixLines;
    QStringList m_values;
    QString m_error;
};

} // namespace nixtide
