#pragma once

#include "core/launch/processtree.h"
#include "core/nix/nixlog.h"
#include "core/nix/testref.h"

#include <QObject>
#include <QProcess>
#include <QSet>
#include <QTimer>

#include <memory>

namespace nixtide {

struct NixBuildResult
{
    bool ok = false;
    QString outPath; // the built bundle (bin/nixos-test-driver, test-script)
    QString drvPath;
    NixError error; // kind None when ok
    qint64 elapsedMs = 0;
};

// Builds a test's driver with `nix build --log-format internal-json --json`,
// asynchronously. Progress, log lines and the result arrive as signals.
// cancel() interrupts Nix (which stops its builders) and kills whatever is
// left of its process group; nothing keeps running afterwards.
class NixBuild : public QObject
{
    Q_OBJECT
public:
    explicit NixBuild(QObject *parent = nullptr);
    ~NixBuild() override;

    // `attribute` is "driverInteractive" or "driver". A bundle needs no build:
    // finished() follows at once with its directory.
    void start(const TestRef &ref, const QString &attribute = QStringLiteral("driverInteractive"));
    void cancel();
    bool isRunning() const;
    // Extra arguments for `nix build` (e.g. `--option …`), before the installable.
    void setExtraArguments(const QStringList &args) { m_extraArgs = args; }
    QStringList lastArguments() const { return m_lastArgs; }
    const NixProgress &currentProgress() const { return m_parser.progress(); }

Q_SIGNALS:
    void progress(const nixtide::NixProgress &progress);
    void logLine(const QString &line);
    // The builder's output line and the derivation that printed it.
    void buildLogLine(const QString &derivation, const QString &line);
    void finished(const nixtide::NixBuildResult &result);

private:
    void onReadyReadStderr();
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void finish(NixBuildResult result);
    void killGroup(int signal);
    void rememberDescendants();

    std::unique_ptr<QProcess> m_process;
    NixLogParser m_parser;
    TestRef m_ref;
    QStringList m_extraArgs;
    QStringList m_lastArgs;
    QByteArray m_stderrBuffer;
    QTimer m_killTimer;
    QTimer m_treeTimer;
    // Nix's builders, in sessions of their own, as last seen: ended when
    // Nix dies without ending them itself.
    QList<ProcessIdentity> m_descendants;
    QSet<QString> m_loggingDerivations; // those whose builder has printed
    qint64 m_pid = 0;
    qint64 m_startedMs = 0;
    bool m_cancelled = false;
};

} // namespace nixtide

Q_DECLARE_METATYPE(nixtide::NixBuildResult)
