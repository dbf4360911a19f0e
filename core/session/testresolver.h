#pragma once

#include "core/nix/nixlog.h"
#include "core/nix/scriptlinemap.h"
#include "core/session/launchplan.h"
#include "core/session/scriptreuse.h"

#include <QObject>

#include <memory>
#include <optional>

namespace nixtide {

class NixBuild;
struct TestRef;

// Turns what the user named (a .nix file, a flake reference, a built bundle
// directory) into a LaunchPlan: builds the driver with NixBuild, reads the
// bundle, locates the testScript in the source and maps built script lines
// to .nix lines. Asynchronous; the Nix evaluation that locates the script
// runs on a worker thread.
class TestResolver : public QObject
{
    Q_OBJECT

public:
    enum class Failure { BadInput, Build, Cancelled, Bundle };
    Q_ENUM(Failure)

    explicit TestResolver(QObject *parent = nullptr);
    ~TestResolver() override;

    // attribute: "driver" (runs to the end) or "driverInteractive".
    void start(const QString &test, const QString &attribute = QStringLiteral("driver"));
    // After an edit of the .nix file: runs the edited script against
    // `previous`'s bundle with no Nix call when only the testScript's text
    // changed (see ScriptReuse), else builds as start() does. `built` is
    // what `previous` was built from (builtSource() of that resolution).
    void startEdited(const QString &test, const LaunchPlan &previous, const BuiltSource &built,
        const QString &editedNix, const QString &attribute = QStringLiteral("driver"));
    void cancel();
    NixBuild *build() const { return m_build.get(); }
    // startEdited()'s choice for people ("ran the edited script without
    // rebuilding", "rebuilt: …"); empty after start().
    QString decision() const { return m_decision; }
    // The .nix text and testScript location a build was resolved from; not
    // valid when nothing was built or the script was not located.
    const BuiltSource &builtSource() const { return m_builtSource; }

Q_SIGNALS:
    void progressMessage(const QString &message);
    // A Nix build is about to start (before its first event): headless
    // progress formatters and the GUI's progress bar attach here.
    void buildStarted(nixtide::NixBuild *build);
    void resolved(const nixtide::LaunchPlan &plan);
    // A note that does not stop the run (e.g. no line map: breakpoints
    // then use built script lines).
    void warning(const QString &message);
    void failed(nixtide::TestResolver::Failure failure, const QString &message);
    // Before failed(): the test's file does not evaluate; Nix's message with
    // the file's line, for the editor.
    void evaluationFailed(const nixtide::NixError &error);

private:
    // TestRef::toString() of `ref`; empty for a bundle or a bad reference.
    static QString referenceOf(const std::optional<TestRef> &ref);
    void startBuild(const TestRef &ref, const QString &attribute);
    void onBundle(const QString &dir, const QString &sourceRefText);
    void resolveWhenLocated();
    void resolveWith(LaunchPlan plan, const ScriptLocation &location);
    void fail(Failure failure, const QString &message);

    std::unique_ptr<NixBuild> m_build;
    QString m_testArgument;
    QString m_reference; // the opened test's TestRef::toString(), for the plan
    QString m_decision;
    BuiltSource m_builtSource;
    bool m_done = false;
    // The build's plan and the concurrent locate's answer: whichever comes
    // second resolves. The generation drops a locate of an earlier start().
    std::optional<LaunchPlan> m_builtPlan;
    std::optional<ScriptLocation> m_location;
    int m_generation = 0;
};

} // namespace nixtide
