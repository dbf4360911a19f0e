// Lint and completion know what the driver really gives a script: the names
// its test_symbols() injects and its Machine methods, read from the source
// of a bundle built by real Nix (the demo single.nix), and before any build
// from the bundled driver.
#include "core/bundle/driverbundle.h"
#include "core/nix/driversymbols.h"
#include "core/nix/nixbuild.h"
#include "core/nix/nixcommand.h"
#include "core/nix/scriptlint.h"
#include "core/nix/scriptsource.h"
#include "core/nix/testref.h"

#include <QSignalSpy>
#include <QTest>

using namespace nixtide;

class TestDriverSymbols : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bundledDriverBeforeAnyBuild()
    {
        const DriverSymbols symbols = DriverSymbols::active();
        QVERIFY2(!symbols.isEmpty(), qPrintable(symbols.packageDir));
        for (const char *name : {"start_all", "t", "debug", "machines_qemu", "machines_nspawn",
                 "subtest", "polling_condition", "QemuMachine"})
            QVERIFY2(symbols.globals.contains(QLatin1StringView(name)), name);
        const DriverMethod *succeed = symbols.method(QStringLiteral("succeed"));
        QVERIFY(succeed);
        QVERIFY2(succeed->signature.startsWith(QStringLiteral("(*commands: str")),
            qPrintable(succeed->signature));
        QVERIFY2(
            !succeed->signature.contains(QStringLiteral("self")), qPrintable(succeed->signature));
        QVERIFY(!succeed->doc.isEmpty());
        QVERIFY(machineMethods().contains(QStringLiteral("wait_for_unit")));
        QVERIFY(!machineMethods().contains(QStringLiteral("__init__")));
    }

    void lintKnowsInjectedNamesAndVlans()
    {
        const QString nix = QStringLiteral("{ nodes.a = { virtualisation.vlans = [ 1\n 2 ]; };\n"
                                           "  testScript = ''\n"
                                           "    x: QemuMachine = a\n"
                                           "    debug.breakpoint()\n"
                                           "    print(machines_qemu, vlan1, vlan2, t)\n"
                                           "    print(vlan3)\n"
                                           "  ''; }\n");
        ScriptLinter linter;
        const QList<LintMessage> messages = linter.lint(nix, true, QStringLiteral("t.nix"));
        QCOMPARE(messages.size(), 1);
        QCOMPARE(messages.at(0).message, QStringLiteral("undefined name 'vlan3'"));
    }

    void builtBundleIsReadFromItsOwnPackage()
    {
        QVERIFY2(!NixCommand::program().isEmpty(), "this test needs the real nix on PATH");
        QString error;
        const std::optional<TestRef> ref = TestRef::parse(qEnvironmentVariable("NIXTIDE_SOURCE_DIR")
                + QStringLiteral("/resources/demo/single.nix"),
            &error);
        QVERIFY2(ref, qPrintable(error));
        NixBuild build;
        QSignalSpy finished(&build, &NixBuild::finished);
        build.start(*ref, QStringLiteral("driverInteractive"));
        QVERIFY(finished.wait(600000));
        const auto result = finished.at(0).at(0).value<NixBuildResult>();
        QVERIFY2(result.ok, qPrintable(result.error.toText()));
        const std::optional<DriverBundle> bundle = DriverBundle::read(result.outPath, &error);
        QVERIFY2(bundle, qPrintable(error));

        const QString package = DriverSymbols::packageDirOf(bundle->driverPath);
        QVERIFY2(package.startsWith(QStringLiteral("/nix/store/")), qPrintable(package));
        QVERIFY(package.endsWith(QStringLiteral("/test_driver")));
        const DriverSymbols symbols = DriverSymbols::read(package, &error);
        QVERIFY2(!symbols.isEmpty(), qPrintable(error));
        QCOMPARE(symbols.packageDir, package);
        QVERIFY(symbols.globals.contains(QStringLiteral("machines_qemu")));
        QVERIFY(symbols.method(QStringLiteral("wait_for_unit")));

        // Not a package: said, not crashed on.
        QVERIFY(DriverSymbols::read(QStringLiteral("/nonexistent"), &error).isEmpty());
        QVERIFY2(error.contains(QStringLiteral("/nonexistent")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestDriverSymbols)
#include "tst_driversymbols.moc"
