#include "core/cli/run.h"

#include "core/cli/exitstatus.h"
#include "core/cli/review.h"
#include "core/launch/driveroptionsprobe.h"
#include "core/nix/progressformat.h"
#include "core/paths.h"
#include "core/remote/sshtarget.h"
#include "core/session/buildcache.h"
#include "core/session/debugsession.h"
#include "core/session/junitreport.h"
#include "core/session/prestarteddriver.h"
#include "core/session/testresolver.h"
#include "core/unixsignals.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTextStream>

#include <csignal>
#include <memory>

namespace nixtide::cli {

namespace {

constexpr int kMaxLocals = 40;

const char kUsage[]
    = "usage: nixtide run TEST [--script FILE] [--break LINE]... "
      "[--junit-xml FILE] [--keep-vm-state] [--reuse-build]\n"
      "           [--host ssh://[user@]host[:port]]\n"
      "           [--progress auto|plain|json] [--check-screenshots] [--screenshot-html DIR]\n"
      "  TEST: a .nix file, a flake reference (path#attr) or a built driver bundle\n"
      "  --break LINE: a line of the .nix file (or of the script for a bundle or\n"
      "                --script); headless, a hit prints the locals and continues\n"
      "  --reuse-build: when only the testScript's text changed since the last\n"
      "                 run of TEST built it, run the edited script against\n"
      "                 that build without calling Nix (else build)\n"
      "  --host: run the driver on that host over SSH (its closure copied there\n"
      "          with nix copy); ssh options such as -i KEY from NIX_SSHOPTS\n"
      "  --progress: build progress as one updating line (auto on a terminal),\n"
      "              plain lines with the build log, or JSON objects on stdout\n"
      "  --junit-xml: by the driver, or by nixtide from the run's log when the\n"
      "               driver has no such option (nixos-22.11)\n"
      "  --check-screenshots: after the run, review its screenshots against the\n"
      "               test's references as `nixtide review` does; a difference\n"
      "               or a missing screenshot makes a passed run exit 1\n"
      "  --screenshot-html DIR: the review's HTML report (implies the check)\n"
      "  The driver's standard output (the test script's print()) goes to stdout\n"
      "  as it comes (to stderr with --progress json); the test's log to stderr.\n";

struct Options
{
    QString test;
    QString script;
    QList<int> breaks;
    QString junitXml;
    bool keepVmState = false;
    bool reuseBuild = false;
    bool checkScreenshots = false;
    QString screenshotHtml;
    QString host;
    ProgressFormatter::Mode progress = ProgressFormatter::Mode::Plain;
};

bool parse(const QStringList &args, Options *options, QString *error)
{
    for (int i = 0; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        auto value = [&](QString *out) {
            if (i + 1 >= args.size()) {
                *error = QStringLiteral("%1 needs a value").arg(arg);
                return false;
            }
            *out = args.at(++i);
            return true;
        };
        if (arg == QLatin1String("--script")) {
            if (!value(&options->script))
                return false;
        } else if (arg == QLatin1String("--junit-xml")) {
            if (!value(&options->junitXml))
                return false;
        } else if (arg == QLatin1String("--host")) {
            if (!value(&options->host))
                return false;
            SshTarget target;
            if (!SshTarget::parse(options->host, &target, error))
                return false;
        } else if (arg == QLatin1String("--keep-vm-state")) {
            options->keepVmState = true;
        } else if (arg == QLatin1String("--check-screenshots")) {
            options->checkScreenshots = true;
        } else if (arg == QLatin1String("--screenshot-html")) {
            if (!value(&options->screenshotHtml))
                return false;
            options->checkScreenshots = true;
        } else if (arg == QLatin1String("--reuse-build")) {
            options->reuseBuild = true;
        } else if (arg == QLatin1String("--progress")) {
            QString name;
            if (!value(&name))
                return false;
            const auto mode = ProgressFormatter::parseMode(name, stderr);
            if (!mode) {
                *error = QStringLiteral("--progress takes auto, plain or json, not '%1'").arg(name);
                return false;
            }
            options->progress = *mode;
        } else if (arg == QLatin1String("--break")) {
            QString text;
            if (!value(&text))
                return false;
            bool ok = false;
            const int line = text.toInt(&ok);
            if (!ok || line < 1) {
                *error = QStringLiteral("--break needs a line number, not '%1'").arg(text);
                return false;
            }
            options->breaks.append(line);
        } else if (arg == QLatin1String("-h") || arg == QLatin1String("--help")) {
            *error = QString();
            return false;
        } else if (arg.startsWith(QLatin1Char('-'))) {
            *error = QStringLiteral("unknown option %1").arg(arg);
            return false;
        } else if (options->test.isEmpty()) {
            options->test = arg;
        } else {
            *error = QStringLiteral("only one TEST, got '%1' and '%2'").arg(options->test, arg);
            return false;
        }
    }
    if (options->test.isEmpty()) {
        *error = QStringLiteral("no TEST given");
        return false;
    }
    return true;
}

QString sourceLine(const QString &path, int line)
{
    QFile file(path);
    if (line < 1 || !file.open(QIODevice::ReadOnly))
        return QString();
    const QList<QByteArray> lines = file.readAll().split('\n');
    return line <= lines.size() ? QString::fromUtf8(lines.at(line - 1)).trimmed() : QString();
}

// One headless run: resolve, start, print, decide the exit status.
class Runner : public QObject
{
public:
    explicit Runner(Options options)
        : m_options(std::move(options))
        , m_err(stderr)
        , m_driverOut(m_options.progress == ProgressFormatter::Mode::Json ? stderr : stdout)
        , m_signals({SIGINT, SIGTERM, SIGHUP})
    {
        connect(&m_signals, &UnixSignalWatcher::signalReceived, this, &Runner::onInterrupt);
    }

    void start()
    {
        connect(&m_resolver, &TestResolver::progressMessage, this,
            [this](const QString &m) { say(m); });
        connect(&m_resolver, &TestResolver::warning, this,
            [this](const QString &m) { say(QStringLiteral("warning: ") + m); });
        connect(&m_resolver, &TestResolver::failed, this,
            [this](TestResolver::Failure, const QString &message) {
                say(QStringLiteral("cannot run %1: %2").arg(m_options.test, message));
                finish(kCannotRun);
            });
        connect(&m_resolver, &TestResolver::resolved, this, &Runner::launch);
        // Build progress: one line rewritten on a terminal, a line per change
        // otherwise (with the build log), or JSON objects on stdout for tools.
        connect(&m_resolver, &TestResolver::buildStarted, this, [this](NixBuild *build) {
            const bool json = m_options.progress == ProgressFormatter::Mode::Json;
            m_progress.attach(build, json ? stdout : stderr,
                m_options.progress != ProgressFormatter::Mode::Terminal);
        });
        if (m_options.reuseBuild && m_options.script.isEmpty()) {
            startReusing();
            return;
        }
        startEarly();
        m_resolver.start(m_options.test, QStringLiteral("driver"));
    }

private:
    void say(const QString &text) { m_err << "nixtide: " << text << Qt::endl; }

    // --reuse-build: compare the .nix file with what the last build of this
    // test was made from; the resolver runs the edited script or builds.
    void startReusing()
    {
        QString why;
        const std::optional<BuildCache::Entry> entry
            = m_cache.load(m_options.test, QStringLiteral("driver"), &why);
        QFile source(entry ? entry->plan.sourcePath : QString());
        if (!entry || !source.open(QIODevice::ReadOnly)) {
            say(QStringLiteral("rebuilt: ")
                + (entry ? QStringLiteral("cannot read %1").arg(source.fileName()) : why));
            m_resolver.start(m_options.test, QStringLiteral("driver"));
            return;
        }
        m_resolver.startEdited(m_options.test, entry->plan, entry->source,
            QString::fromUtf8(source.readAll()), QStringLiteral("driver"));
    }

    // The last build's driver starts while Nix checks that it still is the
    // test's (PrestartedDriver): the driver's own start, most of the time
    // to the first line, no longer waits for Nix. Not for what a process
    // group's end does not undo (a remote host, kept VM state), nor when
    // the driver's options must be asked first (JUnit).
    void startEarly()
    {
        if (!m_options.host.isEmpty() || m_options.keepVmState || !m_options.junitXml.isEmpty())
            return;
        m_early = PrestartedDriver::startLastBuild(m_options.test, QStringLiteral("driver"));
        if (m_early)
            say(QStringLiteral("started the last build's driver while Nix checks the test"));
    }

    // Every run remembers its build: --reuse-build compares edits with it,
    // and the next run starts its driver early (startEarly()).
    void rememberBuild(const LaunchPlan &plan)
    {
        QString error;
        if (m_resolver.builtSource().isValid()
            && !m_cache.save(
                m_options.test, QStringLiteral("driver"), plan, m_resolver.builtSource(), &error))
            say(QStringLiteral("warning: cannot remember the build: ") + error);
    }

    void finish(int code)
    {
        if (m_finished)
            return;
        m_finished = true;
        QCoreApplication::exit(code);
    }

    // The run's exit status after the screenshot review: a passed run
    // fails on a differing screenshot; a failed one stays failed, its
    // screenshots still reviewed for whoever reads the log.
    int checkScreenshots(int code)
    {
        if (!m_options.checkScreenshots)
            return code;
        if (m_session.runRecordDir().isEmpty()) {
            say(QStringLiteral("screenshots: not checked, the run has no record (exit 2)"));
            return code == kPassed ? kCannotRun : code;
        }
        cli::ReviewOptions options;
        options.htmlDir = m_options.screenshotHtml;
        const int review = reviewRun(m_session.runRecordDir(), options, m_err, m_err);
        m_err.flush();
        if (code != kPassed)
            return code;
        if (review != 0)
            say(QStringLiteral("screenshots: %1")
                    .arg(review == 1 ? QStringLiteral("differences (exit 1)")
                                     : QStringLiteral("could not review (exit 2)")));
        return review;
    }

    void onInterrupt(int)
    {
        if (m_interrupted) {
            m_session.kill(); // a second Ctrl-C: no more grace
            return;
        }
        m_interrupted = true;
        say(QStringLiteral("interrupted: stopping the driver and its VMs"));
        m_early.reset();
        if (m_session.state() == DebugSession::State::Idle) {
            m_resolver.cancel();
            finish(kInterrupted);
            return;
        }
        m_session.stopDriver();
    }

    void launch(const LaunchPlan &resolved)
    {
        if (m_interrupted) {
            finish(kInterrupted);
            return;
        }
        rememberBuild(resolved);
        LaunchPlan plan = resolved;
        QString scriptError;
        if (!m_options.script.isEmpty() && !plan.loadScript(m_options.script, &scriptError)) {
            say(QStringLiteral("cannot run: ") + scriptError);
            finish(kCannotRun);
            return;
        }
        if (!m_options.junitXml.isEmpty())
            plan.junitXml = QFileInfo(m_options.junitXml).absoluteFilePath();
        plan.keepVmState = m_options.keepVmState;
        plan.host = m_options.host;
        if (plan.keepVmState || !plan.junitXml.isEmpty()) {
            // Older drivers reject options newer ones have: ask this one.
            connect(&m_probe, &DriverOptionsProbe::finished, this,
                [this, plan](bool ok, const QStringList &options, const QString &error) mutable {
                    if (m_finished)
                        return;
                    if (!ok)
                        say(QStringLiteral("warning: cannot tell the driver's options: ") + error);
                    plan.driverOptions = options;
                    startSession(plan);
                });
            m_probe.start(plan.bundle.dir, plan.bundle.driverPath);
            return;
        }
        startSession(plan);
    }

    void startSession(const LaunchPlan &plan)
    {
        if (m_interrupted) {
            finish(kInterrupted);
            return;
        }
        if (plan.keepVmState && plan.keepStateOption().isEmpty())
            say(QStringLiteral(
                "warning: the driver has no --keep-vm-state: its VM state is not kept"));
        if (plan.nixtideWritesJunit())
            say(QStringLiteral("the driver has no --junit-xml: nixtide writes %1")
                    .arg(plan.junitXml));
        m_path = plan.breakpointPath();
        if (!m_options.breaks.isEmpty()) {
            QList<SourceBreakpoint> breakpoints;
            for (int line : std::as_const(m_options.breaks))
                breakpoints.append(SourceBreakpoint {line, QString()});
            m_session.setBreakpoints(m_path, breakpoints);
        }
        // The driver's stderr is its log, shown above from the agent's
        // events; its stdout is what the script prints, passed on as it comes.
        connect(&m_session, &DebugSession::driverOutputLine, this,
            [this](const QString &line, bool isStderr) {
                if (!isStderr)
                    m_driverOut << line << Qt::endl;
            });
        connect(&m_session, &DebugSession::breakpointsAnswered, this,
            [this](const QString &path, const QList<BreakpointAnswer> &answers) {
                for (const BreakpointAnswer &answer : answers) {
                    if (!answer.verified)
                        say(QStringLiteral("breakpoint not set in %1: %2")
                                .arg(path, answer.message));
                }
            });
        connect(&m_session, &DebugSession::logEntryAdded, this, &Runner::printLogBegin);
        connect(&m_session, &DebugSession::logEntryUpdated, this, &Runner::printLogEnd);
        connect(&m_session, &DebugSession::stopped, this, &Runner::onStopped);
        connect(&m_session, &DebugSession::errorOccurred, this,
            [this](const QString &m) { say(QStringLiteral("error: ") + m); });
        connect(&m_session, &DebugSession::output, this,
            [this](const QString &category, const QString &text) {
                if (category != QLatin1String("telemetry"))
                    m_err << text << (text.endsWith(QLatin1Char('\n')) ? "" : "\n") << Qt::flush;
            });
        connect(&m_session, &DebugSession::scriptStarted, this, &Runner::onScriptStarted);
        connect(&m_session, &DebugSession::scriptFinished, this, &Runner::onScriptFinished);
        connect(&m_session, &DebugSession::launchProgress, this, &Runner::say);
        connect(&m_session, &DebugSession::hostProbed, this, [this](const QString &host, bool kvm) {
            say(QStringLiteral("%1: %2").arg(
                host, kvm ? QStringLiteral("KVM") : QStringLiteral("no KVM (software emulation)")));
        });
        // Nobody types Stop here: a driver that waits for ever is ended now,
        // and the run reports why rather than the global timeout.
        connect(&m_session, &DebugSession::driverStuck, this, [this](const QString &message) {
            say(message + QStringLiteral("; stopping it"));
            m_session.stopDriver();
        });
        connect(&m_session, &DebugSession::finished, this, &Runner::onFinished);
        const QStringList machines = plan.bundle.machineNames() + plan.bundle.containers;
        std::optional<PrestartedDriver::Handover> early;
        if (m_early) {
            QString why;
            early = m_early->take(plan, &why);
            if (!early)
                say(QStringLiteral("not using the driver started early: %1; stopping it").arg(why));
            m_early.reset();
        }
        if (!m_session.start(plan, std::move(early))) {
            say(QStringLiteral("cannot run: %1").arg(m_session.error()));
            finish(kCannotRun);
            return;
        }
        say(QStringLiteral("running %1 (%2)%3, record in %4")
                .arg(plan.bundle.testName, machines.join(QStringLiteral(", ")),
                    plan.host.isEmpty() ? QString() : QStringLiteral(" on ") + plan.host,
                    m_session.runRecordDir()));
        if (plan.keepVmState)
            say(QStringLiteral("keeping VM state in %1").arg(plan.effectiveVmStateDir()));
    }

    int depthOf(const LogEntry &entry) const
    {
        int depth = 0;
        int parent = entry.parentId;
        const QList<LogEntry> &log = m_session.logEntries();
        while (parent != 0 && depth < 32) {
            ++depth;
            auto it = std::find_if(
                log.begin(), log.end(), [parent](const LogEntry &e) { return e.id == parent; });
            parent = it == log.end() ? 0 : it->parentId;
        }
        return depth;
    }

    void printLogBegin(int index)
    {
        const LogEntry &entry = m_session.logEntries().at(index);
        const QString indent(2 * depthOf(entry), QLatin1Char(' '));
        const QString who
            = entry.machine.isEmpty() ? QString() : entry.machine + QStringLiteral(": ");
        m_err << indent << (entry.nested ? "▸ " : "  ") << who << entry.message << Qt::endl;
    }

    void printLogEnd(int index)
    {
        const LogEntry &entry = m_session.logEntries().at(index);
        if (!entry.failed && entry.durationSeconds < 0.5)
            return;
        const QString indent(2 * depthOf(entry), QLatin1Char(' '));
        m_err << indent << "  " << (entry.failed ? "FAILED after " : "done in ")
              << QString::number(entry.durationSeconds, 'f', 2) << " s: " << entry.message
              << Qt::endl;
    }

    void onStopped(const QString &reason, const QString &description)
    {
        StackFrame top = m_session.stackFrames().value(0);
        if (reason == QLatin1String("exception")) {
            // Name the line of the test, not the driver code that raised.
            for (const StackFrame &frame : m_session.stackFrames()) {
                if (QFileInfo(frame.path).canonicalFilePath()
                    == QFileInfo(m_path).canonicalFilePath()) {
                    top = frame;
                    break;
                }
            }
        }
        const QString where = QStringLiteral("%1:%2").arg(top.path).arg(top.line);
        if (reason == QLatin1String("exception")) {
            // Headless: report it and let the driver fail as it would alone.
            m_session.exceptionInfo([this, where, top, description](
                                        bool ok, const ExceptionInfo &info, const QString &) {
                m_failure
                    = QStringLiteral("%1: %2\n  %3")
                          .arg(where, sourceLine(top.path, top.line),
                              ok && !info.description.isEmpty() ? info.description : description);
                say(QStringLiteral("exception at ") + m_failure);
                m_session.continueExecution();
            });
            return;
        }
        say(QStringLiteral("stopped (%1) at %2: %3")
                .arg(reason, where, sourceLine(top.path, top.line)));
        m_session.scopes(top.id, [this](bool, const QList<Scope> &scopes, const QString &) {
            // Every scope in order: the frame's own names, then the
            // driver's (machines among them) when the agent keeps them apart.
            QList<int> refs;
            for (const Scope &scope : scopes)
                refs << scope.variablesReference;
            printScopes(refs);
        });
    }

    void printScopes(QList<int> refs)
    {
        if (refs.isEmpty()) {
            m_session.continueExecution();
            return;
        }
        const int ref = refs.takeFirst();
        m_session.variables(ref, [this, refs](bool, const QList<Variable> &vars, const QString &) {
            printLocals(vars);
            printScopes(refs);
        });
    }

    void printLocals(const QList<Variable> &variables)
    {
        static const QStringList boring = {QStringLiteral("function"), QStringLiteral("module"),
            QStringLiteral("type"), QStringLiteral("builtin_function_or_method"),
            QStringLiteral("method"), QStringLiteral("class")};
        int shown = 0;
        for (const Variable &v : variables) {
            if (v.name.startsWith(QLatin1Char('_')) || boring.contains(v.type))
                continue;
            if (++shown > kMaxLocals) {
                m_err << "    …" << Qt::endl;
                break;
            }
            m_err << "    " << v.name << " = " << v.value << Qt::endl;
        }
    }

    void onScriptStarted()
    {
        // Until the script starts, a driver that ends could not run it
        // (a usage error, a bad configuration, a failed set-up).
        if (!m_ranScript) {
            m_ranScript = true;
            m_scriptClock.start();
        }
    }

    void onScriptFinished(const ScriptOutcome &outcome)
    {
        if (m_endingInteractive)
            return;
        // An interactive bundle (driverInteractive) now waits in its REPL
        // with the VMs up. Headless there is nobody to type: end the driver,
        // which then exits with the script's result.
        m_endingInteractive = true;
        say(QStringLiteral("the script %1; ending the interactive driver").arg(outcome.status));
        m_session.terminate();
    }

    void onFinished(int exitCode, bool crashed)
    {
        if (m_interrupted) {
            finish(kInterrupted);
            return;
        }
        if (m_ranScript && m_session.plan().nixtideWritesJunit()) {
            JunitReport::Outcome outcome;
            outcome.passed = exitCode == 0 && !crashed;
            outcome.failure = m_failure;
            outcome.durationSeconds = double(m_scriptClock.elapsed()) / 1000.0;
            QString error;
            if (!JunitReport::write(
                    m_session.plan().junitXml, m_session.logEntries(), outcome, &error))
                say(QStringLiteral("error: cannot write the JUnit report: ") + error);
        }
        if (!m_session.stuckReason().isEmpty()) {
            say(QStringLiteral("cannot run: ") + m_session.stuckReason());
            finish(kCannotRun);
            return;
        }
        if (exitCode == 0 && !crashed) {
            say(QStringLiteral("PASSED %1").arg(m_session.plan().bundle.testName));
            finish(checkScreenshots(kPassed));
            return;
        }
        if (!m_ranScript) {
            say(QStringLiteral(
                "cannot run: the driver exited (%1) before the test script started:\n%2")
                    .arg(crashed ? QStringLiteral("killed") : QString::number(exitCode),
                        m_session.driverOutput()));
            finish(kCannotRun);
            return;
        }
        say(QStringLiteral("FAILED %1 (driver exit %2)%3")
                .arg(m_session.plan().bundle.testName,
                    crashed ? QStringLiteral("killed") : QString::number(exitCode),
                    m_failure.isEmpty() ? QString() : QStringLiteral(" at ") + m_failure));
        finish(checkScreenshots(kFailed));
    }

    Options m_options;
    ProgressFormatter m_progress {m_options.progress};
    QTextStream m_err;
    QTextStream m_driverOut;
    UnixSignalWatcher m_signals;
    TestResolver m_resolver;
    BuildCache m_cache;
    DriverOptionsProbe m_probe;
    DebugSession m_session;
    std::unique_ptr<PrestartedDriver> m_early; // the last build's driver, until Nix answers
    QElapsedTimer m_scriptClock;
    QString m_path;
    QString m_failure;
    bool m_interrupted = false;
    bool m_finished = false;
    bool m_ranScript = false;
    bool m_endingInteractive = false;
};

} // namespace

int run(const QStringList &arguments)
{
    Options options;
    options.progress = ProgressFormatter::parseMode(QStringLiteral("auto"), stderr)
                           .value_or(ProgressFormatter::Mode::Plain);
    QString error;
    if (!parse(arguments, &options, &error)) {
        QTextStream err(stderr);
        if (!error.isEmpty())
            err << "nixtide run: " << error << '\n';
        err << kUsage;
        return error.isEmpty() ? kPassed : kCannotRun;
    }
    Runner runner(options);
    runner.start();
    return QCoreApplication::exec();
}

} // namespace nixtide::cli
