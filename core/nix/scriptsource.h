#pragma once

#include <QString>
#include <QStringList>
#include <QVector>

namespace nixtide {

// The Python a test file runs, as static analysis should see it: for a .nix
// file the testScript string after Nix's indentation stripping, with every
// `${…}` replaced by kAntiquotationPlaceholder (its value is unknown before
// evaluation, but it must still read as a Python expression).
struct EditorScript
{
    QString text;
    QVector<int> fileLines; // element i: 1-based file line of script line i + 1
    bool found = false;
    // The Nix text of the test this script belongs to: the attribute set
    // defining it when the file defines several tests, else the whole file
    // (where `skipLint`/`skipTypeCheck` are read).
    QString testSource;
    int fileLineFor(int scriptLine) const
    {
        return scriptLine >= 1 && scriptLine <= fileLines.size() ? fileLines.at(scriptLine - 1) : 0;
    }
};

inline constexpr auto kAntiquotationPlaceholder = "__nix_antiquotation__";

EditorScript extractEditorScript(const QString &fileText, bool nix);
// Every testScript of a .nix file (several tests in one file), in file
// order; the one script of a .py file. A .nix file with none gives one
// EditorScript whose `found` is false.
QList<EditorScript> extractEditorScripts(const QString &fileText, bool nix);

// Names a test script may use without defining them: the driver's globals,
// the machines declared in the file (`nodes.<name>`, `nodes = { <name> = …`)
// and the antiquotation placeholder.
QStringList driverGlobals();
QStringList machineMethods();
QStringList nodeNames(const QString &fileText);
// The nodeNames() that are `containers.<n>` (systemd-nspawn machines).
QStringList containerNames(const QString &fileText);
QStringList knownScriptNames(const QString &fileText);
// For a script kept in its own file: the machines of the .nix files next to
// it that read it (`testScript = builtins.readFile ./NAME.py`).
QStringList companionNodeNames(const QString &scriptPath);

} // namespace nixtide
