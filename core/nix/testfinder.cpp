#include "core/nix/testfinder.h"

#include "core/nix/nixcommand.h"
#include "core/nix/nixstring.h"
#include "core/nix/scriptlinemap.h"
#include "core/nix/testinfo.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QRegularExpression>

namespace nixtide {

namespace {

QString readText(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

QString firstLine(const NixError &error)
{
    return error.toText().section(u'\n', 0, 0).trimmed();
}

// The directories from `start` up to the repository's root (the first one
// with .git) or the filesystem's root.
QStringList enclosingDirs(const QString &start)
{
    QStringList dirs;
    for (QDir dir(start);;) {
        dirs.append(dir.absolutePath());
        if (dir.exists(QStringLiteral(".git")) || !dir.cdUp())
            break;
    }
    return dirs;
}

// The tests of `source` whose testScript Nix places in `file`.
QList<TestRef> testsDefinedIn(const TestRef &source, const QString &file, QString *problem)
{
    NixError error;
    const QStringList attrs = TestInfo::listTests(source, &error);
    if (error.kind != NixError::Kind::None) {
        *problem = firstLine(error);
        return {};
    }
    QList<TestRef> candidates;
    for (const QString &attr : attrs) {
        TestRef t = source;
        t.attrPath = attr;
        candidates.append(t);
    }
    const QStringList files = TestFinder::scriptFiles(candidates);
    QList<TestRef> out;
    for (int i = 0; i < candidates.size(); ++i) {
        if (QFileInfo(files.value(i)).canonicalFilePath() == QFileInfo(file).canonicalFilePath())
            out.append(candidates.at(i));
    }
    if (out.isEmpty())
        *problem = QStringLiteral("none of its %1 test(s) has its testScript in %2")
                       .arg(candidates.size())
                       .arg(QFileInfo(file).fileName());
    return out;
}

// A test module rather than a test: it sets testScript and is a function of
// runTest's arguments or a plain attribute set.
bool looksLikeTestModule(const QString &text)
{
    return !locateScriptsInSource(text).isEmpty();
}

} // namespace

TestFinder::NixpkgsEntries TestFinder::nixpkgsEntries(const QString &file)
{
    NixpkgsEntries out;
    const QFileInfo info(file);
    for (const QString &dir : enclosingDirs(info.absolutePath())) {
        if (QFileInfo::exists(dir + QStringLiteral("/nixos/tests/all-tests.nix"))
            && QFileInfo::exists(dir + QStringLiteral("/default.nix"))) {
            out.root = dir;
            break;
        }
    }
    if (out.root.isEmpty())
        return out;
    const QDir testsDir(out.root + QStringLiteral("/nixos/tests"));
    out.allTests = testsDir.filePath(QStringLiteral("all-tests.nix"));
    const QString relative = testsDir.relativeFilePath(info.absoluteFilePath());
    if (relative.startsWith(QLatin1StringView("../")))
        return out;
    // How all-tests.nix may name the file: ./foo.nix, and ./foo for foo/default.nix.
    QStringList spellings {QStringLiteral("./") + relative};
    if (info.fileName() == QLatin1StringView("default.nix"))
        spellings.append(QStringLiteral("./") + QFileInfo(relative).path());
    QStringList alternatives;
    for (const QString &s : spellings)
        alternatives.append(QRegularExpression::escape(s));
    const QRegularExpression mention(
        QStringLiteral("(?<![\\w./-])(?:%1)(?![\\w.-]|/[\\w])").arg(alternatives.join(u'|')));

    // The entries of the attribute set the file evaluates to: `name = …;`
    // at the outermost level of its last `{`…`}` body (past `let … in`).
    const QString text = readText(out.allTests);
    static const QRegularExpression entry(
        QStringLiteral("^[ \\t]*([A-Za-z_][\\w'-]*|\"[^\"]+\")\\s*=(?!=)"),
        QRegularExpression::MultilineOption);
    for (auto it = entry.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        const int end = NixSource::skipToSemicolon(text, int(m.capturedEnd()));
        if (end < 0)
            continue;
        const QString value = text.mid(m.capturedEnd(), end - m.capturedEnd());
        if (!mention.match(value).hasMatch())
            continue;
        QString name = m.captured(1);
        if (name.startsWith(u'"'))
            name = name.mid(1, name.size() - 2);
        if (!out.names.contains(name))
            out.names.append(name);
    }
    return out;
}

QStringList TestFinder::scriptFiles(const QList<TestRef> &tests)
{
    QStringList files;
    for (const TestRef &test : tests) {
        NixError error;
        const QJsonObject pos
            = NixCommand::evalJson(test, TestInfo::scriptPositionFunction(), &error).toObject();
        const QString file = pos.value(QLatin1StringView("file")).toString();
        files.append(file.isEmpty() ? QString() : NixCommand::mapStorePath(test, file));
    }
    return files;
}

FoundTests TestFinder::find(const QString &file)
{
    FoundTests found;
    const QFileInfo info(file);
    const QString path = info.absoluteFilePath();
    if (!info.isFile()) {
        found.error = QStringLiteral("%1: no such file").arg(file);
        return found;
    }

    // 1. A nixpkgs checkout: all-tests.nix says which attribute it is.
    const NixpkgsEntries nixpkgs = nixpkgsEntries(path);
    if (!nixpkgs.root.isEmpty()) {
        if (nixpkgs.names.isEmpty()) {
            found.tried.append(QStringLiteral("%1 has no entry for it").arg(nixpkgs.allTests));
        }
        QStringList unconfirmed;
        for (const QString &name : nixpkgs.names) {
            TestRef entry;
            entry.kind = TestRef::Kind::NixFile;
            entry.path = nixpkgs.root + QStringLiteral("/default.nix");
            entry.attrPath = TestRef::joinAttrPath({QStringLiteral("nixosTests"), name});
            NixError error;
            const QStringList attrs = TestInfo::listTests(entry, &error);
            if (error.kind != NixError::Kind::None || attrs.isEmpty()) {
                // The text named it: offer it even when Nix cannot confirm.
                found.tests.append(entry);
                unconfirmed.append(QStringLiteral("%1 (%2)").arg(entry.attrPath,
                    error.kind != NixError::Kind::None ? firstLine(error)
                                                       : QStringLiteral("no test in it")));
                continue;
            }
            for (const QString &attr : attrs) {
                TestRef t = entry;
                t.attrPath = attr;
                found.tests.append(t);
            }
        }
        if (!found.tests.isEmpty()) {
            found.how
                = QStringLiteral("nixpkgs checkout %1: %2").arg(nixpkgs.root, nixpkgs.allTests);
            if (!unconfirmed.isEmpty())
                found.tried.append(QStringLiteral("Nix could not confirm %1")
                        .arg(unconfirmed.join(QStringLiteral(", "))));
            return found;
        }
    }

    // 2. The file itself (called with its defaults when it is a function).
    TestRef self;
    self.kind = TestRef::Kind::NixFile;
    self.path = path;
    {
        NixError error;
        const QStringList attrs = TestInfo::listTests(self, &error);
        if (error.kind == NixError::Kind::None && !attrs.isEmpty()) {
            for (const QString &attr : attrs) {
                TestRef t = self;
                t.attrPath = attr;
                found.tests.append(t);
            }
            found.how = QStringLiteral("the file itself");
            return found;
        }
        // A module-style file wants runTest's arguments; any other error in
        // the file itself is the file's, and the user must see it there.
        if (error.kind != NixError::Kind::None && !error.file.isEmpty()
            && QFileInfo(error.file).canonicalFilePath() == info.canonicalFilePath()
            && !error.message.contains(QLatin1StringView("called without required argument"))) {
            found.fileError = error;
            found.error = error.toText();
            return found;
        }
        found.tried.append(QStringLiteral("evaluating %1 itself: %2")
                .arg(path,
                    error.kind != NixError::Kind::None ? firstLine(error)
                                                       : QStringLiteral("no test in it")));
    }

    // 3. The nearest flake whose checks use it, or a project's default.nix
    // whose tests do; a flake is a root: nothing above it is tried.
    QString flakeDir;
    for (const QString &dir : enclosingDirs(info.absolutePath())) {
        const bool isFlake = QFileInfo::exists(dir + QStringLiteral("/flake.nix"));
        const QString project = dir + QStringLiteral("/default.nix");
        std::optional<TestRef> source;
        QString error;
        if (isFlake) {
            source = TestRef::parse(dir, &error);
        } else if (project != path && QFileInfo::exists(project)) {
            source = TestRef();
            source->kind = TestRef::Kind::NixFile;
            source->path = project;
        }
        if (!source)
            continue;
        QString problem;
        found.tests = testsDefinedIn(*source, path, &problem);
        if (!found.tests.isEmpty()) {
            found.how = isFlake ? QStringLiteral("checks of the flake %1").arg(dir)
                                : QStringLiteral("the tests of %1").arg(project);
            return found;
        }
        found.tried.append(QStringLiteral("%1: %2").arg(
            isFlake ? QStringLiteral("the flake ") + dir : project, problem));
        if (isFlake) {
            flakeDir = dir;
            break;
        }
    }

    // 4. A test module on its own: runNixOSTest of the nixpkgs on NIX_PATH,
    // else of the `nixpkgs` input of the flake it is in.
    if (looksLikeTestModule(readText(path))) {
        QStringList sources {QString()};
        if (!flakeDir.isEmpty())
            sources.append(flakeDir);
        for (const QString &flake : sources) {
            TestRef module;
            module.kind = TestRef::Kind::Module;
            module.path = path;
            module.flakeRef = flake;
            const QString via = flake.isEmpty()
                ? QStringLiteral("<nixpkgs>")
                : QStringLiteral("the nixpkgs input of the flake %1").arg(flake);
            NixError error;
            const QStringList attrs = TestInfo::listTests(module, &error);
            if (error.kind == NixError::Kind::None && !attrs.isEmpty()) {
                found.tests.append(module);
                found.how = QStringLiteral("a test module, through runNixOSTest of ") + via;
                return found;
            }
            found.tried.append(QStringLiteral("as a test module through %1: %2")
                    .arg(via,
                        error.kind != NixError::Kind::None ? firstLine(error)
                                                           : QStringLiteral("no test")));
        }
    }
    found.error = QStringLiteral("%1: found no attribute that builds this test. Tried:\n  %2")
                      .arg(path, found.tried.join(QStringLiteral("\n  ")));
    return found;
}

} // namespace nixtide
