#pragma once

#include "core/nix/scriptlint.h"
#include "core/nix/scriptsource.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace nixtide {

// The classes a driver package's generation gives the build's type hints:
// machines are `Machine` in older drivers, `QemuMachine` (with `BaseMachine`
// for the `machines` list) in the newest; the logger is `Logger` or
// `AbstractLogger`; `Driver` and `DebugAbstract` exist in upstream packages
// only. Read from the package's text.
struct DriverTypeNames
{
    QString machine = QStringLiteral("Machine");
    QString anyMachine = QStringLiteral("Machine");
    QString container = QStringLiteral("Machine");
    QString logger = QStringLiteral("AbstractLogger");
    QString driver = QStringLiteral("Any");
    QString debug = QStringLiteral("Any");

    static DriverTypeNames of(const QString &packageDir);
};

// The build's type check, before any build: the script prefixed with the
// types of what the driver gives it (the driver's own classes, one
// annotated name per machine and per VLAN), run through
// `mypy --no-implicit-optional` against a driver package. Runs a process
// and waits: not for the GUI thread.
class ScriptTypeChecker
{
public:
    // `driverPackageDir` is a `test_driver` package directory: a built
    // bundle's (DriverSymbols::packageDirOf), else the one nixtide ships.
    explicit ScriptTypeChecker(QString driverPackageDir);

    static QString bundledDriverPackageDir();
    // The prefix, as the type checker sees it (exposed for tests).
    // `machines` are Python names, as nodeNames() gives them.
    // `containers` are those of `machines` that are containers.
    static QString prepend(const QStringList &machines, const QList<int> &vlans,
        const DriverTypeNames &types, const QStringList &containers = {});

    // Messages at the file's lines. `error` says why nothing could be
    // checked (no mypy, mypy crashed); it stays empty on success.
    QList<LintMessage> check(const EditorScript &script, const QStringList &machines,
        const QList<int> &vlans, QString *error, const QStringList &containers = {}) const;
    // check() on a test file as its build would run it: its script, its
    // machines (a .py script's from the .nix files next to it that read it)
    // and VLANs, and no undefined-name finding where pyflakes runs too (it
    // says those once). Reads files: not for the GUI thread either.
    QList<LintMessage> checkFile(
        const QString &fileText, bool nix, const QString &path, QString *error) const;

private:
    QString m_driverPackageDir;
    DriverTypeNames m_types;
};

// VLAN numbers the file's nodes declare (`virtualisation.vlans = [ 1 2 ]`),
// from the text.
QList<int> declaredVlans(const QString &nixText);

} // namespace nixtide
