#include "core/session/launchplan.h"

#include "core/paths.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

namespace nixtide {

QString LaunchPlan::breakpointPath() const
{
    if (!scriptPath.isEmpty())
        return scriptPath;
    if (!sourcePath.isEmpty() && !lineMap.isEmpty())
        return sourcePath;
    return bundle.testScriptPath;
}

QString LaunchPlan::effectiveVmStateDir() const
{
    if (!vmStateDir.isEmpty() || !keepVmState)
        return vmStateDir;
    return DataPaths::keptVmStateDir(bundle.testName);
}

QJsonObject LaunchPlan::launchArguments() const
{
    QJsonObject args {
        {QStringLiteral("stopOnEntry"), stopOnEntry}, {QStringLiteral("noDebug"), noDebug}};
    if (!scriptPath.isEmpty()) {
        args.insert(QStringLiteral("script"), scriptText);
        args.insert(QStringLiteral("scriptPath"), scriptPath);
    } else if (!sourcePath.isEmpty() && !lineMap.isEmpty()) {
        // An edited script run without rebuilding (ScriptReuse) replaces the
        // built one; its line map is to the edited .nix file.
        if (!scriptText.isEmpty())
            args.insert(QStringLiteral("script"), scriptText);
        args.insert(QStringLiteral("sourcePath"), sourcePath);
        QJsonArray map;
        for (int line : lineMap)
            map.append(line);
        args.insert(QStringLiteral("lineMap"), map);
    }
    return args;
}

QJsonObject LaunchPlan::scriptArguments() const
{
    QJsonObject args = launchArguments();
    args.remove(QStringLiteral("stopOnEntry"));
    args.remove(QStringLiteral("noDebug"));
    return args;
}

bool LaunchPlan::loadScript(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    scriptPath = QFileInfo(path).absoluteFilePath();
    scriptText = QString::fromUtf8(file.readAll());
    return true;
}

bool LaunchPlan::driverAccepts(const QString &option) const
{
    // Every release since nixos-22.11 has --keep-vm-state (the
    // configuration era keeps it as a hidden alias); --junit-xml came later.
    if (driverOptions.isEmpty())
        return option == QLatin1String("--keep-vm-state");
    return driverOptions.contains(option);
}

QString LaunchPlan::keepStateOption() const
{
    // The configuration era lists --keep-machine-state and hides the old
    // --keep-vm-state alias from --help.
    if (driverAccepts(QStringLiteral("--keep-vm-state")))
        return QStringLiteral("--keep-vm-state");
    if (driverAccepts(QStringLiteral("--keep-machine-state")))
        return QStringLiteral("--keep-machine-state");
    return {};
}

bool LaunchPlan::nixtideWritesJunit() const
{
    return !junitXml.isEmpty() && !driverAccepts(QStringLiteral("--junit-xml"));
}

QStringList LaunchPlan::driverArguments() const
{
    QStringList args = extraDriverArguments;
    if (keepVmState && !keepStateOption().isEmpty())
        args << keepStateOption();
    if (!junitXml.isEmpty() && !nixtideWritesJunit())
        args << QStringLiteral("--junit-xml") << junitXml;
    return args;
}

} // namespace nixtide
