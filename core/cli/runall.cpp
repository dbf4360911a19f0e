#include "core/cli/runall.h"

#include "core/cli/exitstatus.h"
#include "core/cli/suitebuild.h"
#include "core/cli/suitereport.h"
#include "core/cli/suitetests.h"
#include "core/nix/nixcommand.h"
#include "core/session/suitehistory.h"
#include "core/unixsignals.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QProcess>
#include <QTextStream>

#include <csignal>

namespace nixtide::cli {

namespace {

constexpr int kLogTimeoutMs = 60000;

const char kUsage[]
    = "usage: nixtide run-all REF... [-j N] [--builders SPEC] [--option NAME VALUE]...\n"
      "                       [--junit-xml FILE]\n"
      "  REF: a flake (DIR, path:DIR: its checks for this system), a flake's or a\n"
      "       file's attribute set (path:DIR#checks.x86_64-linux,\n"
      "       nixpkgs/default.nix#nixosTests), a .nix file with several tests, or\n"
      "       single tests; any number of them\n"
      "  Builds every test's result derivation in one `nix build --keep-going`,\n"
      "  where the user's Nix builds (its builders, or --builders); prints one\n"
      "  line per test as it starts and ends, the failing tests' reports from\n"
      "  `nix log`, and a summary.\n"
      "  -j, --max-jobs N: Nix's --max-jobs (0: only on remote builders)\n"
      "  --builders SPEC: Nix's --builders, e.g. 'ssh-ng://user@host x86_64-linux'\n"
      "  --option NAME VALUE: passed to Nix\n"
      "  --junit-xml FILE: one JUnit file for all tests\n"
      "  Exit status: 0 all passed, 1 a test failed, 2 could not run, 130 interrupted.\n";

struct Options
{
    QStringList references;
    QStringList nixArgs;
    QString junitXml;
};

// Options, or an exit status when there is nothing to run.
std::optional<Options> parse(const QStringList &args, int *status)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    Options o;
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args.at(i);
        auto value = [&](int count) {
            if (i + count >= args.size()) {
                err << "nixtide run-all: " << a << " needs " << count << " value(s)\n" << kUsage;
                return false;
            }
            return true;
        };
        if (a == QLatin1StringView("-h") || a == QLatin1StringView("--help")) {
            out << kUsage;
            *status = kPassed;
            return std::nullopt;
        } else if (a == QLatin1StringView("-j") || a == QLatin1StringView("--max-jobs")) {
            if (!value(1))
                break;
            bool ok = false;
            const QString jobs = args.at(++i);
            if (jobs.toInt(&ok) < 0 || (!ok && jobs != QLatin1StringView("auto"))) {
                err << "nixtide run-all: " << a << ": not a number of jobs: " << jobs << '\n';
                break;
            }
            o.nixArgs << QStringLiteral("--max-jobs") << jobs;
        } else if (a.startsWith(QLatin1StringView("-j")) && a.size() > 2) {
            bool ok = false;
            if (a.mid(2).toInt(&ok) < 0 || !ok) {
                err << "nixtide run-all: not a number of jobs: " << a << '\n';
                break;
            }
            o.nixArgs << QStringLiteral("--max-jobs") << a.mid(2);
        } else if (a == QLatin1StringView("--builders")) {
            if (!value(1))
                break;
            o.nixArgs << a << args.at(++i);
        } else if (a == QLatin1StringView("--option")) {
            if (!value(2))
                break;
            o.nixArgs << a << args.at(i + 1) << args.at(i + 2);
            i += 2;
        } else if (a == QLatin1StringView("--junit-xml")) {
            if (!value(1))
                break;
            o.junitXml = args.at(++i);
        } else if (a.startsWith(u'-')) {
            err << "nixtide run-all: unknown option " << a << '\n' << kUsage;
            break;
        } else {
            o.references.append(a);
        }
        if (i == args.size() - 1) {
            if (o.references.isEmpty()) {
                err << kUsage;
                break;
            }
            return o;
        }
    }
    if (args.isEmpty())
        err << kUsage;
    *status = kCannotRun;
    return std::nullopt;
}

QString readLog(const QString &drvPath)
{
    QProcess nix;
    nix.start(NixCommand::program(), NixCommand::commonArgs() << QStringLiteral("log") << drvPath);
    if (!nix.waitForFinished(kLogTimeoutMs)) {
        nix.kill();
        nix.waitForFinished();
        return {};
    }
    return nix.exitCode() == 0 ? QString::fromUtf8(nix.readAllStandardOutput()) : QString();
}

// One line per change: "  RUN   name  (on machine)", "  PASS  name  12.3 s".
QString stateLine(const SuiteTest &test, const SuiteTestState &s, int nameWidth)
{
    using S = SuiteTestState::State;
    const QString name = test.name.leftJustified(nameWidth);
    if (s.state == S::Running)
        return QStringLiteral("  RUN   %1  on %2").arg(name, s.machine);
    QString line
        = QStringLiteral("  %1 %2").arg(SuiteTestState::name(s.state).leftJustified(5), name);
    if (s.state == S::Passed)
        line += s.cached ? QStringLiteral("  (result in the store already)")
                         : QStringLiteral("  %1 s").arg(s.seconds(), 0, 'f', 1);
    else if (s.state == S::Failed)
        line += QStringLiteral("  %1 s  %2").arg(s.seconds(), 0, 'f', 1).arg(s.message);
    else
        line += QStringLiteral("  ") + s.message;
    return line;
}

} // namespace

int runAll(const QStringList &args)
{
    int status = kCannotRun;
    const std::optional<Options> options = parse(args, &status);
    if (!options)
        return status;
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (NixCommand::program().isEmpty()) {
        err << "nixtide run-all: " << NixCommand::missingNixError().message << '\n';
        return kCannotRun;
    }

    QStringList errors;
    const QList<SuiteTest> tests = SuiteTests::enumerate(options->references, &errors);
    for (const QString &e : errors)
        err << "nixtide run-all: " << e << '\n';
    if (!errors.isEmpty() || tests.isEmpty()) {
        err << "nixtide run-all: nothing run\n";
        return kCannotRun;
    }
    int width = 0;
    for (const SuiteTest &t : tests)
        width = std::max(width, int(t.name.size()));
    out << "nixtide run-all: " << tests.size() << " test(s)\n";
    out.flush();

    SuiteBuild build(tests);
    build.setNixArguments(options->nixArgs);
    QObject::connect(&build, &SuiteBuild::testChanged, &build, [&](int index) {
        out << stateLine(tests.at(index), build.states().at(index), width) << '\n';
        out.flush();
    });
    QObject::connect(&build, &SuiteBuild::finished, qApp, &QCoreApplication::quit);
    bool interrupted = false;
    UnixSignalWatcher watcher({SIGINT, SIGTERM, SIGHUP});
    QObject::connect(&watcher, &UnixSignalWatcher::signalReceived, &build, [&] {
        interrupted = true;
        err << "nixtide run-all: interrupted, stopping Nix\n";
        build.cancel();
    });
    build.start();
    QCoreApplication::exec();

    // The failures' reports, from the logs Nix kept (also for builds on
    // remote builders: their output came through this Nix).
    QList<SuiteReport::Entry> entries;
    int passed = 0;
    int failed = 0;
    int notRun = 0;
    for (int i = 0; i < tests.size(); ++i) {
        SuiteReport::Entry e {tests.at(i), build.states().at(i), {}};
        using S = SuiteTestState::State;
        switch (e.state.state) {
        case S::Passed:
            ++passed;
            break;
        case S::Failed:
            ++failed;
            e.log = readLog(e.test.drvPath);
            out << "\n--- " << e.test.name << ": " << e.state.message << '\n';
            for (const QString &line : SuiteReport::failureLines(e.log))
                out << "    " << line << '\n';
            if (e.log.isEmpty())
                out << "    (no log: nix log " << e.test.drvPath << " gave none)\n";
            break;
        case S::DependencyFailed:
        case S::EvalFailed:
            ++failed;
            break;
        default:
            ++notRun;
            break;
        }
        entries.append(e);
    }
    const double wall = build.elapsedMs() / 1000.0;
    out << QStringLiteral("\n%1 test(s): %2 passed, %3 failed, %4 not run, in %5 s\n")
               .arg(tests.size())
               .arg(passed)
               .arg(failed)
               .arg(notRun)
               .arg(wall, 0, 'f', 1);
    if (notRun > 0) {
        for (const QString &e : build.nixErrors())
            err << "nix: " << e << '\n';
    }
    out.flush();
    // The explorer shows each test's last result; an interrupted run's
    // tests were not run and keep the result they had.
    QHash<QString, SuiteHistory::Result> results;
    for (const SuiteReport::Entry &e : std::as_const(entries)) {
        if (interrupted && e.state.state == SuiteTestState::State::NotBuilt)
            continue;
        results.insert(e.test.ref.toString(),
            {SuiteTestState::name(e.state.state), e.state.seconds(), e.state.message,
                QDateTime::currentDateTimeUtc()});
    }
    QString historyError;
    if (!SuiteHistory::record(results, &historyError))
        err << "nixtide run-all: " << historyError << '\n';
    if (!options->junitXml.isEmpty()) {
        QString error;
        if (!SuiteReport::write(options->junitXml, entries, wall, &error)) {
            err << "nixtide run-all: " << error << '\n';
            return kCannotRun;
        }
    }
    if (interrupted)
        return kInterrupted;
    if (failed > 0)
        return kFailed;
    return notRun > 0 ? kCannotRun : kPassed;
}

} // namespace nixtide::cli
