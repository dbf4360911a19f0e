#include "core/nix/nixcommand.h"

#include "core/worker.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>

namespace nixtide {

QString NixCommand::program()
{
    const QString env = qEnvironmentVariable("NIXTIDE_NIX");
    if (!env.isEmpty())
        return QFileInfo(env).isExecutable() ? env : QStandardPaths::findExecutable(env);
    return QStandardPaths::findExecutable(QStringLiteral("nix"));
}

NixError NixCommand::missingNixError()
{
    NixError err;
    err.kind = NixError::Kind::NixMissing;
    err.message = QStringLiteral("Nix is not installed: no `nix` command on PATH (install Nix, "
                                 "or set NIXTIDE_NIX to the nix executable)");
    return err;
}

QStringList NixCommand::commonArgs()
{
    return {QStringLiteral("--extra-experimental-features"), QStringLiteral("nix-command flakes")};
}

QString NixCommand::quote(const QString &text)
{
    QString out = text;
    out.replace(u'\\', QStringLiteral("\\\\"));
    out.replace(u'"', QStringLiteral("\\\""));
    out.replace(QStringLiteral("${"), QStringLiteral("\\${"));
    return u'"' + out + u'"';
}

QString NixCommand::moduleExpression(const TestRef &ref)
{
    const QString nixpkgs = ref.flakeRef.isEmpty()
        ? QStringLiteral("(import <nixpkgs> { })")
        : QStringLiteral(
              "(builtins.getFlake %1).inputs.nixpkgs.legacyPackages.${builtins.currentSystem}")
              .arg(quote(QStringLiteral("path:") + ref.flakeRef));
    return QStringLiteral("%1.testers.runNixOSTest (/. + %2)").arg(nixpkgs, quote(ref.path));
}

QStringList NixCommand::buildInstallable(const TestRef &ref, const QString &attr)
{
    const TestRef target = attr.isEmpty() ? ref : ref.child(attr);
    if (ref.kind == TestRef::Kind::Flake)
        return {target.flakeRef + u'#' + target.attrPath};
    if (ref.kind == TestRef::Kind::Module)
        return {QStringLiteral("--impure"), QStringLiteral("--expr"), moduleExpression(ref),
            target.attrPath};
    return {QStringLiteral("-f"), ref.path, target.attrPath};
}

QStringList NixCommand::evalArgs(const TestRef &ref, const QString &apply)
{
    QStringList args = commonArgs();
    args << QStringLiteral("eval") << QStringLiteral("--json");
    if (ref.kind == TestRef::Kind::Flake) {
        args << ref.flakeRef + u'#' + ref.attrPath;
    } else if (ref.kind == TestRef::Kind::Module) {
        QString select;
        for (const QString &name : TestRef::splitAttrPath(ref.attrPath))
            select += u'.' + quote(name);
        args << QStringLiteral("--impure") << QStringLiteral("--expr")
             << QStringLiteral("(%1)%2").arg(moduleExpression(ref), select);
    } else {
        QString select;
        for (const QString &name : TestRef::splitAttrPath(ref.attrPath))
            select += u'.' + quote(name);
        args << QStringLiteral("--impure") << QStringLiteral("--expr")
             << QStringLiteral("let f = import (/. + %1); v = if builtins.isFunction f then f { } "
                               "else f; in v%2")
                    .arg(quote(ref.path), select);
    }
    args << QStringLiteral("--apply") << apply;
    return args;
}

QString NixCommand::mapStorePath(const TestRef &ref, const QString &file)
{
    static const QRegularExpression copy(
        QStringLiteral("\\A/nix/store/[0-9a-z]{32}-source(/.*)?\\z"));
    const QRegularExpressionMatch m = copy.match(file);
    if (!m.hasMatch())
        return file;
    const QString rest = m.captured(1);
    QString root = !ref.sourceFile().isEmpty() ? QFileInfo(ref.path).absolutePath() : ref.path;
    if (root.isEmpty())
        return file;
    // A flake inside a git repository is copied from the repository's root.
    for (QDir dir(root);;) {
        const QString candidate = dir.absolutePath() + rest;
        if (QFileInfo::exists(candidate))
            return candidate;
        if (dir.exists(QStringLiteral(".git")) || !dir.cdUp())
            break;
    }
    return file;
}

QJsonValue NixCommand::evalJson(
    const TestRef &ref, const QString &apply, NixError *error, int timeoutMs)
{
    return runEval(evalArgs(ref, apply), ref, error, timeoutMs);
}

QJsonValue NixCommand::evalExpression(const QString &expression, NixError *error, int timeoutMs)
{
    QStringList args = commonArgs();
    args << QStringLiteral("eval") << QStringLiteral("--json") << QStringLiteral("--impure")
         << QStringLiteral("--expr") << expression;
    return runEval(args, TestRef(), error, timeoutMs);
}

QJsonValue NixCommand::runEval(
    const QStringList &evalArguments, const TestRef &ref, NixError *error, int timeoutMs)
{
    const QString nix = program();
    if (nix.isEmpty()) {
        if (error)
            *error = missingNixError();
        return {};
    }
    QProcess proc;
    QStringList args = evalArguments;
    args << QStringLiteral("--log-format") << QStringLiteral("internal-json");
    proc.start(nix, args);
    if (!waitForFinishedOrExit(proc, timeoutMs)) {
        proc.kill();
        proc.waitForFinished();
        if (error) {
            error->kind = NixError::Kind::Other;
            error->message
                = QStringLiteral("nix eval did not finish in %1 s").arg(timeoutMs / 1000);
        }
        return {};
    }
    if (proc.exitStatus() == QProcess::NormalExit && proc.exitCode() == 0) {
        QJsonParseError parseError;
        const QJsonDocument doc
            = QJsonDocument::fromJson("[" + proc.readAllStandardOutput() + "]", &parseError);
        if (doc.isArray())
            return doc.array().at(0);
    }
    NixLogParser parser;
    parser.mapPath = [&ref](const QString &f) { return mapStorePath(ref, f); };
    for (const QByteArray &line : proc.readAllStandardError().split('\n'))
        parser.feed(line);
    if (error) {
        *error = parser.error();
        if (error->kind == NixError::Kind::None) {
            error->kind = NixError::Kind::Other;
            error->message
                = QStringLiteral("nix eval failed with exit code %1").arg(proc.exitCode());
        }
    }
    return {};
}

} // namespace nixtide
