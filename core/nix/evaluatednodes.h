#pragma once

#include <QString>
#include <QStringList>

namespace nixtide {

// The machines Nix's answer names for a test file (its evaluated nodes and
// containers), as the Python names the script uses. The text scan
// (nodeNames) cannot see a machine defined by a function or in an imported
// nodes file; once an evaluation succeeded, lint, the type check and
// completion add these. Kept per absolute file path for the process; read
// from the type check's worker thread too.
class EvaluatedNodes
{
public:
    // `nixNames` as Nix spells them ("web-server"); replaces earlier ones.
    static void set(const QString &file, const QStringList &nixNames);
    static QStringList of(const QString &file);
    // Every machine a test's script can name: those of its text (a .nix
    // file's nodes, or for a script file those of the .nix reading it),
    // then those only Nix's answer names.
    static QStringList withTextNames(const QString &file, const QString &fileText, bool nix);
    static void clear();
};

} // namespace nixtide
