#include "core/paths.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>

namespace nixtide {

namespace {

bool looksLikeDataDir(const QString &dir)
{
    return QFileInfo::exists(dir + QStringLiteral("/agent/inject/sitecustomize.py"));
}

bool isInBuildTree(const QString &dir)
{
    const QString build = QFileInfo(QStringLiteral(NIXTIDE_BUILD_DIR)).canonicalFilePath();
    return !build.isEmpty() && (dir == build || dir.startsWith(build + QLatin1Char('/')));
}

} // namespace

QString DataPaths::dataDir()
{
    const QString overridden = qEnvironmentVariable("NIXTIDE_DATA_DIR");
    if (!overridden.isEmpty())
        return overridden;
    if (QCoreApplication::instance()) {
        const QString binDir = QCoreApplication::applicationDirPath();
        const QString installed
            = QDir::cleanPath(binDir + QStringLiteral("/" NIXTIDE_DATA_FROM_BIN));
        // Outside the build tree the binary is installed: an incomplete
        // install must name its own missing files, not fall back to the
        // source tree of the machine that built it (absent on any other).
        if (looksLikeDataDir(installed) || !isInBuildTree(binDir))
            return installed;
    }
    return QStringLiteral(NIXTIDE_SOURCE_DIR);
}

QString DataPaths::agentDir()
{
    const QString base = dataDir();
    // In the source tree the agent sits under core/, once installed directly
    // under share/nixtide; an install that lacks it is named as an install.
    const QString source = base + QStringLiteral("/core/agent");
    if (QFileInfo::exists(source))
        return source;
    return base + QStringLiteral("/agent");
}

QString DataPaths::demoDir()
{
    const QString base = dataDir();
    const QString installed = base + QStringLiteral("/demo");
    if (QFileInfo::exists(installed))
        return installed;
    return base + QStringLiteral("/resources/demo");
}

QString DataPaths::ocrWorker()
{
    const QString overridden = qEnvironmentVariable("NIXTIDE_OCR_WORKER");
    if (!overridden.isEmpty())
        return overridden;
    const QString built = QStringLiteral(NIXTIDE_BUILD_DIR "/app/nixtide-ocr");
    if (!QCoreApplication::instance())
        return built;
    const QString binDir = QCoreApplication::applicationDirPath();
    if (isInBuildTree(binDir))
        return built;
    return QDir::cleanPath(binDir + QStringLiteral("/" NIXTIDE_LIBEXEC_FROM_BIN "/nixtide-ocr"));
}

QString DataPaths::stateDir()
{
    QString base = qEnvironmentVariable("XDG_STATE_HOME");
    if (base.isEmpty())
        base = QDir::homePath() + QStringLiteral("/.local/state");
    return base + QStringLiteral("/nixtide");
}

QString DataPaths::runtimeDir()
{
    const QString xdg = qEnvironmentVariable("XDG_RUNTIME_DIR");
    if (!xdg.isEmpty() && QFileInfo(xdg).isDir())
        return xdg;
    return QDir::tempPath();
}

QString DataPaths::keptVmStateDir(const QString &testName)
{
    // A test name is Nix's `name`: it may hold a slash.
    QString safe = testName;
    safe.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("_"));
    return runtimeDir() + QStringLiteral("/nixtide-vms-") + safe;
}

} // namespace nixtide
