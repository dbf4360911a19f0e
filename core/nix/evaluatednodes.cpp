#include "core/nix/evaluatednodes.h"

#include "core/nix/scriptsource.h"

#include <QFileInfo>
#include <QHash>
#include <QMutex>
#include <QMutexLocker>

namespace nixtide {

namespace {

struct Known
{
    QMutex mutex;
    QHash<QString, QStringList> byFile;
};

Known &known()
{
    static Known instance;
    return instance;
}

QString key(const QString &file)
{
    return QFileInfo(file).absoluteFilePath();
}

} // namespace

void EvaluatedNodes::set(const QString &file, const QStringList &nixNames)
{
    QStringList python;
    for (QString name : nixNames) {
        // As the driver names a machine's Python variable.
        name.replace(u'-', u'_');
        if (!python.contains(name))
            python.append(name);
    }
    QMutexLocker lock(&known().mutex);
    known().byFile.insert(key(file), python);
}

QStringList EvaluatedNodes::of(const QString &file)
{
    if (file.isEmpty())
        return {};
    QMutexLocker lock(&known().mutex);
    return known().byFile.value(key(file));
}

QStringList EvaluatedNodes::withTextNames(const QString &file, const QString &fileText, bool nix)
{
    QStringList names = nix ? nodeNames(fileText) : companionNodeNames(file);
    for (const QString &name : of(file)) {
        if (!names.contains(name))
            names.append(name);
    }
    return names;
}

void EvaluatedNodes::clear()
{
    QMutexLocker lock(&known().mutex);
    known().byFile.clear();
}

} // namespace nixtide
