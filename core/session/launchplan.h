#pragma once

#include "core/bundle/driverbundle.h"

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace nixtide {

// Everything needed to run one test under the agent: the bundle, the source
// the user edits and how built script lines map to it, and the options.
struct LaunchPlan
{
    DriverBundle bundle;
    QString sourcePath; // the .nix file; empty when running a bare bundle
    // The test as opened (TestRef::toString(): a file, a flake attribute…),
    // recorded so that the run counts as that test's last result; empty
    // for a bare bundle.
    QString reference;
    QList<int> lineMap; // lineMap[i] = source line of built script line i+1
    QString scriptPath; // --script: a Python file run instead of the built script
    QString scriptText; // with scriptPath empty: an edited script run in place of the built one
    bool stopOnEntry = false;
    bool noDebug = false;
    bool keepVmState = false;
    QString junitXml; // the JUnit report: by the driver (--junit-xml) or by nixtide
    // The long options the bundle's driver accepts (DriverOptionsProbe);
    // empty: not known, then only those every release has are passed.
    QStringList driverOptions;
    // The driver's TMPDIR and XDG_RUNTIME_DIR; empty: a private one, or with
    // keepVmState DataPaths::keptVmStateDir(), shared by the test's runs.
    QString vmStateDir;
    QString effectiveVmStateDir() const;
    QStringList extraDriverArguments;
    // Where the driver runs: empty for this machine, else ssh://[user@]host[:port]
    // (RemoteDriverProcess; ssh options from NIX_SSHOPTS).
    QString host;
    bool record = true; // write a RunRecord under DataPaths::stateDir()/runs
    QString recordBase; // override for tests; empty: stateDir()/runs

    // The path breakpoints and stops are expressed in: the .nix file when
    // mapped, the --script file, else the bundle's test script.
    QString breakpointPath() const;
    // Arguments of the DAP launch request the agent understands.
    QJsonObject launchArguments() const;
    // launchArguments() without how the script stops and traces: what runs
    // and where its lines map. What a restart carries (it keeps the first
    // launch's stopping and tracing) and what `nixtide debug-adapter` adds
    // to an editor's own launch.
    QJsonObject scriptArguments() const;
    // Runs the Python file at `path` instead of the test's own script
    // (`nixtide run --script`, the adapter's `script`): sets scriptPath
    // and scriptText, or false and `error` naming the file.
    bool loadScript(const QString &path, QString *error);
    QStringList driverArguments() const;
    bool driverAccepts(const QString &option) const;
    // How this driver is told to keep its machines' state; empty: it cannot.
    QString keepStateOption() const;
    // A JUnit report is wanted that the driver cannot write: nixtide
    // writes it from the run's events (JunitReport).
    bool nixtideWritesJunit() const;
};

} // namespace nixtide

Q_DECLARE_METATYPE(nixtide::LaunchPlan)
