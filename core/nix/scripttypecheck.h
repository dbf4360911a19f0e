#pragma once

#include "core/nix/scriptlint.h"
#include "core/nix/scriptsource.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace nixtide {

// Which of the build's checks a test file asks for: upstream's driver
// derivation lints the script with pyflakes unless `skipLint = true` and
// type-checks it with mypy unless `skipTypeCheck = true`; either failing
// fails the build.
struct BuildChecks
{
    bool lint = true;
    bool typeCheck = true;
    static BuildChecks of(const QString &nixText);
};

// The build's type check, before any build: the script prefixed with the
// types of what the driver gives it (the driver's own classes, one
// annotated name per machine and per VLAN), run through
// `mypy --no-implicit-optional` against a driver package. Runs a process
// and waits: not for the GUI thread.
class ScriptTypeChecker
{
public:
    // `driverPackageDir` holds the `test_driver` package: a built bundle's,
    // else the one nixtide ships (its newest generation's shape).
    explicit ScriptTypeChecker(QString driverPackageDir);

    static QString bundledDriverPackageDir();
    // The prefix, as the type checker sees it (exposed for tests).
    static QString prepend(const QStringList &machines, const QList<int> &vlans);

    // Messages at the file's lines. `error` says why nothing could be
    // checked (no mypy, mypy crashed); it stays empty on success.
    QList<LintMessage> check(const EditorScript &script, const QStringList &machines,
        const QList<int> &vlans, QString *error) const;

    // mypy's undefined-name findings repeat pyflakes' messages: drop them
    // where pyflakes runs too.
    static void dropWhatPyflakesSays(QList<LintMessage> *messages);

private:
    QString m_driverPackageDir;
};

// VLAN numbers the file's nodes declare (`virtualisation.vlans = [ 1 2 ]`),
// from the text.
QList<int> declaredVlans(const QString &nixText);

} // namespace nixtide
