#include "core/nix/testref.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QUrl>

namespace nixtide {

namespace {

// The local directory a flake reference names, or empty (github:, etc.).
QString localFlakeDir(const QString &ref)
{
    QString p = ref;
    if (p.startsWith(QLatin1StringView("path:")))
        p = p.mid(5);
    else if (p.startsWith(QLatin1StringView("git+file://")))
        p = p.mid(11);
    else if (p.startsWith(QLatin1StringView("git+file:")))
        p = p.mid(9);
    else if (p.contains(u':'))
        return {};
    p = p.section(u'?', 0, 0);
    if (p.isEmpty())
        return {};
    const QFileInfo info(p);
    return info.isDir() ? info.absoluteFilePath() : QString();
}

} // namespace

QStringList TestRef::splitAttrPath(const QString &attrPath)
{
    QStringList names;
    QString cur;
    bool quoted = false;
    for (const QChar c : attrPath) {
        if (c == u'"')
            quoted = !quoted;
        else if (c == u'.' && !quoted) {
            names.append(cur);
            cur.clear();
        } else
            cur += c;
    }
    if (!cur.isEmpty() || !names.isEmpty())
        names.append(cur);
    return names;
}

QString TestRef::joinAttrPath(const QStringList &names)
{
    static const QRegularExpression ident(QStringLiteral("\\A[A-Za-z_][A-Za-z0-9_'\\-]*\\z"));
    QStringList out;
    for (const QString &n : names)
        out.append(ident.match(n).hasMatch() ? n : u'"' + n + u'"');
    return out.join(u'.');
}

std::optional<TestRef> TestRef::parse(const QString &arg, QString *error)
{
    const auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return std::nullopt;
    };
    if (arg.isEmpty())
        return fail(QStringLiteral("no test given"));

    if (arg.startsWith(QLatin1StringView("module:"))) {
        // module:FILE[?flake=DIR][#attr]
        const QString spec = arg.mid(7).section(u'#', 0, 0);
        const int query = int(spec.indexOf(QLatin1StringView("?flake=")));
        const QString file = query < 0 ? spec : spec.left(query);
        const QFileInfo info(file);
        if (!info.isFile())
            return fail(QStringLiteral("%1: no such file").arg(file));
        TestRef ref;
        ref.kind = Kind::Module;
        ref.path = info.absoluteFilePath();
        if (query >= 0) {
            const QFileInfo flake(spec.mid(query + 7));
            if (!QFileInfo::exists(flake.absoluteFilePath() + QStringLiteral("/flake.nix")))
                return fail(QStringLiteral("%1: no flake.nix").arg(spec.mid(query + 7)));
            ref.flakeRef = flake.absoluteFilePath();
        }
        ref.attrPath = arg.mid(7).section(u'#', 1);
        return ref;
    }
    const int hash = int(arg.indexOf(u'#'));
    const QString before = hash < 0 ? arg : arg.left(hash);
    const QString attr = hash < 0 ? QString() : arg.mid(hash + 1);
    const QFileInfo info(before);

    TestRef ref;
    if (hash >= 0 && info.isFile()) {
        ref.kind = Kind::NixFile;
        ref.path = info.absoluteFilePath();
        ref.attrPath = attr;
        return ref;
    }
    static const QRegularExpression scheme(QStringLiteral("\\A[a-z][a-z0-9+]*:"));
    if (hash < 0 && !info.exists() && scheme.match(arg).hasMatch()) {
        QString withAttr = arg + u'#';
        std::optional<TestRef> flake = parse(withAttr, error);
        return flake;
    }
    if (hash < 0 && info.isDir()) {
        const QDir dir(info.absoluteFilePath());
        if (QFileInfo(dir.filePath(QStringLiteral("bin/nixos-test-driver"))).isExecutable()) {
            ref.kind = Kind::Bundle;
            ref.path = dir.absolutePath();
            return ref;
        }
        if (dir.exists(QStringLiteral("flake.nix"))) {
            ref.kind = Kind::Flake;
            ref.path = dir.absolutePath();
            ref.flakeRef = ref.path;
            return ref;
        }
        if (dir.exists(QStringLiteral("default.nix"))) {
            ref.kind = Kind::NixFile;
            ref.path = dir.filePath(QStringLiteral("default.nix"));
            return ref;
        }
        return fail(QStringLiteral("%1 is neither a flake, a .nix test nor a driver bundle "
                                   "(no flake.nix, default.nix or bin/nixos-test-driver)")
                .arg(arg));
    }
    if (hash < 0) {
        if (!info.exists())
            return fail(QStringLiteral("%1: no such file").arg(arg));
        ref.kind = Kind::NixFile;
        ref.path = info.absoluteFilePath();
        return ref;
    }

    // A flake reference. Local ones are made absolute so that the result
    // does not depend on the working directory of whoever runs Nix.
    ref.kind = Kind::Flake;
    ref.attrPath = attr;
    ref.path = localFlakeDir(before.isEmpty() ? QStringLiteral(".") : before);
    const bool plainPath = !before.contains(u':');
    if (plainPath) {
        if (ref.path.isEmpty())
            return fail(QStringLiteral("%1: no such flake directory").arg(before));
        if (!QFileInfo::exists(QDir(ref.path).filePath(QStringLiteral("flake.nix"))))
            return fail(QStringLiteral("%1: no flake.nix in %2").arg(arg, ref.path));
        ref.flakeRef = ref.path;
    } else if (before.startsWith(QLatin1StringView("path:")) && ref.path.isEmpty()) {
        return fail(QStringLiteral("%1: no such flake directory").arg(before.mid(5)));
    } else if (before.startsWith(QLatin1StringView("path:"))) {
        ref.flakeRef = QStringLiteral("path:") + ref.path
            + (before.contains(u'?') ? u'?' + before.section(u'?', 1) : QString());
    } else {
        ref.flakeRef = before;
    }
    return ref;
}

QString TestRef::toString() const
{
    switch (kind) {
    case Kind::Bundle:
        return path;
    case Kind::NixFile:
        return attrPath.isEmpty() ? path : path + u'#' + attrPath;
    case Kind::Flake:
        return flakeRef + u'#' + attrPath;
    case Kind::Module:
        return QStringLiteral("module:") + path
            + (flakeRef.isEmpty() ? QString() : QStringLiteral("?flake=") + flakeRef)
            + (attrPath.isEmpty() ? QString() : u'#' + attrPath);
    }
    return path;
}

TestRef TestRef::child(const QString &attr) const
{
    TestRef ref = *this;
    QStringList names = splitAttrPath(attrPath);
    names += splitAttrPath(attr);
    ref.attrPath = joinAttrPath(names);
    return ref;
}

} // namespace nixtide
