#include "core/session/scriptreuse.h"

#include "core/nix/scriptedit.h"

namespace nixtide {

ScriptReuse ScriptReuse::decide(
    const LaunchPlan &previous, const BuiltSource &built, const QString &editedNix)
{
    ScriptReuse out;
    auto rebuild = [&out](const QString &reason, int line = 0) {
        out.m_decision = QStringLiteral("rebuilt: ") + reason;
        out.m_reason = reason;
        out.m_line = line;
        return out;
    };
    if (!previous.scriptPath.isEmpty())
        return rebuild(QStringLiteral("the previous run used a --script file"));
    // Without a located testScript nothing can be compared but the whole
    // text: unchanged, the built script runs again as it is.
    if (!built.isValid() && !built.text.isEmpty() && built.text == editedNix
        && previous.scriptText.isEmpty()) {
        out.m_rebuild = false;
        out.m_decision = QStringLiteral("ran the script again without rebuilding (no edits)");
        out.m_plan = previous;
        return out;
    }
    if (!built.isValid())
        return rebuild(QStringLiteral("the previous build's testScript was not located"));
    if (previous.sourcePath.isEmpty() || previous.lineMap.isEmpty())
        return rebuild(QStringLiteral("the previous run had no line map to its .nix file"));
    // The built script: the bundle's own, not a script an earlier edit ran,
    // since the antiquotations' values come from what Nix produced.
    QString error;
    const QString builtScript = previous.bundle.readTestScript(&error);
    if (builtScript.isEmpty())
        return rebuild(QStringLiteral("cannot read the built test script: ") + error);
    if (built.location.isScriptFile) {
        // A script file is the script: its edited text runs as it is.
        out.m_rebuild = false;
        out.m_decision = editedNix == built.text
            ? QStringLiteral("ran the script again without rebuilding (no edits)")
            : QStringLiteral("ran the edited script without rebuilding");
        out.m_plan = previous;
        out.m_plan.scriptText = editedNix;
        out.m_plan.lineMap.clear();
        for (int l = 1; l <= int(editedNix.count(u'\n')) + 1; ++l)
            out.m_plan.lineMap.append(l);
        return out;
    }
    const ScriptEdit edit = ScriptEdit::check(built.text, builtScript, editedNix, built.location);
    if (edit.rebuildNeeded || !edit.lineMap.isValid())
        return rebuild(edit.rebuildNeeded ? edit.reason : edit.lineMap.error(), edit.line);

    out.m_rebuild = false;
    out.m_decision = editedNix == built.text
        ? QStringLiteral("ran the script again without rebuilding (no edits)")
        : QStringLiteral("ran the edited script without rebuilding");
    out.m_plan = previous;
    out.m_plan.scriptText = edit.script;
    out.m_plan.lineMap = QList<int>(edit.lineMap.nixLines().begin(), edit.lineMap.nixLines().end());
    return out;
}

} // namespace nixtide
