#pragma once

#include "core/nix/scriptlinemap.h"
#include "core/session/launchplan.h"

#include <QString>

namespace nixtide {

// The .nix text a plan was built from and where its testScript literal was,
// as TestResolver read them after the build: what an edit is compared with.
struct BuiltSource
{
    QString text;
    ScriptLocation location; // not found: only an unedited text can run again
    bool isValid() const { return !text.isEmpty() && location.mappable(); }
};

// Decides how to run an edited .nix file after a build: the edited script
// against the VMs already built, with no Nix call (ScriptEdit::check), or a
// rebuild, with the reason. Every later edit is compared with the same
// BuiltSource (what Nix built), not with the previous edit: the
// antiquotations' values come from the built script. The one decision for
// `nixtide run --reuse-build` and the window's Ctrl+F5, so both say the
// same words. Pure text work, cheap enough for the GUI thread.
class ScriptReuse
{
public:
    static ScriptReuse decide(
        const LaunchPlan &previous, const BuiltSource &built, const QString &editedNix);

    bool rebuildNeeded() const { return m_rebuild; }
    // For people: "ran the edited script without rebuilding", "ran the
    // script again without rebuilding (no edits)" or "rebuilt: the
    // antiquotation (${…}) on line 5 was added, removed or changed".
    QString decision() const { return m_decision; }
    // Why a rebuild is needed, without the "rebuilt: " of decision().
    QString reason() const { return m_reason; }
    int line() const { return m_line; } // the .nix line a rebuild's reason names, or 0
    // When no rebuild is needed: `previous` with the edited script and its
    // line map (the built script when nothing was edited, so that an earlier
    // edit run by restart does not linger); the bundle, VMs and options are
    // kept. When the script was never located, `previous` unchanged.
    const LaunchPlan &plan() const { return m_plan; }

private:
    bool m_rebuild = true;
    QString m_decision;
    QString m_reason;
    int m_line = 0;
    LaunchPlan m_plan;
};

} // namespace nixtide
