#include "core/nix/scriptlint.h"

#include "core/nix/scriptsource.h"
#include "core/python/embeddedpython.h"

#include <QRegularExpression>

#include <algorithm>
#include <exception>

namespace nixtide {

BuildChecks BuildChecks::of(const QString &nixText)
{
    static const QRegularExpression skipLint(QStringLiteral("\\bskipLint\\s*=\\s*true\\b"));
    static const QRegularExpression skipTypeCheck(
        QStringLiteral("\\bskipTypeCheck\\s*=\\s*true\\b"));
    BuildChecks checks;
    checks.lint = !skipLint.match(nixText).hasMatch();
    checks.typeCheck = !skipTypeCheck.match(nixText).hasMatch();
    return checks;
}

ScriptLinter::ScriptLinter() = default;
ScriptLinter::~ScriptLinter() = default;

QList<LintMessage> ScriptLinter::lint(const QString &fileText, bool nix, const QString &path)
{
    const EditorScript script = extractEditorScript(fileText, nix);
    if (!script.found || !m_unavailable.isEmpty())
        return {};
    QList<LintMessage> result;
    try {
        if (!m_python)
            m_python = std::make_unique<EmbeddedPython>();
        if (const auto error = m_python->syntaxError(script.text)) {
            result.append({script.fileLineFor(std::max(1, error->line)), error->column,
                QStringLiteral("Syntax error: %1").arg(error->message), true});
            return result;
        }
        if (nix && !BuildChecks::of(fileText).lint)
            return result;
        QStringList known = knownScriptNames(fileText);
        if (!nix && !path.isEmpty())
            known += companionNodeNames(path);
        for (const ScriptDiagnostic &d : m_python->lint(script.text, known))
            result.append({script.fileLineFor(d.line), d.column + 1, d.message, false});
    } catch (const std::exception &e) {
        m_unavailable = QString::fromLocal8Bit(e.what());
        return {};
    }
    return result;
}

} // namespace nixtide
