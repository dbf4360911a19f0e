// MachineTab, SerialConsole and ConsoleInput without a VM (offscreen):
// actions follow the machine state, serial lines reach the terminal as
// whole lines, typed keys are batched in order, find and screenshots.
#include "core/session/debugsession.h"
#include "core/terminal/terminalscreen.h"
#include "ui/machines/consoleinput.h"
#include "ui/machines/machinepanel.h"
#include "ui/machines/machinetab.h"
#include "ui/machines/serialconsole.h"
#include "ui/terminal/terminalview.h"

#include <QAction>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>

using namespace nixtide;

class TestMachineTab : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void actionsFollowState()
    {
        MachineTab tab(QStringLiteral("server"));
        QCOMPARE(tab.state(), QStringLiteral("off"));
        QVERIFY(tab.startAction()->isEnabled());
        QVERIFY(!tab.shutdownAction()->isEnabled());
        QVERIFY(!tab.crashAction()->isEnabled());
        // No screen yet: nothing to save.
        QVERIFY(!tab.screenshotAction()->isEnabled());

        QSignalSpy states(&tab, &MachineTab::stateChanged);
        tab.setState(QStringLiteral("up"));
        QCOMPARE(states.count(), 1);
        QVERIFY(!tab.startAction()->isEnabled());
        QVERIFY(tab.shutdownAction()->isEnabled());
        QSignalSpy crash(&tab, &MachineTab::crashRequested);
        tab.crashAction()->trigger();
        QCOMPARE(crash.value(0).value(0).toString(), QStringLiteral("server"));

        tab.setActionsAvailable(false);
        QVERIFY(!tab.shutdownAction()->isEnabled());
        QVERIFY(!tab.startAction()->isEnabled());
        tab.setState(QStringLiteral("crashed"));
        tab.setActionsAvailable(true);
        QVERIFY(tab.startAction()->isEnabled());
        QVERIFY(!tab.crashAction()->isEnabled());

        QString error;
        QTemporaryDir dir;
        QVERIFY(tab.saveScreenshot(dir.path(), &error).isEmpty());
        QVERIFY(error.contains(QStringLiteral("no screen")));
        QVERIFY(tab.grabLabel()->text().contains(QStringLiteral("Click")));
    }

    void serialLinesAndFind()
    {
        SerialConsole console;
        console.resize(700, 300);
        console.show();
        QVERIFY(QTest::qWaitForWindowExposed(&console));
        console.appendSerial(QStringLiteral("first line\nsecond line\n"));
        // "\n" alone would leave the second line starting at column 10.
        QCOMPARE(console.screen()->lineText(0), QStringLiteral("first line"));
        QCOMPARE(console.screen()->lineText(1), QStringLiteral("second line"));
        QCOMPARE(console.screen()->cursor(), QPoint(0, 2));
        QVERIFY(console.screen()->columns() > 80); // fitted to the view
        // A reboot's firmware resets the terminal and turns autowrap off:
        // the earlier lines stay, long lines still wrap.
        const int columns = console.screen()->columns();
        console.appendSerial(QStringLiteral("\x1b"
                                            "c\x1b[?7l\x1b[2J\x1b[0mSeaBIOS\n")
            + QString(columns + 5, QLatin1Char('x')) + QStringLiteral("\n"));
        QCOMPARE(console.screen()->lineText(0), QStringLiteral("first line"));
        QCOMPARE(console.screen()->lineText(2), QStringLiteral("SeaBIOS"));
        QCOMPARE(console.screen()->lineText(4), QStringLiteral("xxxxx"));

        QTest::keyClick(console.view(), Qt::Key_F, Qt::ControlModifier | Qt::ShiftModifier);
        QVERIFY(console.findField()->isVisible());
        QVERIFY(console.findField()->hasFocus());
        QTest::keyClicks(console.findField(), QStringLiteral("second"));
        QTest::keyClick(console.findField(), Qt::Key_Return);
        QCOMPARE(console.view()->selectedText(), QStringLiteral("second"));
        QTest::keyClick(console.findField(), Qt::Key_Backspace);
        QTest::keyClicks(console.findField(), QStringLiteral("nowhere"));
        QTest::keyClick(console.findField(), Qt::Key_Return);
        QCOMPARE(console.findField()->palette().color(QPalette::Text), QColor(Qt::red));
        QTest::keyClick(console.findField(), Qt::Key_Escape);
        QVERIFY(!console.findField()->isVisible());

        QSignalSpy typed(&console, &SerialConsole::typed);
        console.view()->setFocus();
        QTest::keyClicks(console.view(), QStringLiteral("ls"));
        QTest::keyClick(console.view(), Qt::Key_Return);
        QByteArray all;
        for (const QList<QVariant> &args : typed)
            all += args.at(0).toByteArray();
        QCOMPARE(all, QByteArray("ls\r"));
    }

    void consoleInputBatchesInOrder()
    {
        QStringList sent;
        QList<std::function<void()>> pending;
        ConsoleInput input([&](const QString &text, std::function<void()> done) {
            sent.append(text);
            pending.append(std::move(done));
        });
        QSignalSpy drained(&input, &ConsoleInput::drained);
        input.append("e");
        input.append("c");
        input.append("ho \xc3\xa9");
        input.append("\r");
        QCOMPARE(sent, QStringList {QStringLiteral("e")});
        QVERIFY(input.busy());
        pending.takeFirst()();
        QCOMPARE(sent, (QStringList {QStringLiteral("e"), QStringLiteral("cho \u00e9\r")}));
        QCOMPARE(drained.count(), 0);
        pending.takeFirst()();
        QCOMPARE(drained.count(), 1);
        QVERIFY(!input.busy());
        QCOMPARE(input.requestsSent(), 2);
    }

    void panelWithoutMachines()
    {
        DebugSession session;
        MachinePanel panel(&session);
        QCOMPARE(panel.count(), 0);
        QCOMPARE(panel.tab(QStringLiteral("machine")), nullptr);
        QCOMPARE(panel.screen(QStringLiteral("machine")), nullptr);
        QVERIFY(panel.screenshotDir().endsWith(QStringLiteral("/screenshots")));
        panel.setSession(nullptr);
        QCOMPARE(panel.session(), nullptr);
    }
};

QTEST_MAIN(TestMachineTab)
#include "tst_machinetab.moc"
