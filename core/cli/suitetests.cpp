#include "core/cli/suitetests.h"

#include "core/nix/nixcommand.h"
#include "core/nix/testinfo.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>

namespace nixtide::cli {

namespace {

QString firstLine(const NixError &error)
{
    return error.toText().section(u'\n', 0, 0).trimmed();
}

// A Nix list of attribute paths, each a list of strings.
QString nixPaths(const QList<QStringList> &paths)
{
    QString out = QStringLiteral("[");
    for (const QStringList &path : paths) {
        out += QStringLiteral(" [");
        for (const QString &name : path)
            out += u' ' + NixCommand::quote(name);
        out += QStringLiteral(" ]");
    }
    return out + QStringLiteral(" ]");
}

} // namespace

void SuiteTests::evaluate(const TestRef &root, QList<SuiteTest> &tests)
{
    const QStringList prefix = TestRef::splitAttrPath(root.attrPath);
    QList<QStringList> relative;
    for (const SuiteTest &test : tests)
        relative.append(TestRef::splitAttrPath(test.ref.attrPath).mid(prefix.size()));
    // A test whose derivation throws is reported on its own; the others
    // still run, as `nix build --keep-going` would build them.
    const QString apply
        = QStringLiteral("v: map (p: let t = builtins.foldl' (a: n: a.${n}) v p; "
                         "d = builtins.tryEval (t.drvPath or (throw \"not a derivation\")); in "
                         "if d.success then { drv = d.value; out = t.outPath; } else null) %1")
              .arg(nixPaths(relative));
    NixError error;
    const QJsonArray values = NixCommand::evalJson(root, apply, &error, 600000).toArray();
    if (error.kind != NixError::Kind::None && tests.size() > 1) {
        // One test's evaluation error stops the whole list: find whose.
        for (SuiteTest &test : tests) {
            QList<SuiteTest> one {test};
            evaluate(test.ref, one);
            test = one.first();
        }
        return;
    }
    for (int i = 0; i < tests.size(); ++i) {
        SuiteTest &test = tests[i];
        const QJsonObject value = values.at(i).toObject();
        test.drvPath = value.value(QLatin1StringView("drv")).toString();
        test.outPath = value.value(QLatin1StringView("out")).toString();
        if (test.drvPath.isEmpty()) {
            test.evalError = error.kind != NixError::Kind::None
                ? firstLine(error)
                : QStringLiteral("%1 does not evaluate to a derivation (no result to build: "
                                 "a test of this library has only its driver)")
                      .arg(test.name);
        }
    }
}

QList<SuiteTest> SuiteTests::enumerate(const QStringList &references, QStringList *errors)
{
    QList<SuiteTest> all;
    QSet<QString> seen;
    for (const QString &argument : references) {
        QString parseError;
        const std::optional<TestRef> ref = TestRef::parse(argument, &parseError);
        if (!ref) {
            errors->append(parseError);
            continue;
        }
        if (ref->kind == TestRef::Kind::Bundle) {
            errors->append(QStringLiteral("%1 is a built driver bundle: run-all builds tests' "
                                          "result derivations (use nixtide run for a bundle)")
                    .arg(argument));
            continue;
        }
        NixError error;
        const QStringList attrs = TestInfo::listTests(*ref, &error);
        if (error.kind != NixError::Kind::None) {
            errors->append(error.toText());
            continue;
        }
        if (attrs.isEmpty()) {
            errors->append(
                QStringLiteral("%1: no tests (attribute sets with driverInteractive or driver)")
                    .arg(argument));
            continue;
        }
        QList<SuiteTest> tests;
        for (const QString &attr : attrs) {
            SuiteTest test;
            test.ref = *ref;
            test.ref.attrPath = attr;
            test.name = references.size() == 1 || attr.isEmpty() ? attr : test.ref.toString();
            if (test.name.isEmpty())
                test.name = argument;
            if (seen.contains(test.ref.toString()))
                continue;
            seen.insert(test.ref.toString());
            tests.append(test);
        }
        if (tests.isEmpty())
            continue;
        // Evaluated from the deepest attribute all of them share (a flake
        // cannot be evaluated at its root as a value).
        TestRef root = *ref;
        QStringList common = TestRef::splitAttrPath(tests.first().ref.attrPath);
        for (const SuiteTest &test : tests) {
            const QStringList path = TestRef::splitAttrPath(test.ref.attrPath);
            int n = 0;
            while (n < common.size() && n < path.size() && common.at(n) == path.at(n))
                ++n;
            common = common.mid(0, n);
        }
        if (tests.size() == 1)
            common = TestRef::splitAttrPath(tests.first().ref.attrPath);
        root.attrPath = TestRef::joinAttrPath(common);
        if (root.kind == TestRef::Kind::Flake && common.isEmpty()) {
            for (SuiteTest &test : tests) {
                QList<SuiteTest> one {test};
                evaluate(test.ref, one);
                test = one.first();
            }
        } else {
            evaluate(root, tests);
        }
        all += tests;
    }
    return all;
}

} // namespace nixtide::cli
