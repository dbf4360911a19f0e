#pragma once

#include "core/nix/nixlog.h"
#include "core/nix/testref.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace nixtide::cli {

// One test of a run-all suite: where it is, and the result derivation that
// running it means building (upstream's runNixOSTest value, a flake check,
// nixosTests.<name>).
struct SuiteTest
{
    TestRef ref; // complete: attrPath names the test itself
    QString name; // for people: the attribute path, or the reference
    QString drvPath; // empty when it does not evaluate
    QString outPath;
    QString evalError; // set when drvPath is empty
};

// Turns `nixtide run-all` arguments (a flake, a flake's attribute set, a
// .nix file with several tests, nixpkgs' nixosTests, single tests) into
// tests with their derivations. Evaluates with Nix and waits: headless or
// on a worker thread only.
class SuiteTests
{
public:
    // Tests in argument order, each once. A reference that cannot be
    // parsed, evaluated or holds no test adds a line to `errors`.
    static QList<SuiteTest> enumerate(const QStringList &references, QStringList *errors);

private:
    // drvPath/outPath of `tests`, all below `root`, with one `nix eval`.
    static void evaluate(const TestRef &root, QList<SuiteTest> &tests);
};

} // namespace nixtide::cli
