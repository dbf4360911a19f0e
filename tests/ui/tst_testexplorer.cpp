// The test explorer (ui/open/testexplorerdock) with the real demo, under Xvfb:
// - `nixtide run-all` runs the fixture flake's failing check (a real build
//   of its result derivation, a real guest);
// - the window opens another check of that flake; the explorer lists the
//   flake's three checks, the failing one with its FAIL from run-all, the
//   others not run;
// - "Debug this test" on the failed one opens it and runs it under the
//   debugger, which stops at its failing line in the flake's flake.nix;
// - from then on the explorer shows that run (RUNNING, then how it ended)
//   as the test's last result, newer than run-all's.

#include "common/guesttesting.h"
#include "ui/docks/callstackview.h"
#include "ui/editor/editorarea.h"
#include "ui/editor/scripteditor.h"
#include "ui/mainwindow.h"
#include "ui/open/testexplorerdock.h"
#include "ui/window/sessioncontroller.h"

#include <QDockWidget>
#include <QFileInfo>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <QUuid>

using namespace nixtide;
using nixtide::testing::lineContaining;

class TestExplorerTest : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_source;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(qEnvironmentVariableIsSet("NIXTIDE_SOURCE_DIR"), "run under ctest");
        qputenv("XDG_STATE_HOME", m_dir.filePath(QStringLiteral("state")).toUtf8());
        m_source = qEnvironmentVariable("NIXTIDE_SOURCE_DIR");
    }

    void aFileThatIsOneTestIsListedByItsName()
    {
        const QString file = m_source + QStringLiteral("/resources/demo/single.nix");
        TestRef source;
        source.path = file;
        TestExplorerDock dock;
        QSignalSpy listed(&dock, &TestExplorerDock::listed);
        dock.setSource(source);
        QTRY_VERIFY_WITH_TIMEOUT(!listed.isEmpty(), 120000);
        QCOMPARE(listed.first().first().toString(), QString());
        QCOMPARE(dock.tree()->topLevelItemCount(), 1);
        const QTreeWidgetItem *item = dock.tree()->topLevelItem(0);
        QCOMPARE(item->text(0), QStringLiteral("single.nix"));
        QCOMPARE(TestExplorerDock::referenceOf(item), file);
    }

    void debugTheFailedTest()
    {
        // The fixture flake, as tests/cli/test_run_all.py writes it.
        const QString flakeDir = m_dir.filePath(QStringLiteral("flake"));
        QProcess write;
        write.start(QStringLiteral("python3"),
            {QStringLiteral("-c"),
                QStringLiteral("import sys; sys.path.insert(0, sys.argv[1]); import demoflake; "
                               "print(demoflake.write_checks_flake(sys.argv[2], sys.argv[3]))"),
                m_source + QStringLiteral("/tests/open"), flakeDir,
                QUuid::createUuid().toString(QUuid::WithoutBraces)});
        QVERIFY(write.waitForFinished(60000));
        QCOMPARE(write.exitCode(), 0);
        const QString flake = QString::fromUtf8(write.readAllStandardOutput()).trimmed();
        const QString failingRef = flake + QStringLiteral("#checks.x86_64-linux.failing");
        const QString flakeNix
            = QFileInfo(flakeDir + QStringLiteral("/flake.nix")).absoluteFilePath();
        const int failingLine = lineContaining(flakeNix, QStringLiteral("${failingCommand}"));
        QVERIFY(failingLine > 0);

        // run-all records the failed result the explorer shows.
        QProcess runAll;
        runAll.setProcessChannelMode(QProcess::ForwardedChannels);
        runAll.start(
            qEnvironmentVariable("NIXTIDE_BINARY"), {QStringLiteral("run-all"), failingRef});
        QVERIFY(runAll.waitForFinished(600000));
        QCOMPARE(runAll.exitCode(), 1);

        QSettings settings(m_dir.filePath(QStringLiteral("nixtide.conf")), QSettings::IniFormat);
        MainWindow window(&settings, m_dir.filePath(QStringLiteral("recovery")));
        window.editorArea()->setRestorePrompt([](const QString &) { return false; });
        auto *controller = new SessionController(&window);
        controller->setRecordBase(m_dir.filePath(QStringLiteral("runs")));
        controller->setClosePrompt([] { return true; });
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.openTestArgument(flake + QStringLiteral("#checks.x86_64-linux.boots"));

        TestExplorerDock *explorer = window.testExplorer();
        QVERIFY(explorer);
        explorer->show();
        explorer->raise();
        QTreeWidget *tree = explorer->tree();
        QTRY_COMPARE_WITH_TIMEOUT(tree->topLevelItemCount(), 3, 120000);
        // The results follow the list (read on a worker thread), all at once.
        QTRY_VERIFY_WITH_TIMEOUT(!tree->topLevelItem(0)->text(1).isEmpty(), 30000);
        QTreeWidgetItem *failing = nullptr;
        for (int i = 0; i < tree->topLevelItemCount(); ++i) {
            QTreeWidgetItem *item = tree->topLevelItem(i);
            if (item->text(0) == QStringLiteral("checks.x86_64-linux.failing"))
                failing = item;
            else
                QCOMPARE(item->text(1), QStringLiteral("not run"));
        }
        QVERIFY(failing);
        QCOMPARE(TestExplorerDock::referenceOf(failing), failingRef);
        QCOMPARE(failing->text(1), QStringLiteral("FAIL"));
        QVERIFY(failing->text(2).endsWith(QStringLiteral(" s")));

        // Debug this test: opened, built, run; the exception stops the
        // script at its failing line of flake.nix.
        QVERIFY(!explorer->debugButton()->isEnabled());
        tree->setCurrentItem(failing);
        QVERIFY(explorer->debugButton()->isEnabled());
        QTest::mouseClick(explorer->debugButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(window.testArgument(), failingRef, 120000);
        QTRY_COMPARE_WITH_TIMEOUT(controller->state(), SessionState::Stopped, 400000);
        const QList<StackFrameEntry> frames = window.callStackView()->frames();
        const int current = window.callStackView()->currentFrameIndex();
        QCOMPARE(frames.value(current).path, flakeNix);
        QCOMPARE(frames.value(current).line, failingLine);
        ScriptEditor *editor = window.editorArea()->editorFor(flakeNix);
        QVERIFY(editor);
        QCOMPARE(editor->currentLine(), failingLine);

        // The run in the IDE is the test's last result now, read from its
        // record (the list was made again for the opened test: look the
        // item up again).
        const auto itemOf = [tree](const QString &reference) -> QTreeWidgetItem * {
            for (int i = 0; i < tree->topLevelItemCount(); ++i) {
                if (TestExplorerDock::referenceOf(tree->topLevelItem(i)) == reference)
                    return tree->topLevelItem(i);
            }
            return nullptr;
        };
        QTRY_VERIFY_WITH_TIMEOUT(itemOf(failingRef), 120000);
        QTRY_COMPARE_WITH_TIMEOUT(itemOf(failingRef)->text(1), QStringLiteral("RUNNING"), 30000);
        QVERIFY2(itemOf(failingRef)->toolTip(1).startsWith(QStringLiteral("A run in the IDE")),
            qPrintable(itemOf(failingRef)->toolTip(1)));

        controller->stop();
        QTRY_COMPARE_WITH_TIMEOUT(controller->state(), SessionState::Terminated, 60000);
        QTRY_COMPARE_WITH_TIMEOUT(itemOf(failingRef)->text(1), QStringLiteral("FAIL"), 30000);
        QVERIFY2(itemOf(failingRef)->toolTip(1).startsWith(QStringLiteral("A run in the IDE")),
            qPrintable(itemOf(failingRef)->toolTip(1)));
        QVERIFY2(itemOf(failingRef)->toolTip(1).contains(m_dir.filePath(QStringLiteral("runs"))),
            qPrintable(itemOf(failingRef)->toolTip(1)));
        // The others keep what they had.
        const QString bootsRef = flake + QStringLiteral("#checks.x86_64-linux.boots");
        QCOMPARE(itemOf(bootsRef)->text(1), QStringLiteral("not run"));

        // A passing run counts as soon as its script has passed, while its
        // VMs stay up for the user.
        const auto resultOf = [&itemOf](const QString &reference) {
            const QTreeWidgetItem *item = itemOf(reference);
            return item ? item->text(1) : QString();
        };
        tree->setCurrentItem(itemOf(bootsRef));
        QTest::mouseClick(explorer->debugButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(window.testArgument(), bootsRef, 120000);
        QTRY_COMPARE_WITH_TIMEOUT(resultOf(bootsRef), QStringLiteral("PASS"), 400000);
        QVERIFY(controller->state() != SessionState::Terminated); // the VMs are up
        controller->stop();
        QTRY_COMPARE_WITH_TIMEOUT(controller->state(), SessionState::Terminated, 60000);
        // The record as the driver's end left it (exit 0 after the pass).
        QSignalSpy shown(explorer, &TestExplorerDock::resultsShown);
        explorer->refreshResults();
        QVERIFY(shown.wait(30000));
        QCOMPARE(resultOf(bootsRef), QStringLiteral("PASS"));
        QCOMPARE(resultOf(failingRef), QStringLiteral("FAIL"));
    }
};

QTEST_MAIN(TestExplorerTest)
#include "tst_testexplorer.moc"
