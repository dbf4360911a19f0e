// TestPickerDialog and OutlineDock on the offscreen platform, with the real
// `nix`: the two-test flake of tests/data/nix (copied to a temporary
// directory: a path: flake sees only its own directory), its broken
// sibling, and the demo's vlan.nix (two nodes on VLAN 1, three subtests).
// The window's File > Open Test… path (TestOpener) on the same flake and on
// multi.nix: the picker, the file opened for the chosen test, and the
// reference F5 builds.
#include "common/testfiles.h"
#include "core/nix/nixcommand.h"
#include "core/nix/testref.h"
#include "ui/docks/buildoutputview.h"
#include "ui/editor/editorarea.h"
#include "ui/mainwindow.h"
#include "ui/open/outlinedock.h"
#include "ui/open/testopener.h"
#include "ui/open/testpickerdialog.h"
#include "ui/window/debugactions.h"
#include "ui/window/sessioncontroller.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace nixtide;
using namespace nixtide::testing;

namespace {

TestRef ref(const QString &arg)
{
    QString error;
    const std::optional<TestRef> r = TestRef::parse(arg, &error);
    if (!r)
        qFatal("cannot parse %s: %s", qPrintable(arg), qPrintable(error));
    return *r;
}

QStringList childTexts(const QTreeWidgetItem *item)
{
    QStringList out;
    for (int i = 0; i < item->childCount(); ++i)
        out.append(item->child(i)->text(0));
    return out;
}

} // namespace

class TestOpenDialogs : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_source;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!NixCommand::program().isEmpty(), "these tests need the real nix on PATH");
        m_source = qEnvironmentVariable("NIXTIDE_SOURCE_DIR");
        QVERIFY2(!m_source.isEmpty(), "run under ctest (NIXTIDE_SOURCE_DIR)");
        const QString data = m_source + QStringLiteral("/tests/data/nix");
        for (const char *flake : {"flake", "flake-broken"}) {
            const QString dir = m_dir.filePath(QLatin1StringView(flake));
            QVERIFY(QDir().mkpath(dir));
            QDirIterator it(data + u'/' + QLatin1StringView(flake), QDir::Files);
            while (it.hasNext()) {
                const QString src = it.next();
                writeAll(dir + u'/' + it.fileName(), readAll(src));
            }
            writeAll(dir + QStringLiteral("/testlib.nix"), readAll(data + "/testlib.nix"));
        }
    }

    void pickerListsTheFlakesTestsAndReturnsTheChosenOne()
    {
        TestPickerDialog picker(ref(QStringLiteral("path:") + m_dir.filePath("flake")));
        QSignalSpy listed(&picker, &TestPickerDialog::listed);
        picker.show();
        // The list comes from a worker thread: the dialog is up before it.
        QCOMPARE(picker.list()->count(), 0);
        QVERIFY(listed.wait(60000));
        QCOMPARE(listed.at(0).at(0).toInt(), 2);
        QVERIFY(listed.at(0).at(1).toString().isEmpty());
        QStringList shown;
        for (int i = 0; i < picker.list()->count(); ++i)
            shown.append(picker.list()->item(i)->text());
        QCOMPARE(shown,
            (QStringList {QStringLiteral("checks.x86_64-linux.one"),
                QStringLiteral("checks.x86_64-linux.two")}));

        picker.list()->setCurrentRow(1);
        auto *box = picker.findChild<QDialogButtonBox *>();
        QVERIFY(box->button(QDialogButtonBox::Open)->isEnabled());
        QTest::mouseClick(box->button(QDialogButtonBox::Open), Qt::LeftButton);
        QCOMPARE(picker.result(), int(QDialog::Accepted));
        const std::optional<TestRef> chosen = picker.chosenTest();
        QVERIFY(chosen);
        QCOMPARE(chosen->kind, TestRef::Kind::Flake);
        QCOMPARE(chosen->attrPath, QStringLiteral("checks.x86_64-linux.two"));
        QCOMPARE(chosen->path, m_dir.filePath("flake"));
    }

    void windowOpensTheTestChosenInAFlakeOrAFile()
    {
        const QString flake = m_dir.filePath("flake");
        QSettings settings(m_dir.filePath("window.conf"), QSettings::IniFormat);
        MainWindow window(&settings, m_dir.filePath("recovery"));
        window.editorArea()->setRestorePrompt([](const QString &) { return false; });
        auto *controller = new SessionController(&window);
        controller->setRecordBase(m_dir.filePath("runs"));
        window.show();
        TestOpener *opener = window.testOpener();
        QSignalSpy shown(opener, &TestOpener::pickerShown);
        QSignalSpy chosen(opener, &TestOpener::chosen);

        // A flake with two tests: the picker, filled from a worker thread
        // (the call returns before Nix has answered).
        window.openTestArgument(QStringLiteral("path:") + flake);
        QVERIFY(shown.isEmpty() && chosen.isEmpty());
        QVERIFY(shown.wait(60000));
        TestPickerDialog *picker = opener->picker();
        QVERIFY(picker && picker->isVisible());
        QCOMPARE(picker->list()->count(), 2);
        QVERIFY(!picker->choose(QStringLiteral("checks.x86_64-linux.none")));
        QVERIFY(picker->choose(QStringLiteral("checks.x86_64-linux.one")));
        QVERIFY(chosen.wait(60000));
        // one.nix holds the test's script: that file is shown and edited,
        // the flake attribute is what gets built.
        QCOMPARE(window.testPath(), QDir(flake).filePath("one.nix"));
        QCOMPARE(window.testArgument(),
            QStringLiteral("path:") + flake + QStringLiteral("#checks.x86_64-linux.one"));
        QVERIFY(window.editorArea()->editorFor(QDir(flake).filePath("one.nix")));
        QTRY_VERIFY(!opener->picker());

        // The command line's form names the test: no picker; its script is
        // in flake.nix itself.
        window.openTestArgument(
            QStringLiteral("path:") + flake + QStringLiteral("#checks.x86_64-linux.two"));
        QVERIFY(chosen.wait(60000));
        QCOMPARE(shown.count(), 1);
        QCOMPARE(window.testPath(), QDir(flake).filePath("flake.nix"));
        const QString two
            = QStringLiteral("path:") + flake + QStringLiteral("#checks.x86_64-linux.two");
        QCOMPARE(window.testArgument(), two);

        // F5 builds the chosen test, not the file on its own.
        window.debugActions()->runContinue->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(
            window.buildOutput()->text()->toPlainText().contains(QStringLiteral("building ") + two),
            10000);
        controller->cancelBuild();
        QTRY_VERIFY_WITH_TIMEOUT(controller->state() != SessionState::Building, 60000);
        controller->stop();
        QTRY_VERIFY_WITH_TIMEOUT(controller->state() == SessionState::Idle
                || controller->state() == SessionState::Terminated,
            60000);

        // A .nix file holding an attribute set of tests: the picker again.
        const QString data = m_source + QStringLiteral("/tests/data/nix");
        const QString multi = m_dir.filePath("multi.nix");
        writeAll(multi, readAll(data + "/multi.nix"));
        writeAll(m_dir.filePath("testlib.nix"), readAll(data + "/testlib.nix"));
        window.openTestArgument(multi);
        QVERIFY(shown.wait(60000));
        QVERIFY(opener->picker()->choose(QStringLiteral("group.second")));
        QVERIFY(chosen.wait(60000));
        QCOMPARE(window.testPath(), multi);
        QCOMPARE(window.testArgument(), multi + QStringLiteral("#group.second"));
    }

    void pickerShowsNixsErrorForABrokenFlake()
    {
        TestPickerDialog picker(ref(QStringLiteral("path:") + m_dir.filePath("flake-broken")));
        QSignalSpy listed(&picker, &TestPickerDialog::listed);
        picker.show();
        QVERIFY(listed.wait(60000));
        QCOMPARE(listed.at(0).at(0).toInt(), 0);
        const QString error = listed.at(0).at(1).toString();
        QVERIFY2(error.contains(QStringLiteral("syntax-error.nix")), qPrintable(error));
        QVERIFY2(picker.statusText().contains(QStringLiteral("syntax-error.nix")),
            qPrintable(picker.statusText()));
        QVERIFY(!picker.chosenTest());
        QVERIFY(
            !picker.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Open)->isEnabled());
    }

    void outlineShowsNodesVlansAndStatementsAndJumps()
    {
        const QString vlan = m_source + QStringLiteral("/resources/demo/vlan.nix");
        const QString text = readAll(vlan);
        OutlineDock dock;
        QSignalSpy ready(&dock, &OutlineDock::machinesReady);
        QSignalSpy jumps(&dock, &OutlineDock::jumpTo);
        dock.setTest(ref(vlan), vlan, text);
        dock.show();
        QTreeWidget *tree = dock.tree();
        QCOMPARE(tree->topLevelItemCount(), 3);

        // The script part is read from the text at once, no Nix needed.
        QTreeWidgetItem *script = tree->topLevelItem(2);
        const QStringList statements = childTexts(script);
        QCOMPARE(statements.value(0), QStringLiteral("start_all()"));
        QVERIFY2(statements.contains(
                     QStringLiteral("subtest: the client sends a line to the server over VLAN 1")),
            qPrintable(statements.join(u'|')));
        QVERIFY(statements.contains(QStringLiteral("subtest: block() cuts the client off")));
        QVERIFY(statements.contains(QStringLiteral("subtest: unblock() heals the link")));

        QVERIFY(ready.wait(60000));
        QVERIFY2(ready.at(0).at(0).toString().isEmpty(), qPrintable(ready.at(0).at(0).toString()));
        QCOMPARE(childTexts(tree->topLevelItem(0)),
            (QStringList {QStringLiteral("client"), QStringLiteral("server")}));
        QCOMPARE(childTexts(tree->topLevelItem(1)), QStringList {QStringLiteral("VLAN 1")});

        // Clicking a statement names its .nix line.
        const QStringList lines = text.split(u'\n');
        for (int i = 0; i < script->childCount(); ++i) {
            QTreeWidgetItem *item = script->child(i);
            jumps.clear();
            tree->scrollToItem(item);
            QTest::mouseClick(
                tree->viewport(), Qt::LeftButton, {}, tree->visualItemRect(item).center());
            QCOMPARE(jumps.size(), 1);
            QCOMPARE(jumps.at(0).at(0).toString(), vlan);
            const int line = jumps.at(0).at(1).toInt();
            const QString nixLine = lines.value(line - 1).trimmed();
            if (item->text(0).startsWith(QStringLiteral("subtest: ")))
                QVERIFY2(nixLine.startsWith(QStringLiteral("with subtest(")), qPrintable(nixLine));
            else
                QCOMPARE(nixLine, item->text(0));
        }

        // An edit re-reads the script without Nix: a new statement appears.
        QString edited = text;
        edited.replace(QStringLiteral("      start_all()\n"),
            QStringLiteral("      start_all()\n      print(\"edited\")\n"));
        dock.setScriptSource(vlan, edited);
        QCOMPARE(script->child(1)->text(0), QStringLiteral("print(\"edited\")"));
    }

    void outlineNamesAnEvaluationError()
    {
        OutlineDock dock;
        QSignalSpy ready(&dock, &OutlineDock::machinesReady);
        QSignalSpy failed(&dock, &OutlineDock::evaluationFailed);
        const QString broken = m_dir.filePath("flake-broken/syntax-error.nix");
        dock.setTest(ref(QStringLiteral("path:") + m_dir.filePath("flake-broken")
                         + QStringLiteral("#checks.x86_64-linux.broken")),
            broken, readAll(broken));
        QVERIFY(ready.wait(60000));
        QVERIFY(!ready.at(0).at(0).toString().isEmpty());
        // Visible in the tree (not only a tooltip), at the working-tree file's
        // line for the editor, in Nix's own words without nixtide's wrapper.
        const QString shown = dock.tree()->topLevelItem(0)->child(0)->text(0);
        QVERIFY2(shown.startsWith(QStringLiteral("cannot evaluate: ")), qPrintable(shown));
        QVERIFY2(shown.contains(QStringLiteral("syntax-error.nix:6")), qPrintable(shown));
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.at(0).at(0).toString(), broken);
        QCOMPARE(failed.at(0).at(1).toInt(), 6);
        const QString message = failed.at(0).at(3).toString();
        QVERIFY2(message.contains(QStringLiteral("syntax error")), qPrintable(message));
        for (const char *wrapper :
            {"«string»", "builtins.unsafeGetAttrPos", "attrNames", "--apply"})
            QVERIFY2(!message.contains(QString::fromUtf8(wrapper)), qPrintable(message));
    }

    void outlineOfAModuleStyleFileUsesWhatBuildsIt()
    {
        // nixos/tests/old-style.nix cannot be called alone: its nodes come
        // from nixosTests.old-style of the nixpkgs-shaped fixture.
        const QString file
            = m_source + QStringLiteral("/tests/data/nixpkgs/nixos/tests/old-style.nix");
        OutlineDock dock;
        QSignalSpy ready(&dock, &OutlineDock::machinesReady);
        dock.setTest(ref(file), file, readAll(file));
        QVERIFY(ready.wait(120000));
        QVERIFY2(ready.at(0).at(0).toString().isEmpty(), qPrintable(ready.at(0).at(0).toString()));
        QCOMPARE(childTexts(dock.tree()->topLevelItem(0)),
            (QStringList {QStringLiteral("client"), QStringLiteral("web-server")}));
    }

    // `testScript = builtins.readFile ./script.py`: the script part is the
    // .py file's, at its own lines; the .py opened alone has the same.
    void outlineOfAScriptFile()
    {
        const QString dir = m_source + QStringLiteral("/tests/data/nixpkgs/nixos/tests/read-file");
        const QString nix = dir + QStringLiteral("/default.nix");
        const QString py = dir + QStringLiteral("/script.py");
        const QStringList lines = readAll(py).split(u'\n');
        const int subtestLine
            = int(lines.indexOf(QStringLiteral("with subtest(\"the kernel is Linux\"):"))) + 1;
        QVERIFY(subtestLine > 0);
        OutlineDock dock;
        QSignalSpy jumps(&dock, &OutlineDock::jumpTo);
        // The script part alone: no Nix evaluation of the nodes.
        dock.setScriptSource(nix, readAll(nix));
        dock.show();
        QTreeWidget *tree = dock.tree();
        for (int pass = 0; pass < 2; ++pass) {
            QTreeWidgetItem *script = tree->topLevelItem(2);
            QCOMPARE(childTexts(script),
                (QStringList {QStringLiteral("start_all()"),
                    QStringLiteral("machine.wait_for_unit(\"multi-user.target\")"),
                    QStringLiteral("subtest: the kernel is Linux")}));
            QTreeWidgetItem *subtest = script->child(2);
            jumps.clear();
            tree->scrollToItem(subtest);
            QTest::mouseClick(
                tree->viewport(), Qt::LeftButton, {}, tree->visualItemRect(subtest).center());
            QCOMPARE(jumps.size(), 1);
            QCOMPARE(jumps.at(0).at(0).toString(), py);
            QCOMPARE(jumps.at(0).at(1).toInt(), subtestLine);
            dock.setScriptFile(py, readAll(py));
        }
    }
};

QTEST_MAIN(TestOpenDialogs)
#include "tst_opendialogs.moc"
