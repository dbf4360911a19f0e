#include "core/nix/driversymbols.h"

#include "core/paths.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMutex>
#include <QRegularExpression>

#include <optional>

namespace nixtide {

namespace {

QMutex activeMutex;
std::optional<DriverSymbols> activeSymbols;

// A test_driver directory inside a store path: nixpkgs' Python layout or
// the flat lib/python of the demo driver.
QString packageIn(const QString &storePath)
{
    const QString flat = storePath + QStringLiteral("/lib/python/test_driver");
    if (QFileInfo::exists(flat + QStringLiteral("/driver.py")))
        return flat;
    const QDir lib(storePath + QStringLiteral("/lib"));
    for (const QString &python : lib.entryList({QStringLiteral("python3*")}, QDir::Dirs)) {
        const QString site = lib.filePath(python) + QStringLiteral("/site-packages/test_driver");
        if (QFileInfo::exists(site + QStringLiteral("/driver.py")))
            return site;
    }
    return {};
}

} // namespace

QStringList DriverSymbols::methodNames() const
{
    QStringList names;
    for (const DriverMethod &m : methods)
        names.append(m.name);
    return names;
}

const DriverMethod *DriverSymbols::method(const QString &name) const
{
    for (const DriverMethod &m : methods) {
        if (m.name == name)
            return &m;
    }
    return nullptr;
}

QString DriverSymbols::packageDirOf(const QString &driverPath)
{
    static const QRegularExpression storeFile(
        QStringLiteral("/nix/store/[0-9a-z]{32}-[^/\\s\"'$:;]+(?:/[^\\s\"'$:;]+)*"));
    static const QRegularExpression storeRoot(QStringLiteral("\\A/nix/store/[^/]+"));
    // The bundle's driver execs a wrapper that links to the driver package's
    // script (makeWrapper): follow the files the scripts name, a few deep.
    QStringList scripts {driverPath};
    QStringList seen;
    for (int depth = 0; depth < 4 && !scripts.isEmpty(); ++depth) {
        QStringList next;
        for (const QString &script : std::as_const(scripts)) {
            const QString real = QFileInfo(script).canonicalFilePath();
            const QString root = storeRoot.match(real).captured(0);
            if (!root.isEmpty()) {
                const QString package = packageIn(root);
                if (!package.isEmpty())
                    return package;
            }
            QFile file(real);
            if (file.size() > 1024 * 1024 || !file.open(QIODevice::ReadOnly))
                continue;
            const QString text = QString::fromUtf8(file.readAll());
            for (auto it = storeFile.globalMatch(text); it.hasNext();) {
                const QString path = it.next().captured(0);
                if (seen.contains(path) || !QFileInfo(path).isFile())
                    continue;
                seen.append(path);
                next.append(path);
            }
        }
        scripts = next;
    }
    return {};
}

DriverSymbols DriverSymbols::read(const QString &packageDir, QString *error)
{
    DriverSymbols symbols;
    if (!QFileInfo::exists(packageDir + QStringLiteral("/driver.py"))) {
        if (error)
            *error = QStringLiteral("%1 is no test_driver package (no driver.py)").arg(packageDir);
        return symbols;
    }
    const EmbeddedPython python;
    if (!python.driverSymbols(packageDir, &symbols.globals, &symbols.methods, error))
        return {};
    symbols.packageDir = packageDir;
    return symbols;
}

DriverSymbols DriverSymbols::active()
{
    {
        const QMutexLocker lock(&activeMutex);
        if (activeSymbols)
            return *activeSymbols;
    }
    QString error;
    DriverSymbols bundled
        = read(DataPaths::demoDir() + QStringLiteral("/driver/test_driver"), &error);
    const QMutexLocker lock(&activeMutex);
    if (!activeSymbols)
        activeSymbols = bundled;
    return *activeSymbols;
}

void DriverSymbols::setActive(const DriverSymbols &symbols)
{
    const QMutexLocker lock(&activeMutex);
    activeSymbols = symbols;
}

} // namespace nixtide
