#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace nixtide {

struct BundleMachine
{
    QString name; // as the driver names it: `run-<name>-vm` or the JSON key
    QString startScript; // absolute path of the start script
};

// A built interactive (or plain) test driver: `<dir>/bin/nixos-test-driver`
// plus `<dir>/test-script`. Both wrapper generations are read: the
// environment era (`export startScripts=… testScript=…` in the makeWrapper
// script) and the configuration era (`--config <json>` on the exec line).
// Only reads files: running the driver is DriverProcess's job, and it runs
// the wrapper untouched.
class DriverBundle
{
public:
    enum class Generation { Environment, Configuration };

    // Reads the bundle in `dir`. On failure returns nullopt and sets `error`
    // to a sentence naming the file and what is missing in it.
    static std::optional<DriverBundle> read(const QString &dir, QString *error);

    QString dir;
    QString driverPath; // <dir>/bin/nixos-test-driver
    QString testName; // from `nixos-test-driver-<name>` in the store path, else dir name
    Generation generation = Generation::Environment;
    QString configPath; // configuration era only
    QString testScriptPath; // the built test script the driver runs
    QList<BundleMachine> machines;
    QStringList containers; // configuration era systemd-nspawn nodes
    QList<int> vlans;
    int globalTimeout = 3600;
    QStringList wrapperArguments; // flags the wrapper adds before "$@"

    QStringList machineNames() const;
    // The test script's text; empty and `error` set when it cannot be read.
    QString readTestScript(QString *error) const;
};

} // namespace nixtide
