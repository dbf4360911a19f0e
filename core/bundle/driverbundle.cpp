#include "core/bundle/driverbundle.h"

#include "core/bundle/shellwords.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QRegularExpression>

namespace nixtide {

namespace {

// What one wrapper script (and the wrappers it execs) tells us.
struct WrapperFacts
{
    QMap<QString, QString> exports;
    QStringList execArguments; // arguments after each exec target, "$@" dropped
    QStringList outerArguments; // those of the outermost wrapper only
    QString execTarget;
};

constexpr int kMaxWrapperDepth = 4;

QString assignmentValue(const QString &raw)
{
    // `--set-default` writes `export NAME=${NAME-'value'}`: take the default.
    static const QRegularExpression defaulted(QStringLiteral(R"(^\$\{\w+:?-(.*)\}$)"));
    QString text = raw.trimmed();
    const QRegularExpressionMatch m = defaulted.match(text);
    if (m.hasMatch())
        text = m.captured(1);
    QStringList words;
    if (!splitShellWords(text, &words))
        return QString();
    return words.join(QLatin1Char(' '));
}

// Reads `path` and follows the exec line through nested text wrappers so
// that a wrapper of a wrapper still yields the outermost settings first.
bool readWrapper(const QString &path, WrapperFacts *facts, QString *error, int depth = 0)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: cannot read the driver wrapper: %2")
                     .arg(path, file.errorString());
        return false;
    }
    const QByteArray bytes = file.read(1 << 20);
    if (bytes.startsWith("\x7f"
                         "ELF")) {
        if (depth > 0)
            return true; // reached the interpreter or a compiled entry point
        *error = QStringLiteral("%1: is a compiled wrapper (makeBinaryWrapper); nixtide reads "
                                "shell wrappers of the test driver")
                     .arg(path);
        return false;
    }
    if (!bytes.startsWith("#!")) {
        if (depth > 0)
            return true;
        *error = QStringLiteral("%1: is not a script (no #! line)").arg(path);
        return false;
    }
    const bool isShell = bytes.left(bytes.indexOf('\n')).contains("sh");
    if (!isShell)
        return true; // e.g. the Python entry point itself: nothing to read

    static const QRegularExpression assignment(QStringLiteral(R"(^(?:export\s+)?(\w+)=(.*)$)"));
    QString nextTarget;
    const QStringList lines = QString::fromUtf8(bytes).split(QLatin1Char('\n'));
    for (const QString &rawLine : lines) {
        const QString line = rawLine.trimmed();
        const QRegularExpressionMatch m = assignment.match(line);
        if (m.hasMatch()) {
            // Outer wrappers win: makeWrapper's outermost `--set` is what the
            // driver sees unless an inner one overrides, and inner wrappers of
            // the driver package never set these names.
            if (!facts->exports.contains(m.captured(1)))
                facts->exports.insert(m.captured(1), assignmentValue(m.captured(2)));
            continue;
        }
        if (!line.startsWith(QLatin1String("exec ")))
            continue;
        QStringList words;
        if (!splitShellWords(line, &words)) {
            *error = QStringLiteral("%1: unterminated quote on the exec line").arg(path);
            return false;
        }
        int i = 1;
        while (i < words.size() && words.at(i).startsWith(QLatin1Char('-'))) {
            if (words.at(i) == QLatin1String("-a"))
                ++i; // `exec -a "$0"`: skip the name argument
            ++i;
        }
        if (i >= words.size())
            continue;
        nextTarget = words.at(i);
        QStringList arguments;
        for (int k = i + 1; k < words.size(); ++k) {
            if (words.at(k) != QLatin1String("$@"))
                arguments.append(words.at(k));
        }
        facts->execArguments.append(arguments);
        if (facts->execTarget.isEmpty()) {
            facts->execTarget = nextTarget;
            facts->outerArguments = arguments;
        }
    }
    if (!nextTarget.isEmpty() && depth + 1 < kMaxWrapperDepth && QFileInfo(nextTarget).isFile())
        return readWrapper(nextTarget, facts, error, depth + 1);
    return true;
}

QString machineNameFromStartScript(const QString &startScript)
{
    static const QRegularExpression runVm(QStringLiteral(R"(^run-(.+)-vm$)"));
    const QRegularExpressionMatch m = runVm.match(QFileInfo(startScript).fileName());
    return m.hasMatch() ? m.captured(1) : QString();
}

QString testNameOf(const QString &dir)
{
    // Store paths look like /nix/store/<hash>-nixos-test-driver-<name>.
    const QString base = QFileInfo(QDir::cleanPath(QFileInfo(dir).canonicalFilePath())).fileName();
    static const QRegularExpression storeName(
        QStringLiteral(R"(^(?:[0-9a-z]{32}-)?(?:nixos-test-driver|vm-test-run)-(.+)$)"));
    const QRegularExpressionMatch m = storeName.match(base);
    return m.hasMatch() ? m.captured(1) : base;
}

bool readEnvironmentEra(DriverBundle *bundle, const WrapperFacts &facts, QString *error)
{
    const QString startScripts = facts.exports.value(QStringLiteral("startScripts"));
    for (const QString &script : startScripts.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        const QString name = machineNameFromStartScript(script);
        if (name.isEmpty()) {
            *error
                = QStringLiteral("%1: start script %2 in startScripts is not named run-<name>-vm")
                      .arg(bundle->driverPath, script);
            return false;
        }
        bundle->machines.append({name, script});
    }
    for (const QString &vlan :
        facts.exports.value(QStringLiteral("vlans")).split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        bool ok = false;
        const int number = vlan.toInt(&ok);
        if (!ok) {
            *error = QStringLiteral("%1: vlans holds '%2', not a number")
                         .arg(bundle->driverPath, vlan);
            return false;
        }
        bundle->vlans.append(number);
    }
    const QString timeout = facts.exports.value(QStringLiteral("globalTimeout"));
    if (!timeout.isEmpty())
        bundle->globalTimeout = timeout.toInt();
    bundle->testScriptPath = facts.exports.value(QStringLiteral("testScript"));
    return true;
}

bool readConfigurationEra(DriverBundle *bundle, QString *error)
{
    QFile file(bundle->configPath);
    if (!file.open(QIODevice::ReadOnly)) {
        *error
            = QStringLiteral("%1: cannot read the driver configuration named by --config in %2: %3")
                  .arg(bundle->configPath, bundle->driverPath, file.errorString());
        return false;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!doc.isObject()) {
        *error = QStringLiteral("%1: not a JSON object (%2 at offset %3)")
                     .arg(bundle->configPath, parseError.errorString())
                     .arg(parseError.offset);
        return false;
    }
    const QJsonObject config = doc.object();
    if (!config.value(QStringLiteral("vms")).isObject()) {
        *error = QStringLiteral("%1: has no \"vms\" object").arg(bundle->configPath);
        return false;
    }
    const QJsonObject vms = config.value(QStringLiteral("vms")).toObject();
    for (auto it = vms.begin(); it != vms.end(); ++it) {
        const QJsonObject vm = it.value().toObject();
        const QString startScript = vm.value(QStringLiteral("start_script")).toString();
        if (startScript.isEmpty()) {
            *error = QStringLiteral("%1: vms.%2 has no \"start_script\"")
                         .arg(bundle->configPath, it.key());
            return false;
        }
        const QString name = vm.value(QStringLiteral("name")).toString(it.key());
        bundle->machines.append({name, startScript});
    }
    bundle->containers = config.value(QStringLiteral("containers")).toObject().keys();
    for (const QJsonValue &vlan : config.value(QStringLiteral("vlans")).toArray())
        bundle->vlans.append(vlan.toInt());
    bundle->globalTimeout = config.value(QStringLiteral("global_timeout")).toInt(3600);
    bundle->testScriptPath = config.value(QStringLiteral("test_script")).toString();
    return true;
}

} // namespace

std::optional<DriverBundle> DriverBundle::read(const QString &dir, QString *error)
{
    QString ignored;
    if (!error)
        error = &ignored;
    DriverBundle bundle;
    bundle.dir = QDir::cleanPath(QFileInfo(dir).absoluteFilePath());
    if (!QFileInfo(bundle.dir).isDir()) {
        *error = QStringLiteral("%1: no such directory").arg(bundle.dir);
        return std::nullopt;
    }
    bundle.driverPath = bundle.dir + QStringLiteral("/bin/nixos-test-driver");
    if (!QFileInfo(bundle.driverPath).isFile()) {
        *error = QStringLiteral("%1: is not a test driver bundle: bin/nixos-test-driver is missing")
                     .arg(bundle.dir);
        return std::nullopt;
    }
    bundle.testName = testNameOf(bundle.dir);

    WrapperFacts facts;
    if (!readWrapper(bundle.driverPath, &facts, error))
        return std::nullopt;
    bundle.wrapperArguments = facts.outerArguments;

    const qsizetype config = facts.execArguments.indexOf(QStringLiteral("--config"));
    const qsizetype shortConfig = facts.execArguments.indexOf(QStringLiteral("-c"));
    const qsizetype at = config >= 0 ? config : shortConfig;
    if (at >= 0 && at + 1 < facts.execArguments.size()) {
        bundle.generation = Generation::Configuration;
        bundle.configPath = facts.execArguments.at(at + 1);
    } else {
        for (const QString &argument : std::as_const(facts.execArguments)) {
            if (argument.startsWith(QLatin1String("--config=")))
                bundle.configPath = argument.mid(9);
        }
        bundle.generation
            = bundle.configPath.isEmpty() ? Generation::Environment : Generation::Configuration;
    }

    if (bundle.generation == Generation::Configuration) {
        if (!readConfigurationEra(&bundle, error))
            return std::nullopt;
    } else {
        if (!facts.exports.contains(QStringLiteral("startScripts"))) {
            *error = QStringLiteral("%1: neither `--config <file>` on its exec line nor "
                                    "`export startScripts=…` (environment era) was found")
                         .arg(bundle.driverPath);
            return std::nullopt;
        }
        if (!readEnvironmentEra(&bundle, facts, error))
            return std::nullopt;
    }

    // The bundle's own copy is what upstream points at; fall back to it when
    // the wrapper names none.
    if (bundle.testScriptPath.isEmpty())
        bundle.testScriptPath = bundle.dir + QStringLiteral("/test-script");
    if (!QFileInfo(bundle.testScriptPath).isFile()) {
        *error = QStringLiteral("%1: the test script %2 does not exist")
                     .arg(bundle.generation == Generation::Configuration ? bundle.configPath
                                                                         : bundle.driverPath,
                         bundle.testScriptPath);
        return std::nullopt;
    }
    return bundle;
}

QStringList DriverBundle::machineNames() const
{
    QStringList names;
    for (const BundleMachine &machine : machines)
        names.append(machine.name);
    return names;
}

QString DriverBundle::readTestScript(QString *error) const
{
    QFile file(testScriptPath);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("%1: cannot read the test script: %2")
                         .arg(testScriptPath, file.errorString());
        return QString();
    }
    return QString::fromUtf8(file.readAll());
}

} // namespace nixtide
