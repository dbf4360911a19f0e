#pragma once

#include "core/nix/nixlog.h"
#include "core/nix/testref.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace nixtide {

// Which attribute builds the test written in a .nix file. Real test files
// are rarely callable on their own: a nixpkgs test is `nixosTests.<name>`
// through nixos/tests/all-tests.nix, a flake's test is one of its `checks`,
// a project's is an attribute of its default.nix, and a module-style file is
// given to runNixOSTest. Nix confirms every answer where it can evaluate.
struct FoundTests
{
    QList<TestRef> tests;
    QString how; // for people: where the tests were found
    QStringList tried; // what was tried before, and why it gave nothing
    QString error; // set when `tests` is empty: names the file and what was tried
    // The file does not evaluate (a syntax error, an undefined name …): what
    // Nix said, with the file's line. Nothing else is tried then.
    NixError fileError;
};

class TestFinder
{
public:
    // Runs `nix eval` and waits: headless or on a worker thread only.
    static FoundTests find(const QString &file);

    // Text only: the nixpkgs checkout holding `file` (a directory with
    // nixos/tests/all-tests.nix above it) and the names of the all-tests.nix
    // entries that refer to it (`foo = runTest ./foo.nix;`,
    // `bar = handleTest ./bar {};` for bar/default.nix, `outer = { inner =
    // runTest ./x.nix; };` as outer.inner …).
    struct NixpkgsEntries
    {
        QString root; // empty: not inside a nixpkgs checkout
        QString allTests;
        QList<QStringList> paths; // attribute paths below nixosTests
    };
    static NixpkgsEntries nixpkgsEntries(const QString &file);

    // The files (working-tree paths) where Nix says each test's testScript
    // is defined; empty strings where it cannot tell.
    static QStringList scriptFiles(const QList<TestRef> &tests);
};

} // namespace nixtide
