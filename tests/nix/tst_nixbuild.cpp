// The NIX layer against the real `nix`: building with progress, cancelling,
// errors on the right line (also through a flake's store copy), listing,
// locating the testScript, and edits that need no rebuild. Test data:
// tests/data/nix, copied with a fresh nonce so every run really builds.
#include "common/testfiles.h"
#include "core/nix/nixbuild.h"
#include "core/nix/nixcommand.h"
#include "core/nix/nixlog.h"
#include "core/nix/scriptedit.h"
#include "core/nix/testinfo.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <algorithm>
#include <csignal>

using namespace nixtide;
using namespace nixtide::testing;

namespace {

struct Built
{
    NixBuildResult result;
    QList<NixProgress> progress;
    QStringList logLines;
};

Built build(const TestRef &ref, const QString &attr = QStringLiteral("driverInteractive"))
{
    Built out;
    NixBuild b;
    QObject::connect(
        &b, &NixBuild::progress, [&out](const NixProgress &p) { out.progress.append(p); });
    QObject::connect(&b, &NixBuild::logLine, [&out](const QString &l) { out.logLines.append(l); });
    QSignalSpy done(&b, &NixBuild::finished);
    b.start(ref, attr);
    if (!done.wait(120000))
        qWarning("build did not finish in 120 s");
    if (!done.isEmpty())
        out.result = done.first().first().value<NixBuildResult>();
    return out;
}

} // namespace

class TestNixBuild : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_nonce;

    QString path(const QString &rel) const { return m_dir.filePath(rel); }
    TestRef ref(const QString &arg) const
    {
        QString error;
        const std::optional<TestRef> r = TestRef::parse(arg, &error);
        if (!r)
            qWarning("%s", qPrintable(error));
        return r.value_or(TestRef());
    }

    // This process's children whose command name is `name`.
    static QList<qint64> childrenNamed(const QString &name)
    {
        QList<qint64> pids;
        for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
            bool isPid = false;
            const qint64 pid = entry.toLongLong(&isPid);
            if (!isPid)
                continue;
            QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
            if (!stat.open(QIODevice::ReadOnly))
                continue;
            // pid (comm) state ppid …; comm may hold spaces and parentheses.
            const QByteArray line = stat.readAll();
            const qsizetype open = line.indexOf('('), close = line.lastIndexOf(')');
            const QList<QByteArray> rest = line.mid(close + 2).split(' ');
            if (open < 0 || close < open || rest.size() < 2)
                continue;
            if (QString::fromUtf8(line.mid(open + 1, close - open - 1)) == name
                && rest.at(1).toLongLong() == QCoreApplication::applicationPid())
                pids.append(pid);
        }
        return pids;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!NixCommand::program().isEmpty(), "these tests need the real nix on PATH");
        QVERIFY(m_dir.isValid());
        QVERIFY2(qEnvironmentVariableIsSet("NIXTIDE_SOURCE_DIR"),
            "run under ctest (NIXTIDE_SOURCE_DIR)");
        m_nonce = QUuid::createUuid().toString(QUuid::WithoutBraces);
        // Nix killed from outside cannot remove its build directory (and
        // its temporary ones): they go with the test's directory, not into
        // the machine's /tmp.
        QVERIFY(QDir().mkpath(path(QStringLiteral("tmp"))));
        qputenv("TMPDIR", path(QStringLiteral("tmp")).toUtf8());
        const QString data
            = qEnvironmentVariable("NIXTIDE_SOURCE_DIR") + QStringLiteral("/tests/data/nix");
        QDirIterator it(data, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString src = it.next();
            const QString dst = m_dir.filePath(QDir(data).relativeFilePath(src));
            QDir().mkpath(QFileInfo(dst).absolutePath());
            writeAll(dst, readAll(src).replace(QStringLiteral("@NONCE@"), m_nonce));
        }
        // A path: flake sees only its own directory.
        for (const char *flake : {"flake", "flake-broken"})
            writeAll(m_dir.filePath(QLatin1StringView(flake) + QStringLiteral("/testlib.nix")),
                readAll(m_dir.filePath(QStringLiteral("testlib.nix"))));
    }

    void parseRefs()
    {
        const TestRef file = ref(path(QStringLiteral("multi.nix#group.second")));
        QCOMPARE(file.kind, TestRef::Kind::NixFile);
        QCOMPARE(file.attrPath, QStringLiteral("group.second"));
        const TestRef flake
            = ref(QStringLiteral("path:") + path(QStringLiteral("flake#checks.x86_64-linux.one")));
        QCOMPARE(flake.kind, TestRef::Kind::Flake);
        QCOMPARE(flake.path, path(QStringLiteral("flake")));
        QCOMPARE(flake.attrPath, QStringLiteral("checks.x86_64-linux.one"));
        QCOMPARE(ref(path(QStringLiteral("flake"))).kind, TestRef::Kind::Flake);
        QString error;
        QVERIFY(!TestRef::parse(path(QStringLiteral("nope.nix")), &error));
        QVERIFY(error.contains(QStringLiteral("no such file")));
    }

    void buildReportsProgressInOrder()
    {
        const Built b = build(ref(path(QStringLiteral("single.nix"))));
        QVERIFY2(b.result.ok, qPrintable(b.result.error.toText()));
        QVERIFY(
            QFileInfo(b.result.outPath + QStringLiteral("/bin/nixos-test-driver")).isExecutable());
        QVERIFY(!b.progress.isEmpty());
        // Two node derivations and the driver.
        QCOMPARE(b.progress.last().expected, 3);
        QCOMPARE(b.progress.last().done, 3);
        int lastDone = 0;
        for (const NixProgress &p : b.progress) {
            QVERIFY(p.done >= lastDone);
            QVERIFY(p.done <= p.expected);
            lastDone = p.done;
        }
        QVERIFY(std::any_of(b.progress.begin(), b.progress.end(), [](const NixProgress &p) {
            return p.current == QLatin1StringView("single-driverInteractive") && p.running == 1;
        }));
        QVERIFY2(b.logLines.contains(QStringLiteral(
                     "single-driverInteractive> building the driverInteractive of single")),
            qPrintable(b.logLines.join(u'\n')));
        qInfo("built in %lld ms, %lld progress events", b.result.elapsedMs,
            qint64(b.progress.size()));
    }

    void buildFlake()
    {
        const Built b = build(
            ref(QStringLiteral("path:") + path(QStringLiteral("flake#checks.x86_64-linux.one"))),
            QStringLiteral("driver"));
        QVERIFY2(b.result.ok, qPrintable(b.result.error.toText()));
        QCOMPARE(readAll(b.result.outPath + QStringLiteral("/test-script")),
            QStringLiteral("machine.succeed(\"one\")\n"));
        QCOMPARE(b.progress.last().done, b.progress.last().expected);
    }

    void cancelLeavesNothingRunning()
    {
        NixBuild b;
        QSignalSpy started(&b, &NixBuild::buildLogLine);
        QSignalSpy done(&b, &NixBuild::finished);
        b.start(ref(path(QStringLiteral("slow.nix"))));
        // Wait until the slow builder itself runs (it prints before sleeping).
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 60000) {
            bool driverRunning = false;
            for (const QList<QVariant> &args : std::as_const(started))
                driverRunning = driverRunning
                    || args.at(1).toString().startsWith(QLatin1StringView("building the"));
            if (driverRunning)
                break;
            started.wait(200);
        }
        QVERIFY(!processesMentioning(m_nonce).isEmpty());
        QElapsedTimer cancelTime;
        cancelTime.start();
        b.cancel();
        QVERIFY(done.wait(10000));
        const NixBuildResult r = done.first().first().value<NixBuildResult>();
        QCOMPARE(r.error.kind, NixError::Kind::Cancelled);
        qInfo("cancelled in %lld ms", cancelTime.elapsed());
        const QStringList left = processesMentioning(m_nonce);
        QVERIFY2(left.isEmpty(), qPrintable(left.join(QStringLiteral(", "))));
        QVERIFY(!b.isRunning());
    }

    // Nix killed from outside (the OOM killer, a user's kill -9) in the
    // middle of a build: the build ends with a message that says so, not
    // with whatever Nix printed last, and its builder does not run on.
    void nixKilledFromOutsideSaysSoAndLeavesNothing()
    {
        NixBuild b;
        QSignalSpy started(&b, &NixBuild::buildLogLine);
        QSignalSpy done(&b, &NixBuild::finished);
        b.start(ref(path(QStringLiteral("slow.nix"))));
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(started.begin(), started.end(),
                                     [](const QList<QVariant> &args) {
                                         return args.at(1).toString().startsWith(
                                             QLatin1StringView("building the"));
                                     }),
            120000);
        QVERIFY(!processesMentioning(m_nonce).isEmpty());
        const QList<qint64> nix = childrenNamed(QStringLiteral("nix"));
        QCOMPARE(nix.size(), 1);
        QCOMPARE(::kill(pid_t(nix.first()), SIGKILL), 0);
        QVERIFY(done.wait(60000));
        const NixBuildResult r = done.first().first().value<NixBuildResult>();
        QVERIFY(!r.ok);
        QVERIFY(r.error.kind != NixError::Kind::Cancelled);
        QVERIFY2(r.error.message.contains(QStringLiteral("killed")), qPrintable(r.error.message));
        QVERIFY(!b.isRunning());
        QTRY_VERIFY2_WITH_TIMEOUT(processesMentioning(m_nonce).isEmpty(),
            qPrintable(processesMentioning(m_nonce).join(QStringLiteral(", "))), 30000);
        // What the killed Nix left is in the test's TMPDIR (see initTestCase).
        QVERIFY(!QDir(path(QStringLiteral("tmp")))
                .entryList({QStringLiteral("nix-build-*")}, QDir::Dirs)
                .isEmpty());
    }

    void syntaxErrorAtItsLine()
    {
        const Built b = build(ref(path(QStringLiteral("syntax-error.nix"))));
        QVERIFY(!b.result.ok);
        const NixError &e = b.result.error;
        QCOMPARE(e.kind, NixError::Kind::Eval);
        QCOMPARE(e.file, path(QStringLiteral("syntax-error.nix")));
        QCOMPARE(e.line, 6);
        QCOMPARE(e.column, 28);
        QVERIFY2(e.message.contains(QStringLiteral("syntax error")), qPrintable(e.message));
        QVERIFY(!e.message.contains(u'\x1b'));
    }

    // Nix 2.8-2.2x and Lix give line and column as numbers; Nix 2.26 also
    // appends them to the file name. Every form reads the same.
    void errorPositionInEitherForm_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::newRow("separate fields")
            << QByteArray(R"(@nix {"action":"msg","level":0,"file":"/src/t.nix","line":6,)"
                          R"("column":28,"msg":"error: syntax error","raw_msg":"syntax error"})");
        QTest::newRow("in the file name and beside it (Nix 2.26)")
            << QByteArray(R"(@nix {"action":"msg","level":0,"file":"/src/t.nix:6:28","line":6,)"
                          R"("column":28,"msg":"error: syntax error","raw_msg":"syntax error"})");
        QTest::newRow("in the file name only")
            << QByteArray(R"(@nix {"action":"msg","level":0,"file":"/src/t.nix:6:28","line":null,)"
                          R"("column":null,"msg":"error: syntax error","raw_msg":"syntax error"})");
    }
    void errorPositionInEitherForm()
    {
        QFETCH(QByteArray, line);
        NixLogParser parser;
        parser.feed(line);
        const NixError e = parser.error();
        QCOMPARE(e.file, QStringLiteral("/src/t.nix"));
        QCOMPARE(e.line, 6);
        QCOMPARE(e.column, 28);
        QCOMPARE(e.message, QStringLiteral("syntax error"));
    }

    void syntaxErrorThroughFlakeMapsToWorkingTree()
    {
        const Built b = build(ref(QStringLiteral("path:")
            + path(QStringLiteral("flake-broken#checks.x86_64-linux.broken"))));
        QVERIFY(!b.result.ok);
        const NixError &e = b.result.error;
        QCOMPARE(e.kind, NixError::Kind::Eval);
        QCOMPARE(e.file, path(QStringLiteral("flake-broken/syntax-error.nix")));
        QCOMPARE(e.line, 6);
        QCOMPARE(e.column, 8);
        QVERIFY(e.toText().startsWith(
            path(QStringLiteral("flake-broken/syntax-error.nix:6:8: error: "))));
    }

    void buildFailureGivesDerivationAndLog()
    {
        const Built b = build(ref(path(QStringLiteral("failing-build.nix"))));
        QVERIFY(!b.result.ok);
        const NixError &e = b.result.error;
        QCOMPARE(e.kind, NixError::Kind::Build);
        QVERIFY2(e.derivation.endsWith(QStringLiteral("-failing-driverInteractive.drv")),
            qPrintable(e.derivation));
        QVERIFY2(e.logTail.contains(QStringLiteral("the driver is broken")),
            qPrintable(e.logTail.join(u'\n')));
        QVERIFY2(e.message.contains(QStringLiteral("exit code 3")), qPrintable(e.message));
    }

    void oneClearMessageEach()
    {
        const Built attr = build(ref(path(QStringLiteral("multi.nix#nope"))));
        QCOMPARE(attr.result.error.kind, NixError::Kind::AttributeMissing);
        QVERIFY2(attr.result.error.message.contains(QStringLiteral("nope")),
            qPrintable(attr.result.error.message));

        TestRef gone = ref(path(QStringLiteral("single.nix")));
        gone.path = path(QStringLiteral("deleted.nix"));
        const Built file = build(gone);
        QCOMPARE(file.result.error.kind, NixError::Kind::FileMissing);

        qputenv("NIXTIDE_NIX", "/nonexistent/nix");
        const Built nix = build(ref(path(QStringLiteral("single.nix"))));
        qunsetenv("NIXTIDE_NIX");
        QCOMPARE(nix.result.error.kind, NixError::Kind::NixMissing);
        QVERIFY(nix.result.error.message.contains(QStringLiteral("not installed")));
    }

    void listTests()
    {
        NixError err;
        QCOMPARE(TestInfo::listTests(ref(path(QStringLiteral("multi.nix"))), &err),
            (QStringList {QStringLiteral("first"), QStringLiteral("group.second")}));
        QCOMPARE(err.kind, NixError::Kind::None);

        QVERIFY2(QFileInfo(qEnvironmentVariable("NIXTIDE_BINARY")).isExecutable(),
            "the nixtide executable (NIXTIDE_BINARY) is not built");
        QProcess p;
        p.start(qEnvironmentVariable("NIXTIDE_BINARY"),
            {QStringLiteral("list"), QStringLiteral("path:") + path(QStringLiteral("flake"))});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        QCOMPARE(QString::fromUtf8(p.readAllStandardOutput()),
            QStringLiteral("checks.x86_64-linux.one\nchecks.x86_64-linux.two\n"));

        p.start(qEnvironmentVariable("NIXTIDE_BINARY"),
            {QStringLiteral("list"), path(QStringLiteral("syntax-error.nix"))});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        QVERIFY(QString::fromUtf8(p.readAllStandardError())
                .startsWith(path(QStringLiteral("syntax-error.nix:6:28: error: syntax error"))));
    }

    void locateAndMapAgainstTheBuiltScript()
    {
        const TestRef single = ref(path(QStringLiteral("single.nix")));
        const ScriptLocation loc = TestInfo::locateTestScript(single);
        QVERIFY2(loc.found(), qPrintable(loc.error));
        QCOMPARE(loc.how, QStringLiteral("nix"));
        QCOMPARE(loc.file, path(QStringLiteral("single.nix")));
        QCOMPARE(loc.attrLine, 14);
        QCOMPARE(loc.line, 14);
        QVERIFY(!loc.isFunction);

        const Built b = build(single, QStringLiteral("driver"));
        QVERIFY(b.result.ok);
        const QString script = readAll(b.result.outPath + QStringLiteral("/test-script"));
        const ScriptLineMap map = ScriptLineMap::build(readAll(loc.file), loc, script);
        QVERIFY2(map.isValid(), qPrintable(map.error()));
        // start_all, echo, two lines from ${setup}, the blank line after it,
        // cost, blank, with, other.succeed.
        QCOMPARE(map.nixLines(), (QVector<int> {15, 16, 17, 17, 17, 18, 19, 20, 21}));

        // The function form in a nested attribute, found by Nix.
        const ScriptLocation fn
            = TestInfo::locateTestScript(ref(path(QStringLiteral("multi.nix#group.second"))));
        QCOMPARE(fn.how, QStringLiteral("nix"));
        QVERIFY(fn.isFunction);
        QCOMPARE(fn.line, 13);

        // Through a flake: the store copy's position maps to the working tree.
        const ScriptLocation inFlake = TestInfo::locateTestScript(
            ref(QStringLiteral("path:") + path(QStringLiteral("flake#checks.x86_64-linux.one"))));
        QCOMPARE(inFlake.file, path(QStringLiteral("flake/one.nix")));
        QCOMPARE(inFlake.line, 5);
    }

    void outline()
    {
        NixError err;
        const TestInfo::Outline o
            = TestInfo::outline(ref(path(QStringLiteral("single.nix"))), &err);
        QCOMPARE(err.kind, NixError::Kind::None);
        QCOMPARE(o.name, QStringLiteral("single"));
        QCOMPARE(o.nodes, (QStringList {QStringLiteral("machine"), QStringLiteral("other")}));
        QCOMPARE(o.vlans, QList<int> {1});
        QString error;
        const QList<ScriptStatement> st = TestInfo::scriptOutline(
            QStringLiteral("start_all()\nwith subtest(\"boot\"):\n    x()\n    with "
                           "subtest(\"inner\"):\n        y()\n"),
            &error);
        // start_all, the boot subtest (lines 2-5) and the subtest inside it;
        // x() and y() are not top-level.
        QVERIFY2(st.size() == 3, qPrintable(error));
        QCOMPARE(st.at(1).label, QStringLiteral("boot"));
        QCOMPARE(st.at(1).lastLine, 5);
        QCOMPARE(st.at(2).label, QStringLiteral("inner"));
        QCOMPARE(st.at(2).firstLine, 4);
    }

    void editRunsWithoutNixAndMatchesARebuild()
    {
        const TestRef single = ref(path(QStringLiteral("single.nix")));
        const ScriptLocation loc = TestInfo::locateTestScript(single);
        const QString builtNix = readAll(loc.file);
        const Built before = build(single, QStringLiteral("driver"));
        QVERIFY(before.result.ok);
        const QString builtScript = readAll(before.result.outPath + QStringLiteral("/test-script"));

        QString edited = builtNix;
        edited.replace(QStringLiteral("    start_all()\n"),
            QStringLiteral("    start_all()\n    print(\"edited\")\n"));
        // No Nix reachable while deciding.
        const QByteArray savedPath = qgetenv("PATH");
        qputenv("PATH", "/nonexistent");
        QVERIFY(NixCommand::program().isEmpty());
        const ScriptEdit edit = ScriptEdit::check(builtNix, builtScript, edited, loc);
        qputenv("PATH", savedPath);
        QVERIFY2(!edit.rebuildNeeded, qPrintable(edit.reason));

        // What Nix itself builds from the edited file is the same text.
        writeAll(loc.file, edited);
        const Built after = build(single, QStringLiteral("driver"));
        QVERIFY(after.result.ok);
        QCOMPARE(edit.script, readAll(after.result.outPath + QStringLiteral("/test-script")));
        QCOMPARE(edit.lineMap.nixLineForScriptLine(2), 16);

        QString antiquoted = edited;
        antiquoted.replace(
            QStringLiteral("${greeting}"), QStringLiteral("${greeting} ${greeting}"));
        const ScriptEdit rebuild = ScriptEdit::check(edited, edit.script, antiquoted, loc);
        QVERIFY(rebuild.rebuildNeeded);
        QVERIFY(rebuild.reason.contains(QStringLiteral("antiquotation")));
        writeAll(loc.file, builtNix);
    }
};

QTEST_GUILESS_MAIN(TestNixBuild)
#include "tst_nixbuild.moc"
