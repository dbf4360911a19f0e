#include "ui/editor/scriptcompleter.h"

#include "core/nix/evaluatednodes.h"
#include "core/nix/scriptsource.h"
#include "ui/editor/scripteditor.h"
#include "ui/editor/syntaxlexer.h"

#include <algorithm>

namespace nixtide {

namespace {

bool isIdentChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

} // namespace

ScriptCompleter::ScriptCompleter(ScriptEditor *editor)
    : QObject(editor)
    , m_editor(editor)
{
    m_editor->setAutoCompletionSource(QsciScintilla::AcsNone);
    connect(m_editor, &QsciScintillaBase::SCN_CHARADDED, this, &ScriptCompleter::onCharAdded);
}

bool ScriptCompleter::inPythonCode(int position) const
{
    if (!m_editor->isNix())
        return true;
    const auto *lexer = qobject_cast<const SyntaxLexer *>(m_editor->lexer());
    if (position <= 0 || !lexer)
        return false;
    // The lexer styles lazily; style up to the caret before asking, from
    // where styling stopped: SCI_COLOURISE restyles from its first argument.
    const long styled = m_editor->SendScintilla(QsciScintillaBase::SCI_GETENDSTYLED);
    m_editor->SendScintilla(
        QsciScintillaBase::SCI_COLOURISE, static_cast<unsigned long>(styled), long(position));
    return lexer->isScriptCode(int(m_editor->SendScintilla(
        QsciScintillaBase::SCI_GETSTYLEAT, static_cast<unsigned long>(position - 1))));
}

QStringList ScriptCompleter::completionsAt(int position, int *typedLength) const
{
    if (typedLength)
        *typedLength = 0;
    const auto charAt = [this](int pos) {
        return pos < 0 ? '\0'
                       : static_cast<char>(m_editor->SendScintilla(
                             QsciScintillaBase::SCI_GETCHARAT, static_cast<unsigned long>(pos)));
    };
    int start = position;
    while (start > 0 && isIdentChar(charAt(start - 1)))
        --start;
    const int typed = position - start;
    if (typed > 0 && charAt(start) >= '0' && charAt(start) <= '9')
        return {};
    const QString text = m_editor->text();
    QStringList candidates;
    if (charAt(start - 1) == '.') {
        int ownerStart = start - 1;
        while (ownerStart > 0 && isIdentChar(charAt(ownerStart - 1)))
            --ownerStart;
        QString owner;
        for (int i = ownerStart; i < start - 1; ++i)
            owner.append(QLatin1Char(charAt(i)));
        QStringList machines = nodeNames(text) + EvaluatedNodes::of(m_editor->filePath());
        machines.append(QStringLiteral("machine"));
        // `machines[0].` indexes the driver's machine list.
        if (machines.contains(owner) || charAt(start - 2) == ']')
            candidates = machineMethods();
    } else if (typed >= kThreshold) {
        candidates = driverGlobals();
        for (const QString &name : nodeNames(text) + EvaluatedNodes::of(m_editor->filePath())) {
            if (!candidates.contains(name))
                candidates.append(name);
        }
    }
    if (candidates.isEmpty() || !inPythonCode(start > 0 ? start : position))
        return {};
    std::sort(candidates.begin(), candidates.end());
    if (typedLength)
        *typedLength = typed;
    return candidates;
}

void ScriptCompleter::onCharAdded(int ch)
{
    if (ch != '.' && !isIdentChar(static_cast<char>(ch)))
        return;
    if (m_editor->SendScintilla(QsciScintillaBase::SCI_AUTOCACTIVE)) {
        if (ch != '.')
            return; // the open list filters itself as the user types
        // `machi|` offered globals; `machine.` asks for its methods instead.
        m_editor->SendScintilla(QsciScintillaBase::SCI_AUTOCCANCEL);
    }
    const int position = int(m_editor->SendScintilla(QsciScintillaBase::SCI_GETCURRENTPOS));
    int typed = 0;
    const QStringList candidates = completionsAt(position, &typed);
    if (candidates.isEmpty())
        return;
    const char separator
        = static_cast<char>(m_editor->SendScintilla(QsciScintillaBase::SCI_AUTOCGETSEPARATOR));
    const QByteArray list = candidates.join(QChar::fromLatin1(separator)).toLatin1();
    m_editor->SendScintilla(
        QsciScintillaBase::SCI_AUTOCSHOW, static_cast<unsigned long>(typed), list.constData());
}

} // namespace nixtide
