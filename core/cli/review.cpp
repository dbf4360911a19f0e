#include "core/cli/review.h"

#include "core/cli/exitstatus.h"
#include "core/review/htmlreport.h"
#include "core/review/referencestore.h"
#include "core/review/runhistory.h"
#include "core/review/runreader.h"
#include "core/review/screenshotreview.h"

#include <QFileInfo>

namespace nixtide::cli {

namespace {

const char kUsage[]
    = "usage: nixtide review RUN|TEST [--accept NAME...] [--references DIR] [--html DIR]\n"
      "  RUN: a run record directory ($XDG_STATE_HOME/nixtide/runs/TEST/STAMP)\n"
      "  TEST: a .nix file or a test name: its newest run is reviewed\n"
      "  Prints each screenshot's verdict: match, differs (with its score against\n"
      "  the tolerance, or both sizes), new (no reference yet), missing (a\n"
      "  reference the run did not take).\n"
      "  --accept NAME...: make the run's screenshot NAME the reference first\n"
      "  --references DIR: references folder (default: TEST_NAME.screenshots\n"
      "                    next to the test file; PNG + optional JSON with\n"
      "                    \"tolerance\" in percent and \"masks\" rectangles)\n"
      "  --html DIR: also write DIR/index.html with the images, for CI artifacts\n"
      "  Exit status 0 all match (or are new), 1 one differs or is missing,\n"
      "  2 the review cannot run.\n";

struct Arguments
{
    QString target;
    ReviewOptions options;
};

bool parse(const QStringList &args, Arguments *parsed, QString *error)
{
    for (int i = 0; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        auto value = [&](QString *out) {
            if (i + 1 >= args.size() || args.at(i + 1).startsWith(QLatin1Char('-'))) {
                *error = QStringLiteral("%1 needs a value").arg(arg);
                return false;
            }
            *out = args.at(++i);
            return true;
        };
        if (arg == QLatin1String("--accept")) {
            // Takes every word up to the next option: RUN|TEST comes first.
            const qsizetype before = parsed->options.accept.size();
            while (i + 1 < args.size() && !args.at(i + 1).startsWith(QLatin1Char('-')))
                parsed->options.accept.append(args.at(++i));
            if (parsed->options.accept.size() == before) {
                *error = QStringLiteral("--accept needs a screenshot name");
                return false;
            }
        } else if (arg == QLatin1String("--references")) {
            if (!value(&parsed->options.referenceDir))
                return false;
        } else if (arg == QLatin1String("--html")) {
            if (!value(&parsed->options.htmlDir))
                return false;
        } else if (arg == QLatin1String("-h") || arg == QLatin1String("--help")) {
            *error = QString();
            return false;
        } else if (arg.startsWith(QLatin1Char('-'))) {
            *error = QStringLiteral("unknown option %1").arg(arg);
            return false;
        } else if (parsed->target.isEmpty()) {
            parsed->target = arg;
        } else {
            *error = QStringLiteral("only one RUN or TEST, got '%1' and '%2'")
                         .arg(parsed->target, arg);
            return false;
        }
    }
    if (parsed->target.isEmpty()) {
        *error = QStringLiteral("no RUN or TEST given");
        return false;
    }
    return true;
}

// The run record a RUN|TEST argument names.
QString resolveRun(const QString &target, QString *error)
{
    const QFileInfo info(target);
    if (info.isDir() && QFileInfo::exists(target + QStringLiteral("/result.json")))
        return info.absoluteFilePath();
    const RunHistory history(RunHistory::defaultBase());
    if (info.isFile()) {
        if (const std::optional<RunInfo> run = history.latestRunOf(target))
            return run->dir;
        *error
            = QStringLiteral("no run of %1 under %2").arg(info.absoluteFilePath(), history.base());
        return {};
    }
    // A folder of runs, or a test's name in the history.
    const RunHistory local(info.isDir() ? info.absolutePath() : history.base());
    const QList<RunInfo> runs = local.runs(info.isDir() ? info.fileName() : target);
    if (!runs.isEmpty())
        return runs.first().dir;
    *error = info.exists()
        ? QStringLiteral("%1 is neither a run record (no result.json) nor a folder of runs")
              .arg(info.absoluteFilePath())
        : QStringLiteral("%1: no such run record, test file or test name in %2")
              .arg(target, history.base());
    return {};
}

} // namespace

int reviewRun(
    const QString &runDir, const ReviewOptions &options, QTextStream &out, QTextStream &err)
{
    QString error;
    const std::optional<RunInfo> run = RunReader::readInfo(runDir, &error);
    if (!run) {
        err << "nixtide review: " << error << '\n';
        return kCannotRun;
    }
    QStringList warnings;
    const QList<RunScreenshot> shots = RunReader::screenshots(runDir, &warnings);
    for (const QString &warning : std::as_const(warnings))
        err << "nixtide review: warning: " << warning << '\n';
    ReferenceStore store(options.referenceDir.isEmpty()
            ? ReferenceStore::dirFor(run->source, run->test)
            : QFileInfo(options.referenceDir).absoluteFilePath());
    err << "screenshots of " << run->test << " (" << run->status << ", " << run->dir << ") against "
        << store.dir() << '\n';

    for (const QString &name : options.accept) {
        const auto shot = std::find_if(
            shots.begin(), shots.end(), [&](const RunScreenshot &s) { return s.name == name; });
        if (shot == shots.end()) {
            QStringList names;
            for (const RunScreenshot &s : shots)
                names.append(s.name);
            err << "nixtide review: " << run->dir << " has no screenshot " << name << " (it has: "
                << (names.isEmpty() ? QStringLiteral("none") : names.join(QStringLiteral(", ")))
                << ")\n";
            return kCannotRun;
        }
        if (!store.accept(name, shot->path, &error)) {
            err << "nixtide review: " << error << '\n';
            return kCannotRun;
        }
        out << "accepted " << name << " -> " << store.dir() << '/' << name << ".png\n";
    }

    const std::optional<QList<ScreenshotVerdict>> verdicts
        = reviewScreenshots(shots, store, &error);
    if (!verdicts) {
        err << "nixtide review: " << error << '\n';
        return kCannotRun;
    }
    bool failing = false;
    for (const ScreenshotVerdict &verdict : *verdicts) {
        out << verdict.describe() << '\n';
        failing = failing || verdict.failing();
    }
    if (verdicts->isEmpty())
        out << "no screenshots in " << run->dir << " and no references in " << store.dir() << '\n';
    out.flush();
    if (!options.htmlDir.isEmpty()) {
        if (!writeHtmlReport(options.htmlDir, *run, *verdicts, &error)) {
            err << "nixtide review: " << error << '\n';
            return kCannotRun;
        }
        err << "report: " << QFileInfo(options.htmlDir).absoluteFilePath() << "/index.html\n";
    }
    return failing ? kFailed : kPassed;
}

int review(const QStringList &arguments)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    Arguments parsed;
    QString error;
    if (!parse(arguments, &parsed, &error)) {
        if (!error.isEmpty())
            err << "nixtide review: " << error << '\n';
        err << kUsage;
        return error.isEmpty() ? kPassed : kCannotRun;
    }
    const QString runDir = resolveRun(parsed.target, &error);
    if (runDir.isEmpty()) {
        err << "nixtide review: " << error << '\n';
        return kCannotRun;
    }
    return reviewRun(runDir, parsed.options, out, err);
}

} // namespace nixtide::cli
