#include "core/nix/scriptlint.h"

#include "core/nix/evaluatednodes.h"
#include "core/nix/scriptsource.h"
#include "core/python/embeddedpython.h"

#include <QRegularExpression>

#include <algorithm>
#include <exception>

namespace nixtide {

BuildChecks BuildChecks::ofTest(const QString &testSource)
{
    static const QRegularExpression skipLint(QStringLiteral("\\bskipLint\\s*=\\s*true\\b"));
    static const QRegularExpression skipTypeCheck(
        QStringLiteral("\\bskipTypeCheck\\s*=\\s*true\\b"));
    BuildChecks checks;
    checks.lint = !skipLint.match(testSource).hasMatch();
    checks.typeCheck = !skipTypeCheck.match(testSource).hasMatch();
    return checks;
}

BuildChecks BuildChecks::of(const QString &nixText)
{
    const QList<EditorScript> scripts = extractEditorScripts(nixText, true);
    if (scripts.size() <= 1)
        return ofTest(nixText);
    BuildChecks any {false, false};
    for (const EditorScript &script : scripts) {
        const BuildChecks one = ofTest(script.testSource);
        any.lint = any.lint || one.lint;
        any.typeCheck = any.typeCheck || one.typeCheck;
    }
    return any;
}

ScriptLinter::ScriptLinter() = default;
ScriptLinter::~ScriptLinter() = default;

QList<LintMessage> ScriptLinter::lint(const QString &fileText, bool nix, const QString &path)
{
    if (!m_unavailable.isEmpty())
        return {};
    QList<LintMessage> result;
    try {
        QStringList known = knownScriptNames(fileText);
        if (!nix && !path.isEmpty())
            known += companionNodeNames(path);
        // Machines only Nix's answer names (a nodes function, an import).
        known += EvaluatedNodes::of(path);
        // Every test of the file, each as its own build checks it.
        for (const EditorScript &script : extractEditorScripts(fileText, nix)) {
            if (!script.found)
                continue;
            if (!m_python)
                m_python = std::make_unique<EmbeddedPython>();
            if (const auto error = m_python->syntaxError(script.text)) {
                result.append({script.fileLineFor(std::max(1, error->line)), error->column,
                    QStringLiteral("Syntax error: %1").arg(error->message), true});
                continue;
            }
            if (nix && !BuildChecks::ofTest(script.testSource).lint)
                continue;
            for (const ScriptDiagnostic &d : m_python->lint(script.text, known))
                result.append({script.fileLineFor(d.line), d.column + 1, d.message, false});
        }
    } catch (const std::exception &e) {
        m_unavailable = QString::fromLocal8Bit(e.what());
        return {};
    }
    return result;
}

} // namespace nixtide
