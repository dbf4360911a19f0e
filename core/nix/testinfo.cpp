#include "core/nix/testinfo.h"

#include "core/nix/nixcommand.h"
#include "core/nix/testfinder.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QSysInfo>

namespace nixtide {

namespace {

// Finds tests up to `depth` attribute levels down; a derivation that is not
// a test is not entered. Evaluation errors below an attribute skip it.
const char *const kListFunction = R"nix(
let
  isTest = x: builtins.isAttrs x && (x ? driverInteractive || x ? driver);
  enter = x: builtins.isAttrs x && !(x ? type && x.type == "derivation");
  go = depth: path: x:
    let t = builtins.tryEval (isTest x); in
    if t.success && t.value then [ path ]
    else if depth == 0 then [ ]
    else
      let e = builtins.tryEval (enter x); in
      if e.success && e.value then
        builtins.concatLists (map (n: go (depth - 1) (path ++ [ n ]) x.${n}) (builtins.attrNames x))
      else [ ];
in
)nix";

QString readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

ScriptLocation locateInFile(const QString &file, int line = 0, int column = 0, int depth = 0)
{
    const QString text = readFile(file);
    if (text.isEmpty()) {
        ScriptLocation loc;
        loc.error = QStringLiteral("cannot read %1").arg(file);
        return loc;
    }
    ScriptLocation loc = locateScriptInSource(text, line, column);
    loc.file = file;
    if (loc.valueFile.isEmpty() || depth > 2)
        return loc;
    // The script lives in the file the attribute reads or imports.
    const QString target = scriptValuePath(file, loc);
    if (!QFileInfo(target).isFile()) {
        loc.error = QStringLiteral("%1:%2: the testScript reads %3, which does not exist")
                        .arg(file)
                        .arg(loc.attrLine)
                        .arg(target);
        return loc;
    }
    if (loc.isScriptFile) {
        loc.file = target;
        loc.line = loc.column = 1;
        return loc;
    }
    ScriptLocation imported = locateInFile(target, 0, 0, depth + 1);
    if (!imported.mappable() || !imported.valueFile.isEmpty()) {
        loc.error = QStringLiteral("%1:%2: the testScript imports %3, which is no string literal")
                        .arg(file)
                        .arg(loc.attrLine)
                        .arg(target);
        return loc;
    }
    imported.how = loc.how;
    return imported;
}

} // namespace

QString TestInfo::currentSystem()
{
    QString arch = QSysInfo::currentCpuArchitecture();
    if (arch == QLatin1StringView("arm64"))
        arch = QStringLiteral("aarch64");
    else if (arch == QLatin1StringView("i386"))
        arch = QStringLiteral("i686");
    const QString kernel = QSysInfo::kernelType() == QLatin1StringView("darwin")
        ? QStringLiteral("darwin")
        : QStringLiteral("linux");
    return arch + u'-' + kernel;
}

QString TestInfo::scriptPositionFunction()
{
    // The attribute's own position, else the test's configuration's, else
    // meta.position ("file:line", as test derivations carry it).
    return QStringLiteral(
        "t: let p = builtins.unsafeGetAttrPos \"testScript\" t; "
        "c = if t ? config && builtins.isAttrs t.config "
        "then builtins.unsafeGetAttrPos \"testScript\" t.config else null; "
        "m = if t ? meta && t.meta ? position && builtins.isString t.meta.position "
        "then builtins.match \"(.*):([0-9]+)\" t.meta.position else null; in "
        "if p != null then p else if c != null then c else if m != null then "
        "{ file = builtins.elemAt m 0; line = builtins.fromJSON (builtins.elemAt m 1); "
        "column = 0; } else null");
}

QStringList TestInfo::listTests(const TestRef &ref, NixError *error)
{
    if (ref.kind == TestRef::Kind::Bundle)
        return {QString()};
    TestRef target = ref;
    QString body;
    if (ref.kind == TestRef::Kind::Flake && ref.attrPath.isEmpty()) {
        target.attrPath = QStringLiteral("checks");
        body = QStringLiteral("v: let s = %1; in if v ? ${s} then map (p: [ \"checks\" s ] ++ p) "
                              "(go 1 [ ] v.${s}) else map (p: [ \"checks\" ] ++ p) (go 2 [ ] v)")
                   .arg(NixCommand::quote(currentSystem()));
    } else {
        body = QStringLiteral("go 3 [ ]");
    }
    const QJsonValue value
        = NixCommand::evalJson(target, QString::fromLatin1(kListFunction) + body, error);
    QStringList out;
    const QStringList prefix = ref.kind == TestRef::Kind::Flake && ref.attrPath.isEmpty()
        ? QStringList()
        : TestRef::splitAttrPath(ref.attrPath);
    for (const QJsonValue &path : value.toArray()) {
        QStringList names = prefix;
        for (const QJsonValue &n : path.toArray())
            names.append(n.toString());
        out.append(TestRef::joinAttrPath(names));
    }
    return out;
}

ScriptLocation TestInfo::locateTestScript(const TestRef &ref)
{
    if (ref.kind == TestRef::Kind::Bundle) {
        ScriptLocation loc;
        loc.error = QStringLiteral("a built bundle has no .nix source");
        return loc;
    }
    NixError err;
    const QJsonValue pos = NixCommand::evalJson(ref, scriptPositionFunction(), &err);
    const QJsonObject p = pos.toObject();
    if (!p.isEmpty()) {
        const QString file
            = NixCommand::mapStorePath(ref, p.value(QLatin1StringView("file")).toString());
        if (QFileInfo(file).isFile() && !file.startsWith(QLatin1StringView("/nix/store/"))) {
            ScriptLocation loc = locateInFile(file, p.value(QLatin1StringView("line")).toInt(),
                p.value(QLatin1StringView("column")).toInt());
            // Nix may name a library's `inherit testScript`: only a literal counts.
            if (loc.mappable())
                return loc;
        }
    }

    // Read the files: the .nix file itself, or the flake's .nix files.
    QStringList files;
    if (!ref.sourceFile().isEmpty()) {
        files.append(ref.path);
    } else if (!ref.path.isEmpty()) {
        files.append(QDir(ref.path).filePath(QStringLiteral("flake.nix")));
        QDirIterator it(
            ref.path, {QStringLiteral("*.nix")}, QDir::Files, QDirIterator::Subdirectories);
        QStringList more;
        while (it.hasNext()) {
            const QString f = it.next();
            if (!f.endsWith(QLatin1StringView("/flake.nix"))
                || QFileInfo(f).absolutePath() != ref.path)
                more.append(f);
        }
        more.sort();
        files += more;
    }
    ScriptLocation best;
    best.error = QStringLiteral("no testScript found in %1").arg(files.join(QStringLiteral(", ")));
    for (const QString &f : files) {
        ScriptLocation loc = locateInFile(f);
        if (loc.mappable())
            return loc;
        if (loc.found() && !best.found())
            best = loc;
    }
    return best;
}

TestInfo::Outline TestInfo::outline(const TestRef &ref, NixError *error)
{
    if (ref.kind == TestRef::Kind::NixFile && ref.attrPath.isEmpty()) {
        // A file's nodes are those of the test that builds it.
        const FoundTests found = TestFinder::find(ref.path);
        if (found.fileError.kind != NixError::Kind::None) {
            if (error)
                *error = found.fileError;
            return {};
        }
        if (found.tests.isEmpty()) {
            // Nothing builds it: calling the file with `{ }` would only
            // report nixtide's own call (a module's missing `pkgs`).
            if (error) {
                error->kind = NixError::Kind::Other;
                error->message = found.error.section(u'\n', 0, 0);
                error->details = found.error;
            }
            return {};
        }
        if (found.tests.first().toString() != ref.toString())
            return outline(found.tests.first(), error);
    }
    Outline out;
    const QJsonObject o = NixCommand::evalJson(ref,
        QStringLiteral(
            "t: let nodes = t.nodes or { }; names = builtins.attrNames nodes; "
            "vlansOf = n: let c = nodes.${n}; r = builtins.tryEval (c.virtualisation.vlans or "
            "c.config.virtualisation.vlans or [ ]); in if r.success then r.value else [ ]; "
            "in { name = t.config.name or t.name or \"\"; nodes = names; vlans = "
            "builtins.concatLists (map vlansOf "
            "names); }"),
        error)
                              .toObject();
    out.name = o.value(QLatin1StringView("name")).toString();
    for (const QJsonValue &n : o.value(QLatin1StringView("nodes")).toArray())
        out.nodes.append(n.toString());
    for (const QJsonValue &v : o.value(QLatin1StringView("vlans")).toArray()) {
        if (!out.vlans.contains(v.toInt()))
            out.vlans.append(v.toInt());
    }
    std::sort(out.vlans.begin(), out.vlans.end());
    return out;
}

QList<ScriptStatement> TestInfo::scriptOutline(const QString &script, QString *error)
{
    const EmbeddedPython python;
    const QList<ScriptStatement> all = python.statements(script, error);
    // The analysis lists nested statements too: keep the top level (not
    // inside an earlier statement's range) and every subtest.
    QList<ScriptStatement> out;
    int topEnd = 0;
    for (const ScriptStatement &s : all) {
        const bool topLevel = s.firstLine > topEnd;
        if (topLevel)
            topEnd = s.lastLine;
        if (topLevel || !s.label.isEmpty())
            out.append(s);
    }
    return out;
}

} // namespace nixtide
