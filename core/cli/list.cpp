#include "core/cli/list.h"

#include "core/nix/testfinder.h"
#include "core/nix/testinfo.h"
#include "core/nix/testref.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include <cstdio>

namespace nixtide::cli {

int list(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    bool json = false;
    QString test;
    for (const QString &a : args) {
        if (a == QLatin1StringView("--json")) {
            json = true;
        } else if (a == QLatin1StringView("-h") || a == QLatin1StringView("--help")) {
            out << "usage: nixtide list TEST [--json]\n"
                   "Prints the attribute paths of the tests in TEST: a .nix file (file.nix or\n"
                   "file.nix#attr) or a flake (DIR, .#attr, path:DIR#attr).\n";
            return 0;
        } else if (test.isEmpty() && !a.startsWith(u'-')) {
            test = a;
        } else {
            err << "nixtide list: unexpected argument " << a << '\n';
            return 2;
        }
    }
    if (test.isEmpty()) {
        err << "usage: nixtide list TEST [--json]\n";
        return 2;
    }
    QString error;
    const std::optional<TestRef> ref = TestRef::parse(test, &error);
    if (!ref) {
        err << "nixtide list: " << error << '\n';
        return 1;
    }
    // A file is listed as whatever builds it (nixpkgs' all-tests.nix, a
    // flake's checks, runNixOSTest…); anything else as Nix lists it.
    QList<TestRef> tests;
    if (ref->kind == TestRef::Kind::NixFile && ref->attrPath.isEmpty()) {
        const FoundTests found = TestFinder::find(ref->path);
        if (found.fileError.kind != NixError::Kind::None) {
            // FILE:LINE:COL: first, as compilers print it, for editors to follow.
            err << found.error << '\n';
            return 1;
        }
        if (found.tests.isEmpty()) {
            err << "nixtide list: " << found.error << '\n';
            return 1;
        }
        if (found.how != QLatin1StringView("the file itself"))
            err << "nixtide list: " << test << " is built by " << found.how << '\n';
        for (const QString &note : found.tried)
            err << "nixtide list: note: " << note << '\n';
        tests = found.tests;
    } else {
        NixError nixError;
        const QStringList attrs = TestInfo::listTests(*ref, &nixError);
        if (nixError.kind != NixError::Kind::None) {
            err << nixError.toText() << '\n';
            return 1;
        }
        for (const QString &attr : attrs) {
            TestRef t = *ref;
            t.attrPath = attr;
            tests.append(t);
        }
    }
    if (json) {
        QJsonArray array;
        for (const TestRef &t : tests) {
            array.append(QJsonObject {
                {QStringLiteral("attrPath"), t.attrPath}, {QStringLiteral("ref"), t.toString()}});
        }
        out << QJsonDocument(array).toJson(QJsonDocument::Compact) << '\n';
    } else {
        // Within TEST the attribute path is what to pass back (a file that
        // is itself a test has none: print the file); elsewhere the whole
        // reference.
        for (const TestRef &t : tests) {
            const bool within = t.kind == ref->kind && t.path == ref->path
                && t.flakeRef == ref->flakeRef && !t.attrPath.isEmpty();
            out << (within ? t.attrPath : t.toString()) << '\n';
        }
    }
    if (tests.isEmpty()) {
        err << "nixtide list: no tests (attribute sets with driverInteractive or driver) in "
            << test << '\n';
        return 1;
    }
    return 0;
}

} // namespace nixtide::cli
