#include "ui/editor/expressionhover.h"

#include <QToolTip>
#include <Qsci/qsciscintilla.h>

namespace nixtide {

namespace {

constexpr int kDwellMs = 500;

bool nameChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_';
}

} // namespace

ExpressionHover::ExpressionHover(QsciScintilla *editor)
    : QObject(editor)
    , m_editor(editor)
{
    editor->SendScintilla(QsciScintillaBase::SCI_SETMOUSEDWELLTIME, kDwellMs);
    connect(editor, &QsciScintillaBase::SCN_DWELLSTART, this, &ExpressionHover::onDwellStart);
    connect(editor, &QsciScintillaBase::SCN_DWELLEND, this, [this] {
        m_expression.clear();
        QToolTip::hideText();
    });
}

QString ExpressionHover::expressionAt(int position) const
{
    if (position < 0)
        return {};
    int line = 0;
    int index = 0;
    m_editor->lineIndexFromPosition(position, &line, &index);
    const QString text = m_editor->text(line);
    // The index is in bytes; the line's UTF-8 prefix gives the character.
    const int column = int(QString::fromUtf8(text.toUtf8().left(index)).size());
    if (column >= text.size() || !nameChar(text.at(column)))
        return {};
    int end = column;
    while (end < text.size() && nameChar(text.at(end)))
        ++end;
    int start = column;
    while (start > 0 && (nameChar(text.at(start - 1)) || text.at(start - 1) == u'.'))
        --start;
    QString expression = text.mid(start, end - start);
    while (expression.startsWith(u'.'))
        expression.remove(0, 1);
    if (expression.isEmpty() || expression.at(0).isDigit())
        return {};
    return expression;
}

void ExpressionHover::show(const QString &expression, const QString &text)
{
    if (expression != m_expression || text.isEmpty())
        return;
    QToolTip::showText(m_where, text, m_editor);
}

void ExpressionHover::onDwellStart(int position, int x, int y)
{
    const QString expression = expressionAt(position);
    if (expression.isEmpty())
        return;
    m_expression = expression;
    m_where = m_editor->viewport()->mapToGlobal(QPoint(x, y));
    Q_EMIT hovered(expression);
}

} // namespace nixtide
