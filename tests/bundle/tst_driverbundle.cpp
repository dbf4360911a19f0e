#include "core/bundle/driverbundle.h"
#include "core/bundle/shellwords.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using nixtide::DriverBundle;

// Bundles are written here in the shapes nixpkgs' makeWrapper produces for
// both driver generations, with real files in a temporary directory.
class TestDriverBundle : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_root;

    QString makeDir(const QString &name)
    {
        const QString dir = m_root.path() + QLatin1Char('/') + name;
        QDir().mkpath(dir + QStringLiteral("/bin"));
        return dir;
    }

    static void write(const QString &path, const QByteArray &text, bool executable = false)
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(text);
        file.close();
        if (executable)
            file.setPermissions(file.permissions() | QFileDevice::ExeOwner);
    }

private Q_SLOTS:
    void shellWords_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QStringList>("words");
        QTest::newRow("plain") << "a b  c" << QStringList {"a", "b", "c"};
        QTest::newRow("single") << "'a b' c" << QStringList {"a b", "c"};
        QTest::newRow("escaped single") << "'it'\\''s'" << QStringList {"it's"};
        QTest::newRow("double") << "\"a \\\"b\\\" \\$x\" d" << QStringList {"a \"b\" $x", "d"};
        QTest::newRow("concat") << "x'y'\"z\"" << QStringList {"xyz"};
        QTest::newRow("comment") << "a # b" << QStringList {"a"};
        QTest::newRow("args") << "exec -a \"$0\" \"/p/x\"  --config /c.json \"$@\""
                              << QStringList {
                                     "exec", "-a", "$0", "/p/x", "--config", "/c.json", "$@"};
    }

    void shellWords()
    {
        QFETCH(QString, line);
        QFETCH(QStringList, words);
        QStringList got;
        QVERIFY(nixtide::splitShellWords(line, &got));
        QCOMPARE(got, words);
    }

    void shellWordsUnterminated()
    {
        QStringList got;
        QVERIFY(!nixtide::splitShellWords(QStringLiteral("a 'b"), &got));
        QVERIFY(!nixtide::splitShellWords(QStringLiteral("a \"b"), &got));
    }

    void environmentEra_data()
    {
        QTest::addColumn<QString>("quote");
        QTest::newRow("single quotes") << "'";
        QTest::newRow("double quotes") << "\"";
    }

    // makeWrapper of the nixos-22.11 to 25.05 era: `--set` exports, then
    // exec of the wrapped driver, which itself is a wrapper setting PATH.
    void environmentEra()
    {
        QFETCH(QString, quote);
        const QString dir
            = makeDir(QStringLiteral("0123456789abcdfghijklmnpqrsvwxyz-nixos-test-driver-vlan-")
                + (quote == "'" ? "sq" : "dq"));
        const QString inner = dir + QStringLiteral("/bin/.nixos-test-driver-wrapped");
        write(inner,
            "#!/bin/bash -e\nexport PATH='/nix/store/x-qemu/bin':$PATH\n"
            "exec \"/nix/store/x-python/bin/python3\" -m test_driver \"$@\"\n",
            true);
        const QString q = quote;
        const QString wrapper
            = QStringLiteral("#! /nix/store/abc-bash-5.2/bin/bash -e\n"
                             "export startScripts=%1/nix/store/a-nixos-vm/bin/run-server-vm "
                             "/nix/store/b-nixos-vm/bin/run-client-1-vm%1\n"
                             "export testScript=%1%2/test-script%1\n"
                             "export vlans=%1%4%1\n"
                             "export globalTimeout=%1%5%1\n"
                             "exec -a \"$0\" \"%3\"  --interactive \"$@\" \n")
                  .arg(q, dir, inner, QStringLiteral("1 2"), QStringLiteral("600"));
        write(dir + QStringLiteral("/bin/nixos-test-driver"), wrapper.toUtf8(), true);
        write(dir + QStringLiteral("/test-script"), "server.start()\nclient_1.succeed('true')\n");

        QString error;
        const auto bundle = DriverBundle::read(dir, &error);
        QVERIFY2(bundle, qPrintable(error));
        QCOMPARE(bundle->generation, DriverBundle::Generation::Environment);
        QCOMPARE(bundle->machineNames(), (QStringList {"server", "client-1"}));
        QCOMPARE(bundle->machines.at(1).startScript,
            QStringLiteral("/nix/store/b-nixos-vm/bin/run-client-1-vm"));
        QCOMPARE(bundle->vlans, (QList<int> {1, 2}));
        QCOMPARE(bundle->globalTimeout, 600);
        QCOMPARE(bundle->testScriptPath, dir + QStringLiteral("/test-script"));
        QCOMPARE(bundle->testName, QStringLiteral("vlan-") + (quote == "'" ? "sq" : "dq"));
        QCOMPARE(bundle->wrapperArguments, QStringList {QStringLiteral("--interactive")});
        QCOMPARE(bundle->readTestScript(&error),
            QStringLiteral("server.start()\nclient_1.succeed('true')\n"));
    }

    // Current master: `--add-flags "--config <json>"`; test_script in the JSON.
    void configurationEra()
    {
        const QString dir = makeDir(QStringLiteral("cfg"));
        const QString config = dir + QStringLiteral("/driver-configuration.json");
        write(config,
            QStringLiteral(
                "{\"vms\": {\"machine\": {\"name\": \"machine\",\n"
                "            \"start_script\": \"/nix/store/a-vm/bin/run-machine-vm\"},\n"
                "            \"peer\": {\"name\": \"peer\", \"start_script\": "
                "\"/nix/store/b-vm/bin/run-peer-vm\"}},\n"
                "            \"containers\": {\"box\": {\"name\": \"box\"}}, \"vlans\": [1], "
                "\"global_timeout\": 1200,\n"
                "            \"enable_ssh_backdoor\": false, \"test_script\": \"%1/test-script\"}")
                .arg(dir)
                .toUtf8());
        write(dir + QStringLiteral("/bin/nixos-test-driver"),
            QStringLiteral(
                "#! /nix/store/abc-bash/bin/bash -e\n"
                "exec -a \"$0\" \"/nix/store/nope-driver/bin/.nixos-test-driver-wrapped\""
                "  --config %1 --log-level info \"$@\"\n")
                .arg(config)
                .toUtf8(),
            true);
        write(dir + QStringLiteral("/test-script"), "start_all()\n");
        QString error;
        const auto bundle = DriverBundle::read(dir, &error);
        QVERIFY2(bundle, qPrintable(error));
        QCOMPARE(bundle->generation, DriverBundle::Generation::Configuration);
        QCOMPARE(bundle->configPath, config);
        QCOMPARE(bundle->machineNames(), (QStringList {"machine", "peer"}));
        QCOMPARE(
            bundle->machines.at(1).startScript, QStringLiteral("/nix/store/b-vm/bin/run-peer-vm"));
        QCOMPARE(bundle->containers, QStringList {"box"});
        QCOMPARE(bundle->vlans, QList<int> {1});
        QCOMPARE(bundle->globalTimeout, 1200);
        QCOMPARE(bundle->testScriptPath, dir + QStringLiteral("/test-script"));
        QCOMPARE(
            bundle->wrapperArguments, (QStringList {"--config", config, "--log-level", "info"}));
    }

    void broken_data()
    {
        QTest::addColumn<QByteArray>("wrapper");
        QTest::addColumn<QByteArray>("config");
        QTest::addColumn<bool>("writeScript");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no settings") << QByteArray("#!/bin/sh\nexec /x \"$@\"\n") << QByteArray()
                                     << true << "neither `--config <file>`";
        QTest::newRow("binary wrapper") << QByteArray("\x7f"
                                                      "ELF\x02\x01\x01")
                                        << QByteArray() << true << "compiled wrapper";
        QTest::newRow("bad start script")
            << QByteArray("#!/bin/sh\nexport startScripts='/x/bin/start-it'\nexec /x\n")
            << QByteArray() << true << "is not named run-<name>-vm";
        QTest::newRow("missing config")
            << QByteArray("#!/bin/sh\nexec /x --config /nonexistent.json\n") << QByteArray() << true
            << "/nonexistent.json: cannot read";
        QTest::newRow("config not json") << QByteArray("#!/bin/sh\nexec /x --config CONFIG\n")
                                         << QByteArray("{\"vms\": ") << true << "not a JSON object";
        QTest::newRow("config without vms")
            << QByteArray("#!/bin/sh\nexec /x --config CONFIG\n") << QByteArray("{\"vlans\": []}")
            << true << "has no \"vms\" object";
        QTest::newRow("vm without start script")
            << QByteArray("#!/bin/sh\nexec /x --config CONFIG\n")
            << QByteArray("{\"vms\": {\"m\": {\"name\": \"m\"}}}") << true
            << "vms.m has no \"start_script\"";
        QTest::newRow("no test script")
            << QByteArray("#!/bin/sh\nexport startScripts='/x/bin/run-m-vm'\nexec /x\n")
            << QByteArray() << false << "test-script does not exist";
        QTest::newRow("unterminated quote") << QByteArray("#!/bin/sh\nexec /x --config 'abc\n")
                                            << QByteArray() << true << "unterminated quote";
    }

    void broken()
    {
        QFETCH(QByteArray, wrapper);
        QFETCH(QByteArray, config);
        QFETCH(bool, writeScript);
        QFETCH(QString, expected);
        const QString dir = makeDir(QStringLiteral("broken-")
            + QString::fromLatin1(QTest::currentDataTag())
                .replace(QLatin1Char(' '), QLatin1Char('-')));
        const QString configPath = dir + QStringLiteral("/config.json");
        if (!config.isNull())
            write(configPath, config);
        wrapper.replace("CONFIG", configPath.toUtf8());
        write(dir + QStringLiteral("/bin/nixos-test-driver"), wrapper, true);
        if (writeScript)
            write(dir + QStringLiteral("/test-script"), "pass\n");
        QString error;
        QVERIFY(!DriverBundle::read(dir, &error));
        QVERIFY2(error.contains(expected), qPrintable(error));
        QVERIFY2(error.contains(dir), qPrintable(error + " should name a file in " + dir));
    }

    void notABundle()
    {
        QString error;
        QVERIFY(!DriverBundle::read(m_root.path() + QStringLiteral("/nothing-here"), &error));
        QVERIFY2(error.contains(QStringLiteral("no such directory")), qPrintable(error));
        const QString empty = m_root.path() + QStringLiteral("/empty");
        QDir().mkpath(empty);
        QVERIFY(!DriverBundle::read(empty, &error));
        QVERIFY2(
            error.contains(QStringLiteral("bin/nixos-test-driver is missing")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestDriverBundle)
#include "tst_driverbundle.moc"
