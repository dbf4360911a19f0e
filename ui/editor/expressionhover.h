#pragma once

#include <QObject>
#include <QPoint>

class QsciScintilla;

namespace nixtide {

// Asks for the value under the mouse: when the pointer rests on a name in
// an editor (Scintilla's dwell), the dotted name up to the word under it
// (`machine` on `machine`, `machine.name` on `name`) is offered through
// hovered(); whoever evaluates it calls show() with the answer. Only names
// and attributes are offered: a hover must never run a command.
class ExpressionHover : public QObject
{
    Q_OBJECT

public:
    explicit ExpressionHover(QsciScintilla *editor);

    // The expression at a byte position of the editor's text, or empty.
    QString expressionAt(int position) const;
    // Shows `text` as the tool tip where the last hover was.
    void show(const QString &expression, const QString &text);

Q_SIGNALS:
    void hovered(const QString &expression);

private:
    void onDwellStart(int position, int x, int y);

    QsciScintilla *m_editor;
    QString m_expression; // the one waiting for its value
    QPoint m_where; // global position of the pointer
};

} // namespace nixtide
