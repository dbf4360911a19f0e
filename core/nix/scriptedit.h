#pragma once

#include "core/nix/scriptlinemap.h"

#include <QString>

namespace nixtide {

// Decides whether an edited .nix file can run against the VMs already built,
// with no Nix call: only when nothing outside the testScript literal changed
// and the literal's antiquotations are the same expressions in the same
// order. Their values are then taken from the built script.
struct ScriptEdit
{
    bool rebuildNeeded = true;
    QString reason; // why a rebuild is needed
    int line = 0; // the edited .nix line the reason is about, 0 when none
    QString script; // the new script text when no rebuild is needed
    ScriptLineMap lineMap; // its line map against the edited .nix text

    // `location` is where the testScript was at build time (in `builtNix`).
    static ScriptEdit check(const QString &builtNix, const QString &builtScript,
        const QString &editedNix, const ScriptLocation &location);
};

} // namespace nixtide
