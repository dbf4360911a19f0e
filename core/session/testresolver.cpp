#include "core/session/testresolver.h"

#include "core/nix/nixbuild.h"
#include "core/nix/scriptlinemap.h"
#include "core/nix/testfinder.h"
#include "core/nix/testinfo.h"
#include "core/nix/testref.h"
#include "core/worker.h"

#include <QFile>
#include <QTimer>

namespace nixtide {

TestResolver::TestResolver(QObject *parent)
    : QObject(parent)
{ }

TestResolver::~TestResolver() = default;

void TestResolver::fail(Failure failure, const QString &message)
{
    if (m_done)
        return;
    m_done = true;
    Q_EMIT failed(failure, message);
}

QString TestResolver::referenceOf(const std::optional<TestRef> &ref)
{
    return ref && ref->kind != TestRef::Kind::Bundle ? ref->toString() : QString();
}

void TestResolver::start(const QString &test, const QString &attribute)
{
    m_testArgument = test;
    m_builtSource = BuiltSource();
    QString error;
    const std::optional<TestRef> ref = TestRef::parse(test, &error);
    if (!ref) {
        // Signals go out from the event loop, never from inside start().
        QTimer::singleShot(0, this, [this, error] { fail(Failure::BadInput, error); });
        return;
    }
    m_reference = referenceOf(ref);
    if (ref->kind == TestRef::Kind::Bundle) {
        const QString dir = ref->path;
        QTimer::singleShot(0, this, [this, dir] { onBundle(dir, QString()); });
        return;
    }
    if (ref->kind == TestRef::Kind::NixFile && ref->attrPath.isEmpty()) {
        // A file names a test only through whatever builds it (nixpkgs'
        // all-tests.nix, a flake's checks, runNixOSTest …): find that first.
        Q_EMIT progressMessage(QStringLiteral("looking for what builds %1").arg(ref->path));
        const QString file = ref->path;
        runOnWorker(
            this, [file] { return TestFinder::find(file); },
            [this, attribute](const FoundTests &found) {
                if (m_done)
                    return;
                if (found.fileError.kind != NixError::Kind::None) {
                    // Nix's words at the file's line; building the file
                    // itself would call a test module with `{ }`.
                    const NixError &e = found.fileError;
                    Q_EMIT evaluationFailed(e);
                    fail(Failure::Build,
                        e.details.isEmpty() ? e.toText() : e.toText() + u'\n' + e.details);
                    return;
                }
                if (found.tests.isEmpty()) {
                    fail(Failure::BadInput, found.error);
                    return;
                }
                if (found.tests.size() > 1) {
                    QStringList names;
                    for (const TestRef &t : found.tests)
                        names.append(t.toString());
                    fail(Failure::BadInput,
                        QStringLiteral("%1 holds %2 tests (%3); name one of them:\n  %4")
                            .arg(m_testArgument)
                            .arg(found.tests.size())
                            .arg(found.how, names.join(QStringLiteral("\n  "))));
                    return;
                }
                if (found.how != QLatin1StringView("the file itself"))
                    Q_EMIT progressMessage(QStringLiteral("%1 is %2 (found in %3)")
                            .arg(m_testArgument, found.tests.first().toString(), found.how));
                startBuild(found.tests.first(), attribute);
            });
        return;
    }
    startBuild(*ref, attribute);
}

void TestResolver::startBuild(const TestRef &resolvedRef, const QString &attribute)
{
    m_testArgument = resolvedRef.toString();
    const std::optional<TestRef> ref = resolvedRef;
    m_builtPlan.reset();
    m_location.reset();
    const int generation = ++m_generation;
    // Locating the script asks Nix (builtins.unsafeGetAttrPos): a blocking
    // evaluation of its own, independent of the build's result.
    runOnWorker(
        this, [ref = *ref] { return TestInfo::locateTestScript(ref); },
        [this, generation](const ScriptLocation &location) {
            if (generation != m_generation || m_done)
                return;
            m_location = location;
            resolveWhenLocated();
        });
    m_build = std::make_unique<NixBuild>();
    connect(
        m_build.get(), &NixBuild::finished, this, [this, ref = *ref](const NixBuildResult &result) {
            if (!result.ok) {
                fail(result.error.kind == NixError::Kind::Cancelled ? Failure::Cancelled
                                                                    : Failure::Build,
                    result.error.toText());
                return;
            }
            Q_EMIT progressMessage(QStringLiteral("built %1 in %2 s")
                    .arg(result.outPath)
                    .arg(double(result.elapsedMs) / 1000.0, 0, 'f', 1));
            onBundle(result.outPath, ref.toString());
        });
    Q_EMIT progressMessage(QStringLiteral("building %1 (%2)").arg(ref->toString(), attribute));
    Q_EMIT buildStarted(m_build.get());
    m_build->start(*ref, attribute);
}

void TestResolver::startEdited(const QString &test, const LaunchPlan &previous,
    const BuiltSource &built, const QString &editedNix, const QString &attribute)
{
    const ScriptReuse reuse = ScriptReuse::decide(previous, built, editedNix);
    m_decision = reuse.decision();
    m_testArgument = test;
    m_builtSource = BuiltSource();
    QTimer::singleShot(0, this, [this, reuse, test, attribute] {
        Q_EMIT progressMessage(m_decision);
        if (reuse.rebuildNeeded()) {
            start(test, attribute);
            return;
        }
        m_done = true;
        // A plan from BuildCache (`nixtide run --reuse-build`) has none.
        LaunchPlan plan = reuse.plan();
        if (plan.reference.isEmpty()) {
            QString error;
            plan.reference = referenceOf(TestRef::parse(test, &error));
        }
        Q_EMIT resolved(plan);
    });
}

void TestResolver::cancel()
{
    if (m_build)
        m_build->cancel();
    else // still finding what builds the file
        fail(Failure::Cancelled, QStringLiteral("cancelled"));
}

void TestResolver::onBundle(const QString &dir, const QString &sourceRefText)
{
    QString error;
    std::optional<DriverBundle> bundle = DriverBundle::read(dir, &error);
    if (!bundle) {
        fail(Failure::Bundle, error);
        return;
    }
    LaunchPlan plan;
    plan.bundle = *bundle;
    plan.reference = m_reference;
    if (sourceRefText.isEmpty()) {
        m_done = true;
        Q_EMIT resolved(plan);
        return;
    }
    m_builtPlan = std::move(plan);
    resolveWhenLocated();
}

void TestResolver::resolveWhenLocated()
{
    if (m_done || !m_builtPlan || !m_location)
        return;
    LaunchPlan plan = std::move(*m_builtPlan);
    m_builtPlan.reset();
    resolveWith(std::move(plan), *m_location);
}

void TestResolver::resolveWith(LaunchPlan plan, const ScriptLocation &location)
{
    if (!location.found()) {
        Q_EMIT warning(QStringLiteral("cannot find the testScript in the source (%1); "
                                      "lines refer to the built test script")
                .arg(location.error));
    } else {
        QFile source(location.file);
        QString scriptError;
        const QString script = plan.bundle.readTestScript(&scriptError);
        if (source.open(QIODevice::ReadOnly)) {
            const QString text = QString::fromUtf8(source.readAll());
            const ScriptLineMap map = ScriptLineMap::build(text, location, script);
            if (map.isValid()) {
                // Kept for startEdited(): an edit is compared with this text.
                m_builtSource = BuiltSource {text, location};
                plan.sourcePath = location.file;
                plan.lineMap = QList<int>(map.nixLines().begin(), map.nixLines().end());
            } else {
                Q_EMIT warning(QStringLiteral("%1: the built test script does not line up "
                                              "with the source (%2); lines refer to the "
                                              "built test script")
                        .arg(location.file, map.error()));
            }
        }
    }
    m_done = true;
    Q_EMIT resolved(plan);
}

} // namespace nixtide
