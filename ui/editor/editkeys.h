#pragma once

#include <QKeySequence>

namespace nixtide {

// The one Redo key of every editing widget (Edit menu, script editor,
// REPL): QKeySequence::Redo is Ctrl+Y on some desktops and Ctrl+Shift+Z
// on others, and QScintilla binds both.
inline QKeySequence redoKey()
{
    return QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z);
}

} // namespace nixtide
