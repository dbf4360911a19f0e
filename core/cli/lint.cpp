#include "core/cli/lint.h"

#include "core/bundle/driverbundle.h"
#include "core/nix/driversymbols.h"
#include "core/nix/evaluatednodes.h"
#include "core/nix/nixlog.h"
#include "core/nix/scriptlint.h"
#include "core/nix/scriptsource.h"
#include "core/nix/scripttypecheck.h"
#include "core/nix/testinfo.h"
#include "core/nix/testref.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include <algorithm>
#include <cstdio>

namespace nixtide::cli {

namespace {

constexpr auto kUsage
    = "usage: nixtide lint [--json] [--no-type-check] [--no-eval] [--driver PATH] FILE...\n";

bool namesSomethingUndefined(const QList<LintMessage> &messages)
{
    return std::any_of(messages.cbegin(), messages.cend(), [](const LintMessage &m) {
        return m.message.startsWith(QLatin1StringView("undefined name "));
    });
}

// The editor learns the machines Nix names (an imported nodes file, nodes
// made by a function) from the outline's evaluation; lint asks Nix the same
// question, but only when the text alone leaves a name undefined, so that a
// clean file costs no evaluation. False (and `error` set) when Nix cannot
// answer; the text's findings then stand.
bool learnMachinesFromNix(const QString &path, QString *error)
{
    const std::optional<TestRef> ref = TestRef::parse(path, error);
    if (!ref)
        return false;
    NixError nixError;
    const TestInfo::Outline outline = TestInfo::outline(*ref, &nixError);
    if (nixError.kind != NixError::Kind::None) {
        *error = nixError.toText();
        return false;
    }
    EvaluatedNodes::set(path, outline.nodes);
    return true;
}

int leadingSpace(QStringView line)
{
    int n = 0;
    while (n < line.size() && line.at(n).isSpace())
        ++n;
    return n;
}

// pyflakes counts columns in the script; Nix's indentation stripping moved
// the text. Shift by the indentation the line lost (exact for any column
// before the line's first antiquotation).
int fileColumn(
    const QList<EditorScript> &scripts, const QStringList &fileLines, int fileLine, int column)
{
    if (column <= 0)
        return 0;
    // The script (of the file's tests) that holds the line.
    const auto holder = std::find_if(scripts.cbegin(), scripts.cend(),
        [fileLine](const EditorScript &s) { return s.fileLines.contains(fileLine); });
    if (holder == scripts.cend() || fileLine > fileLines.size())
        return column;
    const EditorScript &script = *holder;
    const int scriptLine = int(script.fileLines.indexOf(fileLine));
    const QString scriptText = script.text.section(u'\n', scriptLine, scriptLine);
    return column + leadingSpace(fileLines.at(fileLine - 1)) - leadingSpace(scriptText);
}

QJsonObject report(const QString &path, const QString &text, bool nix,
    const QList<LintMessage> &messages, const BuildChecks &checks)
{
    const QList<EditorScript> scripts = extractEditorScripts(text, nix);
    const EditorScript &script = scripts.first();
    const QStringList fileLines = text.split(u'\n');
    QJsonArray jsonMessages;
    for (const LintMessage &m : messages) {
        jsonMessages.append(QJsonObject {{QStringLiteral("line"), m.line},
            {QStringLiteral("column"), fileColumn(scripts, fileLines, m.line, m.column)},
            {QStringLiteral("message"), m.message},
            {QStringLiteral("syntaxError"), m.syntaxError}});
    }
    QJsonArray lineMap;
    for (const int line : script.fileLines)
        lineMap.append(line);
    // The outline and extent of every test's script (the top-level
    // firstLine/lastLine/lineMap are the first's).
    QJsonArray outline;
    QJsonArray extents;
    for (const EditorScript &one : scripts) {
        if (!one.found)
            continue;
        for (const ScriptStatement &s : TestInfo::scriptOutline(one.text)) {
            outline.append(QJsonObject {{QStringLiteral("firstLine"), one.fileLineFor(s.firstLine)},
                {QStringLiteral("lastLine"), one.fileLineFor(s.lastLine)},
                {QStringLiteral("kind"), s.kind}, {QStringLiteral("label"), s.label}});
        }
        extents.append(QJsonObject {{QStringLiteral("firstLine"), one.fileLines.first()},
            {QStringLiteral("lastLine"), one.fileLines.last()}});
    }
    return QJsonObject {{QStringLiteral("file"), path},
        {QStringLiteral("scriptFound"), script.found},
        {QStringLiteral("firstLine"), script.fileLines.isEmpty() ? 0 : script.fileLines.first()},
        {QStringLiteral("lastLine"), script.fileLines.isEmpty() ? 0 : script.fileLines.last()},
        {QStringLiteral("lineMap"), lineMap}, {QStringLiteral("scripts"), extents},
        {QStringLiteral("machines"),
            QJsonArray::fromStringList(EvaluatedNodes::withTextNames(path, text, nix))},
        {QStringLiteral("outline"), outline},
        {QStringLiteral("checks"),
            QJsonObject {{QStringLiteral("lint"), checks.lint},
                {QStringLiteral("typeCheck"), checks.typeCheck}}},
        {QStringLiteral("messages"), jsonMessages}};
}

// The test_driver package of `path`: the package itself, a directory
// holding it, or a built bundle (`result` of a driver build) whose scripts
// lead to it. Empty with `error` set otherwise.
QString driverPackageOf(const QString &path, QString *error)
{
    for (const QString &dir : {path, path + QStringLiteral("/test_driver")}) {
        if (QFileInfo::exists(dir + QStringLiteral("/driver.py")))
            return QFileInfo(dir).absoluteFilePath();
    }
    QString bundleError;
    if (const auto bundle = DriverBundle::read(path, &bundleError)) {
        const QString package = DriverSymbols::packageDirOf(bundle->driverPath);
        if (!package.isEmpty())
            return package;
        *error = QStringLiteral("%1: no test_driver package found behind %2")
                     .arg(path, bundle->driverPath);
        return {};
    }
    *error = QStringLiteral("%1: neither a test_driver package nor a driver bundle (%2)")
                 .arg(path, bundleError);
    return {};
}

} // namespace

int lint(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    bool json = false;
    bool typeCheck = true;
    bool evaluate = true;
    QString driverPackage = ScriptTypeChecker::bundledDriverPackageDir();
    QStringList files;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args.at(i);
        if (a == QLatin1StringView("--driver")) {
            if (i + 1 >= args.size()) {
                err << "nixtide lint: --driver needs a path\n" << kUsage;
                return 2;
            }
            QString error;
            driverPackage = driverPackageOf(args.at(++i), &error);
            if (driverPackage.isEmpty()) {
                err << "nixtide lint: --driver " << error << '\n';
                return 2;
            }
            QString symbolsError;
            const DriverSymbols symbols = DriverSymbols::read(driverPackage, &symbolsError);
            if (symbols.isEmpty()) {
                err << "nixtide lint: --driver " << symbolsError << '\n';
                return 2;
            }
            DriverSymbols::setActive(symbols);
        } else if (a == QLatin1StringView("--json")) {
            json = true;
        } else if (a == QLatin1StringView("--no-type-check")) {
            typeCheck = false;
        } else if (a == QLatin1StringView("--no-eval")) {
            evaluate = false;
        } else if (a == QLatin1StringView("-h") || a == QLatin1StringView("--help")) {
            out << kUsage
                << "Checks each file's test script as the editor and the test's build do (a\n"
                   ".nix file's testScript, a .py file whole): syntax errors, pyflakes unless\n"
                   "the test sets skipLint = true, mypy against the driver's types unless it\n"
                   "sets skipTypeCheck = true (or --no-type-check), at the file's lines.\n"
                   "The driver's names and types are the bundled driver's, or with --driver\n"
                   "those of a built driver (a `result` of building a test's driver, or its\n"
                   "test_driver package), as the build of that driver would check.\n"
                   "A machine name the text does not show (nodes imported or made by a\n"
                   "function) is asked of Nix, as the editor does, when a name is left\n"
                   "undefined; --no-eval checks the text alone.\n"
                   "Exit 0 clean, 1 messages, 2 a file that cannot be read.\n";
            return 0;
        } else if (a.startsWith(u'-') && a.size() > 1) {
            err << "nixtide lint: unknown option " << a << '\n' << kUsage;
            return 2;
        } else {
            files.append(a);
        }
    }
    if (files.isEmpty()) {
        err << kUsage;
        return 2;
    }
    ScriptLinter linter;
    bool unreadable = false;
    bool anyMessage = false;
    QJsonArray reports;
    for (int i = 0; i < files.size(); ++i) {
        const QString path = files.at(i);
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            err << "nixtide lint: " << path << ": " << file.errorString() << '\n';
            unreadable = true;
            continue;
        }
        const QString text = QString::fromUtf8(file.readAll());
        const bool nix = path.endsWith(QLatin1StringView(".nix"));
        if (nix) {
            // `testScript = builtins.readFile ./x.py` or `import ./x.nix`:
            // the script is checked in the file that holds it.
            const ScriptLocation location = locateScriptInSource(text);
            if (!location.valueFile.isEmpty()) {
                const QString target = scriptValuePath(path, location);
                const bool listed
                    = std::any_of(files.cbegin(), files.cend(), [&target](const QString &f) {
                          return QFileInfo(f).absoluteFilePath() == target;
                      });
                err << "nixtide lint: " << path << ": the testScript is in " << target
                    << (listed ? "\n" : " (checked too)\n");
                if (!listed)
                    files.append(target);
                continue;
            }
        }
        QList<LintMessage> messages = linter.lint(text, nix, path);
        if (!linter.unavailableReason().isEmpty()) {
            err << "nixtide lint: cannot lint: " << linter.unavailableReason() << '\n';
            return 2;
        }
        if (nix && evaluate && namesSomethingUndefined(messages)) {
            QString evalError;
            if (learnMachinesFromNix(path, &evalError))
                messages = linter.lint(text, nix, path);
            else
                err << "nixtide lint: " << path << ": Nix could not name the test's machines ("
                    << evalError.trimmed() << "); checked against the text's\n";
        }
        BuildChecks checks = nix ? BuildChecks::of(text) : BuildChecks {};
        checks.typeCheck = checks.typeCheck && typeCheck;
        const bool syntaxError = std::any_of(
            messages.cbegin(), messages.cend(), [](const LintMessage &m) { return m.syntaxError; });
        if (checks.typeCheck && !syntaxError) {
            QString typeError;
            messages += ScriptTypeChecker(driverPackage).checkFile(text, nix, path, &typeError);
            if (!typeError.isEmpty())
                err << "nixtide lint: " << path << ": type check skipped: " << typeError << '\n';
        }
        std::stable_sort(messages.begin(), messages.end(),
            [](const LintMessage &a, const LintMessage &b) { return a.line < b.line; });
        const QJsonObject r = report(path, text, nix, messages, checks);
        if (!r.value(QStringLiteral("scriptFound")).toBool())
            err << "nixtide lint: " << path << ": no testScript literal found, nothing to lint\n";
        anyMessage = anyMessage || !messages.isEmpty();
        if (json) {
            reports.append(r);
            continue;
        }
        for (const QJsonValue &m : r.value(QStringLiteral("messages")).toArray()) {
            const QJsonObject o = m.toObject();
            out << path << ':' << o.value(QStringLiteral("line")).toInt() << ':'
                << o.value(QStringLiteral("column")).toInt() << ": "
                << o.value(QStringLiteral("message")).toString() << '\n';
        }
    }
    if (json)
        out << QJsonDocument(reports).toJson(QJsonDocument::Indented);
    out.flush();
    return unreadable ? 2 : (anyMessage ? 1 : 0);
}

} // namespace nixtide::cli
