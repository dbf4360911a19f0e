#pragma once

#include "core/nix/nixlog.h"
#include "core/nix/testref.h"

#include <QJsonValue>
#include <QString>
#include <QStringList>

namespace nixtide {

// How nixtide calls the `nix` command line. Only flags that every Nix from
// 2.18 on has (and Debian's 2.8) are used; substituters are left to the
// user's configuration.
class NixCommand
{
public:
    // NIXTIDE_NIX, else `nix` on PATH; empty when Nix is not installed.
    static QString program();
    static NixError missingNixError();
    static QStringList commonArgs();
    // Arguments selecting `attr` below the test's attribute path, for `nix build`.
    static QStringList buildInstallable(const TestRef &ref, const QString &attr);
    // `nix eval --json` arguments that apply the Nix function `apply` to the
    // value at the test's attribute path (a .nix file is imported and, when it
    // is a function, called with its defaults).
    static QStringList evalArgs(const TestRef &ref, const QString &apply);
    // A test module given to runNixOSTest of the nixpkgs on NIX_PATH, or of
    // a flake's `nixpkgs` input (ref.flakeRef).
    static QString moduleExpression(const TestRef &ref);
    // A Nix string literal holding `text`.
    static QString quote(const QString &text);
    // `/nix/store/…-source/x.nix` (a flake's source copied to the store) →
    // the file in the working tree, when it exists there; else `file`.
    static QString mapStorePath(const TestRef &ref, const QString &file);
    // Runs `nix eval --json` and waits. For headless commands and worker
    // threads only: never call it on the GUI thread.
    static QJsonValue evalJson(
        const TestRef &ref, const QString &apply, NixError *error, int timeoutMs = 120000);
    // The same for an expression of nixtide's own (`nix eval --impure --expr`).
    static QJsonValue evalExpression(
        const QString &expression, NixError *error, int timeoutMs = 120000);

private:
    static QJsonValue runEval(
        const QStringList &args, const TestRef &ref, NixError *error, int timeoutMs);
};

} // namespace nixtide
