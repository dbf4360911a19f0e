#pragma once

#include "core/nix/nixlog.h"
#include "core/nix/scriptlinemap.h"
#include "core/nix/testref.h"
#include "core/python/embeddedpython.h"

#include <QList>
#include <QStringList>

namespace nixtide {

// Facts about a test that come from evaluating it (no build). Each call runs
// `nix eval` and waits: use them headless or on a worker thread, never on
// the GUI thread.
class TestInfo
{
public:
    // Attribute paths of the tests in a file or flake (for a flake with no
    // attribute path, its `checks` for this machine's system, else all
    // systems). A test is an attribute set with `driverInteractive` or
    // `driver`. Paths are complete: pass them back as TestRef::attrPath.
    static QStringList listTests(const TestRef &ref, NixError *error);

    // Where the testScript is defined: Nix's own answer
    // (builtins.unsafeGetAttrPos) when it points at a literal in the working
    // tree, else the first `testScript =` in the test's file(s).
    static ScriptLocation locateTestScript(const TestRef &ref);

    // A Nix function from a test to where its testScript is defined
    // ({ file; line; column; }, column 0 when only the line is known), or null.
    static QString scriptPositionFunction();

    // Node names (builtins.attrNames test.nodes) and VLAN numbers when the
    // nodes declare `virtualisation.vlans`.
    struct Outline
    {
        QString name;
        QStringList nodes;
        QList<int> vlans;
        QList<ScriptStatement> statements; // subtests and top-level statements
    };
    static Outline outline(const TestRef &ref, NixError *error);
    // The script's statements (the outline's lower half), from its text.
    static QList<ScriptStatement> scriptOutline(const QString &script, QString *error = nullptr);

    // "x86_64-linux" etc., as Nix names this machine's system.
    static QString currentSystem();
};

} // namespace nixtide
