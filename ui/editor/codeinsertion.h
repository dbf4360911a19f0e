#pragma once

#include <QString>
#include <QStringList>

namespace nixtide {

class ScriptEditor;

// Puts lines of test script code at an editor's cursor: on the cursor's
// line when it is blank, else on new lines after it, indented as the
// cursor's line (or the script line above a blank one). In a .nix file
// the cursor must be inside the testScript string, and the lines are
// escaped for it (`''` and `${` mean something in an indented string).
// The cursor ends after the last inserted line, so repeated insertions
// come out in order. False and `error` set when the cursor is elsewhere.
bool insertScriptLines(ScriptEditor *editor, const QStringList &lines, QString *error);

// `line` as it must be written inside a Nix indented string.
QString escapeForNixIndentedString(const QString &line);

} // namespace nixtide
