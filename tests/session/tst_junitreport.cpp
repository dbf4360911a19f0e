#include "core/launch/driveroptionsprobe.h"
#include "core/session/junitreport.h"
#include "core/session/launchplan.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

#include <memory>

using nixtide::DriverOptionsProbe;
using nixtide::JunitReport;
using nixtide::LogEntry;

namespace {

LogEntry step(
    int id, int parent, const QString &message, double seconds, bool subtest, bool failed = false)
{
    LogEntry e;
    e.id = id;
    e.parentId = parent;
    e.message = message;
    e.nested = true;
    e.subtest = subtest;
    e.durationSeconds = seconds;
    e.failed = failed;
    return e;
}

LogEntry line(int id, int parent, const QString &message, const QString &level = {})
{
    LogEntry e;
    e.id = id;
    e.parentId = parent;
    e.message = message;
    e.level = level.isEmpty() ? QStringLiteral("info") : level;
    return e;
}

struct Case
{
    QString time;
    bool failed = false;
    QString failureMessage;
    QString failureText;
    QString out;
};

struct Report
{
    QXmlStreamAttributes root;
    QHash<QString, Case> cases;
};

// Fails the test on XML that is not well-formed.
Report parse(const QByteArray &xml)
{
    Report report;
    QXmlStreamReader r(xml);
    Case *current = nullptr;
    while (!r.atEnd()) {
        if (r.readNext() != QXmlStreamReader::StartElement)
            continue;
        const QString name = r.name().toString();
        if (name == QLatin1String("testsuites")) {
            report.root = r.attributes();
        } else if (name == QLatin1String("testcase")) {
            current = &report.cases[r.attributes().value(QStringLiteral("name")).toString()];
            current->time = r.attributes().value(QStringLiteral("time")).toString();
        } else if (name == QLatin1String("failure") && current) {
            current->failed = true;
            current->failureMessage = r.attributes().value(QStringLiteral("message")).toString();
            current->failureText = r.readElementText();
        } else if (name == QLatin1String("system-out") && current) {
            current->out = r.readElementText();
            current = nullptr; // the suite's own system-out follows the cases
        }
    }
    if (r.hasError())
        qWarning("%s at line %lld", qPrintable(r.errorString()), r.lineNumber());
    return r.hasError() ? Report {} : report;
}

} // namespace

class TestJunitReport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void helpOfANixos2211Parser()
    {
        // Shaped as argparse prints nixos-22.11's parser (wrapped usage).
        const QString help = QStringLiteral(
            "usage: nixos-test-driver [-h] [-K] [--start-scripts [START-SCRIPT ...]]\n"
            "                         [--vlans [VLAN ...]]\n"
            "                         [-I | --interactive | --no-interactive]\n"
            "                         [-o OUTPUT_DIRECTORY]\n"
            "                         testscript\n\n"
            "options:\n"
            "  -h, --help            show this help message and exit\n"
            "  -K, --keep-vm-state   re-use a VM state coming from a previous run\n"
            "  -o OUTPUT_DIRECTORY, --output_directory OUTPUT_DIRECTORY\n"
            "                        The path to the directory where outputs (--x-y in "
            "prose)\n");
        const QStringList options = DriverOptionsProbe::parseHelp(help);
        QVERIFY(options.contains(QStringLiteral("--keep-vm-state")));
        QVERIFY(options.contains(QStringLiteral("--interactive")));
        QVERIFY(options.contains(QStringLiteral("--output_directory")));
        QVERIFY(options.contains(QStringLiteral("--start-scripts")));
        QVERIFY(!options.contains(QStringLiteral("--junit-xml")));
        QVERIFY(DriverOptionsProbe::parseHelp(
            QStringLiteral("usage: x [-o DIR] [--junit-xml JUNIT_XML]\n"))
                .contains(QStringLiteral("--junit-xml")));
    }

    // The configuration era lists --keep-machine-state and hides its
    // --keep-vm-state alias from --help: keeping state must still reach it.
    // The probe goes while its driver still runs (the run was stopped):
    // the driver is killed, and nothing is reported into an owner that is
    // being destroyed.
    void probeDestroyedWhileAskingReportsNothing()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString driver = dir.path() + QStringLiteral("/nixos-test-driver");
        const QString asked = dir.path() + QStringLiteral("/asked");
        QFile script(driver);
        QVERIFY(script.open(QIODevice::WriteOnly));
        script.write("#!/bin/sh\n: > \"$(dirname \"$0\")/asked\"\nexec sleep 300\n");
        script.close();
        QVERIFY(script.setPermissions(script.permissions() | QFileDevice::ExeOwner));
        auto probe = std::make_unique<DriverOptionsProbe>();
        QSignalSpy finished(probe.get(), &DriverOptionsProbe::finished);
        probe->start(dir.path(), driver);
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(asked), 60000);
        probe.reset();
        QCOMPARE(finished.size(), 0);
    }

    void keepStateOptionFollowsTheDriver()
    {
        nixtide::LaunchPlan plan;
        plan.keepVmState = true;
        QCOMPARE(plan.driverArguments(), QStringList {QStringLiteral("--keep-vm-state")});
        plan.driverOptions = {QStringLiteral("--keep-vm-state"), QStringLiteral("--vlans")};
        QCOMPARE(plan.driverArguments(), QStringList {QStringLiteral("--keep-vm-state")});
        plan.driverOptions = DriverOptionsProbe::parseHelp(
            QStringLiteral("usage: nixos-test-driver [-h] [-K] [-I] [--config CONFIG]\n\n"
                           "options:\n"
                           "  -K, --keep-machine-state\n"
                           "                        re-use a machine state coming from a "
                           "previous run\n"));
        QCOMPARE(plan.driverArguments(), QStringList {QStringLiteral("--keep-machine-state")});
        plan.driverOptions = {QStringLiteral("--vlans")};
        QCOMPARE(plan.keepStateOption(), QString());
        QCOMPARE(plan.driverArguments(), QStringList());
    }

    void subtestsAreCasesAndTheFailedOneCarriesTheFailure()
    {
        const QList<LogEntry> log = {
            line(-1, 0, QStringLiteral("Machine state will be reset")),
            step(1, 0, QStringLiteral("first"), 3.0, true),
            step(2, 1, QStringLiteral("inner"), 1.0, true),
            step(3, 2, QStringLiteral("waiting for unit"), 0.5, false),
            line(-2, 3, QStringLiteral("serial \x1b[1mbold\x07")),
            step(4, 0, QStringLiteral("second"), 2.0, true, true),
            line(-3, 0, QStringLiteral("Traceback (most recent call last):"),
                QStringLiteral("error")),
        };
        JunitReport::Outcome outcome;
        outcome.failure = QStringLiteral("/t/test.nix:11: assert x\n  AssertionError: told");
        const Report report = parse(JunitReport::toXml(log, outcome));
        QCOMPARE(report.root.value(QStringLiteral("tests")), QStringLiteral("3"));
        QCOMPARE(report.root.value(QStringLiteral("failures")), QStringLiteral("1"));
        QCOMPARE(report.cases.size(), 3);
        // first's own time excludes its nested subtest's.
        QCOMPARE(report.cases.value(QStringLiteral("first")).time, QStringLiteral("2.000000"));
        QVERIFY(!report.cases.value(QStringLiteral("first")).failed);
        QVERIFY(report.cases.value(QStringLiteral("inner"))
                .out.contains(QStringLiteral("serial [1mbold")));
        const Case second = report.cases.value(QStringLiteral("second"));
        QVERIFY(second.failed);
        QCOMPARE(second.failureMessage, QStringLiteral("/t/test.nix:11: assert x"));
        QVERIFY(second.failureText.contains(QStringLiteral("AssertionError: told")));
        QVERIFY(!report.cases.contains(QStringLiteral("main")));
    }

    void aFailureOutsideSubtestsIsMain()
    {
        JunitReport::Outcome outcome;
        outcome.durationSeconds = 4;
        Report report = parse(JunitReport::toXml({}, outcome));
        QCOMPARE(report.root.value(QStringLiteral("tests")), QStringLiteral("1"));
        QVERIFY(report.cases.value(QStringLiteral("main")).failed);
        outcome.passed = true;
        report = parse(JunitReport::toXml({}, outcome));
        QCOMPARE(report.root.value(QStringLiteral("failures")), QStringLiteral("0"));
        QCOMPARE(report.root.value(QStringLiteral("time")), QStringLiteral("4.000000"));

        outcome.passed = false;
        report
            = parse(JunitReport::toXml({step(1, 0, QStringLiteral("fine"), 1.0, true)}, outcome));
        QCOMPARE(report.root.value(QStringLiteral("tests")), QStringLiteral("2"));
        QVERIFY(!report.cases.value(QStringLiteral("fine")).failed);
        QVERIFY(report.cases.value(QStringLiteral("main")).failed);
    }
};

QTEST_GUILESS_MAIN(TestJunitReport)
#include "tst_junitreport.moc"
