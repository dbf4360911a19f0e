#pragma once

#include <QString>
#include <QStringList>

namespace nixtide {

// Splits one line of POSIX shell into words the way the shell would before
// expansion: single quotes, double quotes (with \" \\ \$ \` escapes),
// backslash escapes, adjacent parts concatenated. Parameter expansions such as
// "$@" stay literal text: the wrappers we read only need their quoting undone.
// Returns false on an unterminated quote.
bool splitShellWords(const QString &line, QStringList *words);

} // namespace nixtide
