#include "core/nix/scripttypecheck.h"

#include "core/nix/evaluatednodes.h"
#include "core/paths.h"
#include "core/worker.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <algorithm>

namespace nixtide {

namespace {

constexpr int kMypyTimeoutMs = 300000;

// The names test_symbols() gives a script, typed as the build's prepend
// types them. The machine and logger classes are filled in per generation.
constexpr auto kPrependNames = R"(start_all: Callable[[], None]
subtest: Callable[[str], ContextManager[None]]
retry: Callable[..., None]
test_script: Callable[[], None]
vlans: List[VLan]
create_machine: Callable[..., Any]
run_tests: Callable[[], None]
join_all: Callable[[], None]
serial_stdout_off: Callable[[], None]
serial_stdout_on: Callable[[], None]
polling_condition: Callable[..., Any]
t: TestCase
)";

QString moduleText(const QString &packageDir, const QString &module)
{
    for (const QString &candidate :
        {QStringLiteral("%1/%2.py"), QStringLiteral("%1/%2/__init__.py")}) {
        QFile file(candidate.arg(packageDir, module));
        if (file.open(QIODevice::ReadOnly))
            return QString::fromUtf8(file.readAll());
    }
    return {};
}

// Whether a module's top level defines or imports `name`: a class, an
// assignment (`QemuMachine = Machine`) or an import, also inside a
// parenthesised list.
bool defines(const QString &moduleText, const QString &name)
{
    const QRegularExpression re(
        QStringLiteral(
            "^(?:class\\s+%1\\b|%1\\s*=|from\\s+\\S+\\s+import\\s+[^\\n]*\\b%1\\b|\\s+%1,?\\s*$)")
            .arg(name),
        QRegularExpression::MultilineOption);
    return re.match(moduleText).hasMatch();
}

// A directory whose only entry is `test_driver`, linked to the package:
// mypy refuses a site-packages directory (where a built driver's package
// lives) in MYPYPATH, and a stable path keeps its cache valid.
QString mypyPathFor(const QString &packageDir, const QString &cacheRoot, QString *error)
{
    const QByteArray key = QCryptographicHash::hash(packageDir.toUtf8(), QCryptographicHash::Sha256)
                               .toHex()
                               .left(16);
    const QString dir = cacheRoot + QStringLiteral("/path-") + QString::fromLatin1(key);
    const QString link = dir + QStringLiteral("/test_driver");
    if (QFileInfo(link).symLinkTarget() == QFileInfo(packageDir).absoluteFilePath())
        return dir;
    QDir().mkpath(dir);
    QFile::remove(link);
    if (!QFile::link(QFileInfo(packageDir).absoluteFilePath(), link)) {
        *error = QStringLiteral("cannot link %1 to %2").arg(link, packageDir);
        return {};
    }
    return dir;
}

} // namespace

QList<int> declaredVlans(const QString &nixText)
{
    static const QRegularExpression list(QStringLiteral("\\bvlans\\s*=\\s*\\[([\\s\\d]*)\\]"));
    QList<int> vlans;
    auto it = list.globalMatch(nixText);
    while (it.hasNext()) {
        const auto m = it.next();
        for (const QString &n : m.captured(1).split(u' ', Qt::SkipEmptyParts)) {
            const int nr = n.trimmed().toInt();
            if (nr > 0 && !vlans.contains(nr))
                vlans.append(nr);
        }
    }
    std::sort(vlans.begin(), vlans.end());
    return vlans;
}

DriverTypeNames DriverTypeNames::of(const QString &packageDir)
{
    DriverTypeNames names;
    const QString machine = moduleText(packageDir, QStringLiteral("machine"));
    // Newest: BaseMachine with QemuMachine and NspawnMachine; older: Machine.
    if (defines(machine, QStringLiteral("QemuMachine")))
        names.machine = QStringLiteral("QemuMachine");
    names.container = defines(machine, QStringLiteral("NspawnMachine"))
        ? QStringLiteral("NspawnMachine")
        : names.machine;
    if (defines(machine, QStringLiteral("BaseMachine")))
        names.anyMachine = QStringLiteral("BaseMachine");
    else
        names.anyMachine = names.machine;
    const QString logger = moduleText(packageDir, QStringLiteral("logger"));
    if (!defines(logger, QStringLiteral("AbstractLogger"))
        && defines(logger, QStringLiteral("Logger")))
        names.logger = QStringLiteral("Logger");
    if (defines(moduleText(packageDir, QStringLiteral("driver")), QStringLiteral("Driver")))
        names.driver = QStringLiteral("Driver");
    if (defines(moduleText(packageDir, QStringLiteral("debug")), QStringLiteral("DebugAbstract")))
        names.debug = QStringLiteral("DebugAbstract");
    return names;
}

ScriptTypeChecker::ScriptTypeChecker(QString driverPackageDir)
    : m_driverPackageDir(std::move(driverPackageDir))
    , m_types(DriverTypeNames::of(m_driverPackageDir))
{ }

QString ScriptTypeChecker::bundledDriverPackageDir()
{
    return DataPaths::demoDir() + QStringLiteral("/driver/test_driver");
}

QString ScriptTypeChecker::prepend(const QStringList &machines, const QList<int> &vlans,
    const DriverTypeNames &types, const QStringList &containers)
{
    QStringList machineClasses {types.machine};
    if (!machineClasses.contains(types.anyMachine))
        machineClasses.append(types.anyMachine);
    if (!containers.isEmpty() && !machineClasses.contains(types.container))
        machineClasses.append(types.container);
    QString text
        = QStringLiteral("# Added by nixtide: the names the test driver gives a test script.\n"
                         "from typing import Any, Callable, ContextManager, List\n"
                         "from unittest import TestCase\n"
                         "from test_driver.logger import %1\n"
                         "from test_driver.machine import %2\n"
                         "from test_driver.vlan import VLan\n"
                         "import os\n")
              .arg(types.logger, machineClasses.join(QStringLiteral(", ")));
    if (types.driver != QLatin1StringView("Any"))
        text += QStringLiteral("from test_driver.driver import %1\n").arg(types.driver);
    if (types.debug != QLatin1StringView("Any"))
        text += QStringLiteral("from test_driver.debug import %1\n").arg(types.debug);
    text += QString::fromUtf8(kPrependNames);
    text += QStringLiteral("machines: List[%1]\nlog: %2\ndriver: %3\ndebug: %4\n")
                .arg(types.anyMachine, types.logger, types.driver, types.debug);
    const auto classOf = [&](const QString &name) {
        return containers.contains(name) ? types.container : types.machine;
    };
    for (const QString &n : machines)
        text += n + QStringLiteral(": ") + classOf(n) + u'\n';
    // A lone machine is also `machine`, whatever it is called.
    if (machines.size() == 1 && machines.first() != QLatin1StringView("machine"))
        text += QStringLiteral("machine: ") + classOf(machines.first()) + u'\n';
    for (const int nr : vlans)
        text += QStringLiteral("vlan%1: VLan\n").arg(nr);
    return text;
}

QList<LintMessage> ScriptTypeChecker::check(const EditorScript &script, const QStringList &machines,
    const QList<int> &vlans, QString *error, const QStringList &containers) const
{
    error->clear();
    const QString mypy = QStandardPaths::findExecutable(QStringLiteral("mypy"));
    if (mypy.isEmpty()) {
        *error = QStringLiteral("mypy is not installed (no `mypy` on PATH)");
        return {};
    }
    QTemporaryDir dir;
    if (!dir.isValid()) {
        *error = QStringLiteral("cannot make a temporary directory: %1").arg(dir.errorString());
        return {};
    }
    const QString cache = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation)
        + QStringLiteral("/nixtide/mypy");
    const QString mypyPath = mypyPathFor(m_driverPackageDir, cache, error);
    if (mypyPath.isEmpty())
        return {};
    const QString head = prepend(machines, vlans, m_types, containers);
    const int headLines = int(head.count(u'\n'));
    const QString path = dir.filePath(QStringLiteral("test-script.py"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write((head + script.text).toUtf8()) < 0) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return {};
    }
    file.close();

    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("MYPYPATH"), mypyPath);
    process.setProcessEnvironment(env);
    // The driver's own modules are followed for their types only: their
    // findings are not the script's.
    process.start(mypy,
        {QStringLiteral("--no-implicit-optional"), QStringLiteral("--follow-imports=silent"),
            QStringLiteral("--show-column-numbers"), QStringLiteral("--no-error-summary"),
            QStringLiteral("--hide-error-context"), QStringLiteral("--no-color-output"),
            QStringLiteral("--no-pretty"), QStringLiteral("--cache-dir"), cache, path});
    if (!waitForFinishedOrExit(process, kMypyTimeoutMs)) {
        process.kill();
        process.waitForFinished();
        *error = QStringLiteral("mypy did not finish: %1").arg(process.errorString());
        return {};
    }
    // mypy: 0 clean, 1 findings, 2 it could not run.
    const QString output = QString::fromUtf8(process.readAllStandardOutput());
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() > 1) {
        *error = QStringLiteral("mypy failed: %1%2")
                     .arg(output.trimmed(),
                         QString::fromUtf8(process.readAllStandardError()).trimmed());
        return {};
    }
    static const QRegularExpression finding(
        QStringLiteral("^(.*):(\\d+):(\\d+): error: (.*)$"), QRegularExpression::MultilineOption);
    QList<LintMessage> messages;
    auto it = finding.globalMatch(output);
    while (it.hasNext()) {
        const auto m = it.next();
        if (m.captured(1) != path)
            continue;
        const int scriptLine = m.captured(2).toInt() - headLines;
        const int fileLine = script.fileLineFor(scriptLine);
        if (fileLine <= 0) {
            // The prefix itself is wrong for this script (e.g. a machine
            // name that is not an identifier): say so once, plainly.
            *error = QStringLiteral("the type check's prefix is invalid: %1").arg(m.captured(4));
            return {};
        }
        messages.append({fileLine, m.captured(3).toInt(),
            QStringLiteral("Type check: %1").arg(m.captured(4).trimmed()), false});
    }
    return messages;
}

QList<LintMessage> ScriptTypeChecker::checkFile(
    const QString &fileText, bool nix, const QString &path, QString *error) const
{
    error->clear();
    const QStringList machines = EvaluatedNodes::withTextNames(path, fileText, nix);
    QList<LintMessage> messages;
    // Every test of the file whose build type-checks it.
    for (const EditorScript &script : extractEditorScripts(fileText, nix)) {
        if (!script.found)
            continue;
        const BuildChecks checks = nix ? BuildChecks::ofTest(script.testSource) : BuildChecks {};
        if (!checks.typeCheck)
            continue;
        QList<LintMessage> found = check(script, machines, declaredVlans(fileText), error,
            nix ? containerNames(fileText) : QStringList {});
        if (!error->isEmpty())
            return messages;
        // Undefined names are pyflakes' to report when the test lints.
        if (checks.lint) {
            found.removeIf([](const LintMessage &m) {
                return m.message.endsWith(QLatin1StringView("[name-defined]"));
            });
        }
        messages += found;
    }
    return messages;
}

} // namespace nixtide
