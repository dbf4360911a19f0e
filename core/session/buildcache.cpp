#include "core/session/buildcache.h"

#include "core/nix/testref.h"
#include "core/paths.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace nixtide {

namespace {

QJsonObject toJson(const ScriptLocation &l)
{
    return {{QStringLiteral("file"), l.file}, {QStringLiteral("attrLine"), l.attrLine},
        {QStringLiteral("attrColumn"), l.attrColumn}, {QStringLiteral("line"), l.line},
        {QStringLiteral("column"), l.column}, {QStringLiteral("isFunction"), l.isFunction},
        {QStringLiteral("isString"), l.isString}, {QStringLiteral("isScriptFile"), l.isScriptFile},
        {QStringLiteral("how"), l.how}};
}

ScriptLocation locationFromJson(const QJsonObject &o)
{
    ScriptLocation l;
    l.file = o.value(QStringLiteral("file")).toString();
    l.attrLine = o.value(QStringLiteral("attrLine")).toInt();
    l.attrColumn = o.value(QStringLiteral("attrColumn")).toInt();
    l.line = o.value(QStringLiteral("line")).toInt();
    l.column = o.value(QStringLiteral("column")).toInt();
    l.isFunction = o.value(QStringLiteral("isFunction")).toBool();
    l.isString = o.value(QStringLiteral("isString")).toBool();
    l.isScriptFile = o.value(QStringLiteral("isScriptFile")).toBool();
    l.how = o.value(QStringLiteral("how")).toString();
    return l;
}

} // namespace

BuildCache::BuildCache(const QString &dir)
    : m_dir(dir.isEmpty() ? DataPaths::stateDir() + QStringLiteral("/builds") : dir)
{ }

QString BuildCache::fileFor(const QString &test, const QString &attribute) const
{
    // The same test named two ways (relative, absolute) is one entry.
    QString error;
    const std::optional<TestRef> ref = TestRef::parse(test, &error);
    const QString key = (ref ? ref->toString() : test) + u'\n' + attribute;
    const QByteArray hash
        = QCryptographicHash::hash(key.toUtf8(), QCryptographicHash::Sha256).toHex().left(32);
    return m_dir + u'/' + QString::fromLatin1(hash) + QStringLiteral(".json");
}

bool BuildCache::save(const QString &test, const QString &attribute, const LaunchPlan &plan,
    const BuiltSource &source, QString *error) const
{
    QJsonArray map;
    for (int line : plan.lineMap)
        map.append(line);
    const QJsonObject o {{QStringLiteral("test"), test}, {QStringLiteral("attribute"), attribute},
        {QStringLiteral("bundle"), plan.bundle.dir},
        {QStringLiteral("sourcePath"), plan.sourcePath}, {QStringLiteral("lineMap"), map},
        {QStringLiteral("sourceText"), source.text},
        {QStringLiteral("location"), toJson(source.location)}};
    QDir().mkpath(m_dir);
    QSaveFile file(fileFor(test, attribute));
    if (!file.open(QIODevice::WriteOnly)) {
        *error = file.errorString();
        return false;
    }
    file.write(QJsonDocument(o).toJson(QJsonDocument::Compact));
    if (!file.commit()) {
        *error = file.errorString();
        return false;
    }
    return true;
}

std::optional<BuildCache::Entry> BuildCache::load(
    const QString &test, const QString &attribute, QString *why) const
{
    QFile file(fileFor(test, attribute));
    if (!file.open(QIODevice::ReadOnly)) {
        *why = QStringLiteral("no earlier build of %1 to reuse").arg(test);
        return std::nullopt;
    }
    const QJsonObject o = QJsonDocument::fromJson(file.readAll()).object();
    QString error;
    std::optional<DriverBundle> bundle
        = DriverBundle::read(o.value(QStringLiteral("bundle")).toString(), &error);
    if (!bundle) {
        *why = QStringLiteral("the earlier build is gone: ") + error;
        return std::nullopt;
    }
    Entry entry;
    entry.plan.bundle = *bundle;
    entry.plan.sourcePath = o.value(QStringLiteral("sourcePath")).toString();
    for (const QJsonValue &v : o.value(QStringLiteral("lineMap")).toArray())
        entry.plan.lineMap.append(v.toInt());
    entry.source.text = o.value(QStringLiteral("sourceText")).toString();
    entry.source.location = locationFromJson(o.value(QStringLiteral("location")).toObject());
    if (!entry.source.isValid()) {
        *why = QStringLiteral("the earlier build of %1 has no located testScript").arg(test);
        return std::nullopt;
    }
    return entry;
}

} // namespace nixtide
