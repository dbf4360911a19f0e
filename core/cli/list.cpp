#include "core/cli/list.h"

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
    NixError nixError;
    const QStringList tests = TestInfo::listTests(*ref, &nixError);
    if (nixError.kind != NixError::Kind::None) {
        err << nixError.toText() << '\n';
        return 1;
    }
    if (json) {
        QJsonArray array;
        for (const QString &attr : tests) {
            TestRef t = *ref;
            t.attrPath = attr;
            array.append(QJsonObject {
                {QStringLiteral("attrPath"), attr}, {QStringLiteral("ref"), t.toString()}});
        }
        out << QJsonDocument(array).toJson(QJsonDocument::Compact) << '\n';
    } else {
        // A file that is itself a test has an empty attribute path: print
        // the file, which is what to pass back as TEST.
        for (const QString &attr : tests)
            out << (attr.isEmpty() ? ref->toString() : attr) << '\n';
    }
    if (tests.isEmpty()) {
        err << "nixtide list: no tests (attribute sets with driverInteractive or driver) in "
            << test << '\n';
        return 1;
    }
    return 0;
}

} // namespace nixtide::cli
