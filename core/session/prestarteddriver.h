#pragma once

#include "core/session/driverhost.h"
#include "core/session/launchplan.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <utility>

namespace nixtide {

// A driver started from a test's last build before Nix has said that build
// is still the test's: the driver's Python and the agent start while Nix
// evaluates, which is most of the time from opening a test to its first
// line. The agent is connected to but told nothing, and it runs no script
// before a client's configurationDone, so no line of the test runs until a
// DebugSession adopts the driver (take()); what the driver sets up before
// its script (VLAN switches) is in its process group. A plan that would
// start the driver differently gets nothing, and the driver's group ends
// with this object.
class PrestartedDriver : public QObject
{
    Q_OBJECT

public:
    // What a DebugSession takes over: the running host and what it said
    // before anyone listened.
    struct Handover
    {
        std::unique_ptr<DriverHost> host;
        QList<std::pair<QString, bool>> output; // (line, isStderr), in order
        bool agentConnected = false;
    };

    explicit PrestartedDriver(QObject *parent = nullptr);
    ~PrestartedDriver() override;

    // The driver of the test's last build as BuildCache remembers it,
    // started; null when none is remembered or it cannot start.
    static std::unique_ptr<PrestartedDriver> startLastBuild(
        const QString &test, const QString &attribute);

    // Only plans run on this machine without kept VM state are started
    // early: a remote copy or a kept state directory is not undone by
    // ending a process group. False and `error` otherwise.
    bool start(const LaunchPlan &plan, QString *error);
    // The driver, when `plan` starts the same one the same way (bundle,
    // arguments, state directory) and it is still usable; nullopt otherwise
    // (then it is left to end with this object) and `why` says which.
    std::optional<Handover> take(const LaunchPlan &plan, QString *why);
    qint64 processId() const;
    // Its driver runs, as far as this process has been told.
    bool isRunning() const { return m_host && m_host->isRunning(); }
    bool agentConnected() const { return m_connected; }

private:
    // What DriverHost::start() makes of a plan (launchOptions()) on which
    // host: the process it runs.
    static QStringList launchKey(const LaunchPlan &plan);

    std::unique_ptr<DriverHost> m_host;
    QStringList m_key;
    QList<std::pair<QString, bool>> m_output;
    bool m_connected = false;
    QString m_unusable; // why the driver can no longer be taken
};

} // namespace nixtide
