#include "core/nix/scripttypecheck.h"

#include "core/paths.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <algorithm>

namespace nixtide {

namespace {

constexpr int kMypyTimeoutMs = 300000;

// The driver's names with the types its test_symbols() gives them. `driver`
// and `t` stay Any: their classes differ between generations.
constexpr auto kPrependHead = R"(# Added by nixtide: the names the test driver gives a test script.
from typing import Any, Callable, ContextManager, List
from test_driver.logger import AbstractLogger
from test_driver.machine import Machine
from test_driver.vlan import VLan
import os

start_all: Callable[[], None]
subtest: Callable[[str], ContextManager[None]]
retry: Callable[..., None]
test_script: Callable[[], None]
machines: List[Machine]
vlans: List[VLan]
driver: Any
log: AbstractLogger
create_machine: Callable[..., Machine]
run_tests: Callable[[], None]
join_all: Callable[[], None]
serial_stdout_off: Callable[[], None]
serial_stdout_on: Callable[[], None]
polling_condition: Callable[..., Any]
t: Any
debug: Any
)";

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

ScriptTypeChecker::ScriptTypeChecker(QString driverPackageDir)
    : m_driverPackageDir(std::move(driverPackageDir))
{ }

QString ScriptTypeChecker::bundledDriverPackageDir()
{
    return DataPaths::demoDir() + QStringLiteral("/driver");
}

QString ScriptTypeChecker::prepend(const QStringList &machines, const QList<int> &vlans)
{
    QString text = QString::fromUtf8(kPrependHead);
    QStringList names = machines;
    // A lone machine is also `machine`, whatever it is called.
    if (names.size() == 1 && !names.contains(QStringLiteral("machine")))
        names.append(QStringLiteral("machine"));
    for (const QString &n : std::as_const(names))
        text += n + QStringLiteral(": Machine\n");
    for (const int nr : vlans)
        text += QStringLiteral("vlan%1: VLan\n").arg(nr);
    return text;
}

QList<LintMessage> ScriptTypeChecker::check(const EditorScript &script, const QStringList &machines,
    const QList<int> &vlans, QString *error) const
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
    const QString head = prepend(machines, vlans);
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
    env.insert(QStringLiteral("MYPYPATH"), m_driverPackageDir);
    process.setProcessEnvironment(env);
    const QString cache = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation)
        + QStringLiteral("/nixtide/mypy");
    QDir().mkpath(cache);
    // The driver's own modules are followed for their types only: their
    // findings are not the script's.
    process.start(mypy,
        {QStringLiteral("--no-implicit-optional"), QStringLiteral("--follow-imports=silent"),
            QStringLiteral("--show-column-numbers"), QStringLiteral("--no-error-summary"),
            QStringLiteral("--hide-error-context"), QStringLiteral("--no-color-output"),
            QStringLiteral("--no-pretty"), QStringLiteral("--cache-dir"), cache, path});
    if (!process.waitForFinished(kMypyTimeoutMs)) {
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
    const EditorScript script = extractEditorScript(fileText, nix);
    if (!script.found)
        return {};
    const QStringList machines = nix ? nodeNames(fileText) : companionNodeNames(path);
    QList<LintMessage> messages = check(script, machines, declaredVlans(fileText), error);
    if (!nix || BuildChecks::of(fileText).lint) {
        messages.removeIf([](const LintMessage &m) {
            return m.message.endsWith(QLatin1StringView("[name-defined]"));
        });
    }
    return messages;
}

} // namespace nixtide
