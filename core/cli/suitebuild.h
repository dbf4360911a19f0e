#pragma once

#include "core/cli/suitetests.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QProcess>
#include <QStringList>

#include <memory>

namespace nixtide::cli {

// Where one test of the suite stands.
struct SuiteTestState
{
    enum class State {
        Queued, // waiting for its inputs or a build slot
        Running, // its result derivation is building: the test runs
        Passed,
        Failed, // the test's build failed: the script failed, or the driver
        DependencyFailed, // something it needs did not build (driver, VM…)
        NotBuilt, // Nix stopped before building it (its error says why)
        EvalFailed,
    };
    State state = State::Queued;
    bool cached = false; // passed: its result was in the store already
    QString machine; // where it ran: "local" or the builder's store URI
    qint64 startedMs = -1; // on the suite's clock
    qint64 finishedMs = -1;
    QString message; // why it failed, one line
    double seconds() const
    {
        return startedMs < 0 || finishedMs < 0 ? 0 : (finishedMs - startedMs) / 1000.0;
    }
    bool isFinal() const { return state != State::Queued && state != State::Running; }
    static QString name(State state);
};

// Builds the result derivations of a suite's tests with one `nix build
// --keep-going` (by .drv path, so tests from flakes and files mix) and
// follows each test through Nix's internal-json log: when its own build
// starts and where, when it fails or a dependency fails, and when its
// output is valid (it passed). Extra arguments (-j, --builders …) go to
// Nix as given, so the user's builders configuration applies.
class SuiteBuild : public QObject
{
    Q_OBJECT
public:
    explicit SuiteBuild(const QList<SuiteTest> &tests, QObject *parent = nullptr);
    ~SuiteBuild() override;

    void setNixArguments(const QStringList &arguments) { m_nixArgs = arguments; }
    void start();
    // SIGINT to Nix (it stops its builders), then the group is killed.
    void cancel();

    const QList<SuiteTestState> &states() const { return m_states; }
    qint64 elapsedMs() const { return m_clock.elapsed(); }
    // Nix's own error messages, without colours (e.g. a builder it could not reach).
    QStringList nixErrors() const { return m_nixErrors; }
    int nixExitCode() const { return m_exitCode; }
    QStringList lastArguments() const { return m_lastArgs; }

Q_SIGNALS:
    void testChanged(int index);
    void finished();

private:
    void startNix();
    void onStderr();
    // One line of Nix's stderr: internal-json, or plain text.
    void feedLine(const QByteArray &line);
    void onNixFinished(int exitCode, QProcess::ExitStatus status);
    void handle(const QJsonObject &o);
    void handleMessage(const QString &text);
    void setState(int index, SuiteTestState::State state, const QString &message = {});
    // Asks the store which running tests' outputs are valid now.
    void checkOutputs(const QList<int> &indexes, bool atEnd);
    void finishAll();

    QList<SuiteTest> m_tests;
    QList<SuiteTestState> m_states;
    QHash<QString, int> m_byDrv;
    QHash<QString, int> m_byOut;
    QHash<qint64, int> m_activityTest; // build activity id → test index
    qint64 m_buildsActivity = -1; // the activity whose progress counts builds
    int m_buildsDone = 0;
    QStringList m_nixArgs;
    QStringList m_lastArgs;
    QStringList m_nixErrors;
    std::unique_ptr<QProcess> m_nix;
    QByteArray m_stderr;
    QElapsedTimer m_clock;
    qint64 m_pid = 0;
    int m_exitCode = -1;
    bool m_cancelled = false;
    int m_pendingChecks = 0;
    bool m_nixDone = false;
};

} // namespace nixtide::cli
