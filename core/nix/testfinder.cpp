#include "core/nix/testfinder.h"

#include "core/nix/nixcommand.h"
#include "core/nix/nixstring.h"
#include "core/nix/scriptlinemap.h"
#include "core/nix/testinfo.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>

#include <algorithm>
#include <future>

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

// Whether Nix places `error` in `file` (the user's own code).
bool inFile(const NixError &error, const QString &file)
{
    return error.kind != NixError::Kind::None && !error.file.isEmpty()
        && QFileInfo(error.file).canonicalFilePath() == QFileInfo(file).canonicalFilePath();
}

// The arguments without a default of the function the file holds (empty
// for anything else). Importing the file reports its syntax errors and
// undefined names without calling it.
QStringList requiredArguments(const QString &file, NixError *error)
{
    const QJsonValue value = NixCommand::evalExpression(
        QStringLiteral("let f = import (/. + %1); in if builtins.isFunction f then "
                       "builtins.filter (n: !(builtins.functionArgs f).${n}) "
                       "(builtins.attrNames (builtins.functionArgs f)) else [ ]")
            .arg(NixCommand::quote(file)),
        error);
    QStringList names;
    for (const QJsonValue &n : value.toArray())
        names.append(n.toString());
    return names;
}

// Whether a module's evaluation failed for want of nixpkgs: none on
// NIX_PATH, or a flake without a `nixpkgs` input.
bool isMissingNixpkgs(const NixError &error, const QString &flake)
{
    if (flake.isEmpty())
        return error.message.contains(QLatin1StringView("'nixpkgs' was not found"));
    return error.message.contains(QLatin1StringView("attribute 'nixpkgs' missing"));
}

// The first line of code (past leading comments): where a module's head is.
int headLine(const QString &text)
{
    const QStringList lines = text.split(u'\n');
    for (int i = 0; i < lines.size(); ++i) {
        const QString l = lines.at(i).trimmed();
        if (!l.isEmpty() && !l.startsWith(u'#'))
            return i + 1;
    }
    return 1;
}

// Offset of the last `{` at the top level of a Nix file (strings and
// comments skipped), -1 when there is none.
int lastTopLevelBrace(const QString &text)
{
    int last = -1;
    for (int i = 0; i >= 0 && i < text.size();) {
        const int past = NixSource::skipStringOrComment(text, i);
        if (past != i) {
            i = past;
        } else if (text.at(i) == u'{') {
            last = i;
            const int close = NixSource::skipToClosingBrace(text, i + 1);
            i = close < 0 ? -1 : close + 1;
        } else {
            ++i;
        }
    }
    return last;
}

// The bindings `name = value;` of the attribute set whose body starts at
// `from`, whose value mentions the file; an attribute-set value is entered
// for its own entries.
void collectEntries(const QString &text, int from, const QStringList &prefix,
    const QRegularExpression &mention, QList<QStringList> *paths)
{
    static const QRegularExpression binding(
        QStringLiteral("([A-Za-z_][\\w'-]*|\"[^\"]+\")\\s*=(?!=)"));
    for (int i = NixSource::skipSpace(text, from); i >= 0 && i < text.size();
        i = NixSource::skipSpace(text, i)) {
        if (text.at(i) == u'}')
            return;
        const QRegularExpressionMatch m = binding.match(text, i, QRegularExpression::NormalMatch,
            QRegularExpression::AnchorAtOffsetMatchOption);
        const int valueStart = m.hasMatch() ? int(m.capturedEnd()) : i;
        const int end = NixSource::skipToSemicolon(text, valueStart);
        if (end < 0)
            return;
        const QString value = text.mid(valueStart, end - valueStart);
        if (m.hasMatch() && mention.match(value).hasMatch()) {
            QString name = m.captured(1);
            if (name.startsWith(u'"'))
                name = name.mid(1, name.size() - 2);
            const QStringList path = prefix + QStringList {name};
            const int open = NixSource::skipSpace(text, valueStart);
            const int close
                = text.at(open) == u'{' ? NixSource::skipToClosingBrace(text, open + 1) : -1;
            const qsizetype before = paths->size();
            // Only a plain set literal (`{ … };`), not `{ … } // x` or a function.
            if (close >= 0 && NixSource::skipSpace(text, close + 1) == end - 1)
                collectEntries(text, open + 1, path, mention, paths);
            if (paths->size() == before && !paths->contains(path))
                paths->append(path);
        }
        i = end;
    }
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

    // The entries of the attribute set the file evaluates to (its last
    // top-level `{`…`}`, past `let … in`), and the entries of entries that
    // are attribute sets themselves (`nixos-test-driver = { a = runTest
    // ./a.nix; };` is `nixos-test-driver.a`).
    const QString text = readText(out.allTests);
    const int body = lastTopLevelBrace(text);
    if (body >= 0)
        collectEntries(text, body + 1, {}, mention, &out.paths);
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
        if (nixpkgs.paths.isEmpty()) {
            found.tried.append(QStringLiteral("%1 has no entry for it").arg(nixpkgs.allTests));
        }
        QStringList unconfirmed;
        for (const QStringList &name : nixpkgs.paths) {
            TestRef entry;
            entry.kind = TestRef::Kind::NixFile;
            entry.path = nixpkgs.root + QStringLiteral("/default.nix");
            entry.attrPath
                = TestRef::joinAttrPath(QStringList {QStringLiteral("nixosTests")} + name);
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
            QList<TestRef> tests;
            for (const QString &attr : attrs) {
                TestRef t = entry;
                t.attrPath = attr;
                tests.append(t);
            }
            // An entry holding several tests may hold other files' too:
            // keep those Nix places in this file (or cannot place).
            if (tests.size() > 1) {
                const QStringList files = scriptFiles(tests);
                const QString canonical = QFileInfo(path).canonicalFilePath();
                for (qsizetype i = tests.size() - 1; i >= 0; --i) {
                    if (!files.at(i).isEmpty()
                        && QFileInfo(files.at(i)).canonicalFilePath() != canonical)
                        tests.removeAt(i);
                }
            }
            for (const TestRef &t : std::as_const(tests)) {
                const bool known = std::any_of(found.tests.cbegin(), found.tests.cend(),
                    [&t](const TestRef &f) { return f.toString() == t.toString(); });
                if (!known)
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
    // A function that needs arguments (`{ pkgs, lib, ... }:`, a test
    // module) is never called with `{ }`: what that says is about nixtide's
    // call, not the user's test. Importing it still checks its syntax.
    TestRef self;
    self.kind = TestRef::Kind::NixFile;
    self.path = path;
    // Two Nix processes, each mostly its own start-up and the file's import:
    // the test list is asked for beside the import check (not after it) and
    // thrown away for a module, whose call with `{ }` only fails.
    NixError listError;
    std::future<QStringList> listing = std::async(
        std::launch::async, [&self, &listError] { return TestInfo::listTests(self, &listError); });
    NixError importError;
    const QStringList required = requiredArguments(path, &importError);
    const QStringList selfTests = listing.get();
    if (importError.kind != NixError::Kind::None) {
        found.fileError = importError;
        found.error = importError.toText();
        return found;
    }
    const bool isModule = !required.isEmpty();
    if (isModule) {
        found.tried.append(QStringLiteral("%1 is a function of %2 (a test module): it is not "
                                          "called on its own")
                .arg(path, required.join(QStringLiteral(", "))));
    } else {
        if (listError.kind == NixError::Kind::None && !selfTests.isEmpty()) {
            for (const QString &attr : selfTests) {
                TestRef t = self;
                t.attrPath = attr;
                found.tests.append(t);
            }
            found.how = QStringLiteral("the file itself");
            return found;
        }
        // An error in the file itself is the file's: the user must see it there.
        if (inFile(listError, path)) {
            found.fileError = listError;
            found.error = listError.toText();
            return found;
        }
        found.tried.append(QStringLiteral("evaluating %1 itself: %2")
                .arg(path,
                    listError.kind != NixError::Kind::None ? firstLine(listError)
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
    if (isModule || looksLikeTestModule(readText(path))) {
        QStringList sources {QString()};
        if (!flakeDir.isEmpty())
            sources.append(flakeDir);
        bool nixpkgsMissing = true;
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
            // Nixpkgs evaluated the module and the module is wrong: that is
            // the user's error, at its line.
            if (inFile(error, path)) {
                found.fileError = error;
                found.error = error.toText();
                return found;
            }
            nixpkgsMissing = nixpkgsMissing && isMissingNixpkgs(error, flake);
            found.tried.append(QStringLiteral("as a test module through %1: %2")
                    .arg(via,
                        error.kind != NixError::Kind::None ? firstLine(error)
                                                           : QStringLiteral("no test")));
        }
        if (isModule && nixpkgsMissing) {
            // Said plainly, at the module's head, rather than as Nix's
            // "file 'nixpkgs' was not found" or a call without arguments.
            NixError &e = found.fileError;
            e.kind = NixError::Kind::Eval;
            e.file = path;
            e.line = headLine(readText(path));
            e.column = 1;
            e.message = QStringLiteral(
                "a module-style test needs nixpkgs to evaluate, and none was found: put it on "
                "NIX_PATH (NIX_PATH=nixpkgs=/path/to/nixpkgs) or open the file in a flake with a "
                "`nixpkgs` input");
            e.details = QStringLiteral("Tried:\n  ") + found.tried.join(QStringLiteral("\n  "));
            found.error = e.toText() + u'\n' + e.details;
            return found;
        }
    }
    found.error = QStringLiteral("%1: found no attribute that builds this test. Tried:\n  %2")
                      .arg(path, found.tried.join(QStringLiteral("\n  ")));
    return found;
}

} // namespace nixtide
