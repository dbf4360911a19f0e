// MachineTab, SerialConsole and ConsoleInput without a VM (offscreen):
// actions follow the machine state, serial bytes reach the QTermWidget as
// they come, typed keys are batched in order, find, copy, colours.
#include "core/session/debugsession.h"
#include "core/vnc/vncconnection.h"
#include "ui/machines/consolecolorscheme.h"
#include "ui/machines/consoleinput.h"
#include "ui/machines/emulationfeed.h"
#include "ui/machines/historyoverflow.h"
#include "ui/machines/machinepanel.h"
#include "ui/machines/machinetab.h"
#include "ui/machines/serialconsole.h"
#include "ui/machines/teletypewriter.h"
#include "ui/vnc/framebufferview.h"

#include <QAction>
#include <QApplication>
#include <QBuffer>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolBar>
#include <qtermwidget.h>

#include <algorithm>

using namespace nixtide;

namespace {

// The console's lines as read back from the widget, trailing blanks cut,
// blank lines left out.
QStringList lines(const SerialConsole &console)
{
    QStringList result;
    for (const QString &line : console.text().split(QLatin1Char('\n'))) {
        const QString trimmed = line.trimmed();
        if (!trimmed.isEmpty())
            result.append(trimmed);
    }
    return result;
}

// Counts the paint events a widget gets.
class PaintCounter : public QObject
{
public:
    explicit PaintCounter(QWidget *widget) { widget->installEventFilter(this); }
    int paints = 0;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint)
            ++paints;
        return QObject::eventFilter(watched, event);
    }
};

QString terminalText(QTermWidget &terminal)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    terminal.saveHistory(&buffer);
    return QString::fromUtf8(buffer.data());
}

} // namespace

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
        // A crashed VM does not invite typing: it says why and takes no input.
        QCOMPARE(
            tab.grabLabel()->text(), QStringLiteral("The VM is crashed: Start it to type into it"));
        QVERIFY(!tab.screen()->isInputEnabled());
        QVERIFY(!tab.console()->isInputEnabled());
        tab.setState(QStringLiteral("up"));
        QVERIFY(tab.grabLabel()->text().contains(QStringLiteral("Click")));
        QVERIFY(tab.screen()->isInputEnabled());
        QVERIFY(tab.console()->isInputEnabled());
    }

    void containerTabHasNoScreen()
    {
        MachineTab tab(QStringLiteral("box"));
        tab.resize(600, 400);
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        QVERIFY(tab.screen()->isVisibleTo(&tab));
        QVERIFY(tab.screenshotAction()->isVisible());

        tab.setKind(QStringLiteral("container"));
        QVERIFY(!tab.hasScreen());
        QVERIFY(!tab.screen()->isVisibleTo(&tab));
        QVERIFY(!tab.screenshotAction()->isVisible());
        QVERIFY(!tab.oneToOneAction()->isVisible());
        QVERIFY(tab.console()->isVisibleTo(&tab));
        QVERIFY(tab.crashAction()->toolTip().contains(QStringLiteral("container")));
        // A socket path (from an agent that announced one anyway) opens nothing.
        tab.setVncSocket(QStringLiteral("/nonexistent/vnc.sock"));
        QCOMPARE(tab.vnc()->state(), VncConnection::State::Disconnected);
        // Console, state and the machine actions stay.
        tab.setState(QStringLiteral("up"));
        QVERIFY(tab.shutdownAction()->isEnabled());
        QVERIFY(tab.crashAction()->isEnabled());
        tab.appendSerial("[root@box:~]# ");
        QTRY_VERIFY_WITH_TIMEOUT(
            lines(*tab.console()).contains(QStringLiteral("[root@box:~]#")), 10000);

        tab.setKind(QStringLiteral("vm"));
        QVERIFY(tab.screen()->isVisibleTo(&tab));
        QVERIFY(tab.screenshotAction()->isVisible());
    }

    void serialBytesFindAndKeys()
    {
        SerialConsole console;
        console.resize(700, 300);
        console.show();
        QVERIFY(QTest::qWaitForWindowExposed(&console));
        // Chunks as QEMU wrote them: a line end, an escape sequence and a
        // UTF-8 character split across chunks, a prompt with no newline.
        for (const QByteArray &chunk : {QByteArray("first line\r"), QByteArray("\nsecond \x1b["),
                 QByteArray("1mline\x1b[0m \xc3"), QByteArray("\xa9\r\n[root@server:~]# ")})
            console.appendSerial(chunk);
        const QStringList expected {QStringLiteral("first line"),
            QStringLiteral("second line \u00e9"), QStringLiteral("[root@server:~]#")};
        QTRY_COMPARE_WITH_TIMEOUT(lines(console), expected, 10000);
        QCOMPARE(console.pendingBytes(), 0);
        QVERIFY(console.terminal()->screenColumnsCount() > 80); // fitted to the widget

        // A reboot's firmware resets the terminal, clears it and turns
        // autowrap off, `clear` erases the scrollback: the earlier lines stay
        // (scrolled out), long lines still wrap.
        const int columns = console.terminal()->screenColumnsCount();
        console.appendSerial(QByteArray("\x1b"
                                        "c\x1b[?7l\x1b[2J\x1b[3J\x1b[")); // split sequence
        console.appendSerial(QByteArray("0mSeaBIOS\r\n") + QByteArray(columns + 5, 'x') + "\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(lines(console).contains(QStringLiteral("SeaBIOS")), 10000);
        // The reset homed the cursor: the line starts in the first column.
        QVERIFY(console.text().contains(QRegularExpression(QStringLiteral("(^|\n)SeaBIOS *\n"))));
        QStringList all = lines(console);
        QCOMPARE(all.first(), QStringLiteral("first line"));
        QVERIFY(all.contains(QStringLiteral("[root@server:~]#")));
        // Wrapped, not cut at the right edge (the read-back joins wrapped rows).
        QVERIFY2(all.contains(QString(columns + 5, QLatin1Char('x'))),
            qPrintable(all.join(QLatin1Char('|'))));

        // Ctrl+Shift+F opens QTermWidget's search bar; a match is selected.
        QTest::keyClick(console.keyTarget(), Qt::Key_F, Qt::ControlModifier | Qt::ShiftModifier);
        QLineEdit *find = console.findField();
        QVERIFY(find);
        QVERIFY(find->isVisible());
        QVERIFY(find->hasFocus());
        QTest::keyClicks(find, QStringLiteral("SeaBIOS"));
        QTRY_COMPARE_WITH_TIMEOUT(
            console.terminal()->selectedText(false), QStringLiteral("SeaBIOS"), 5000);
        // ... and copied with Ctrl+Shift+C.
        QApplication::clipboard()->clear();
        QTest::keyClick(console.keyTarget(), Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("SeaBIOS"));
        // A right click on the display offers the same actions.
        QContextMenuEvent rightClick(QContextMenuEvent::Mouse, QPoint(10, 10),
            console.keyTarget()->mapToGlobal(QPoint(10, 10)));
        QApplication::sendEvent(console.keyTarget(), &rightClick);
        auto *menu = console.findChild<QMenu *>();
        QVERIFY(menu);
        QTRY_VERIFY_WITH_TIMEOUT(menu->isVisible(), 5000);
        QStringList entries;
        for (QAction *action : menu->actions())
            entries << action->text()
                    + (action->isEnabled() ? QString() : QStringLiteral(" (off)"));
        QCOMPARE(entries,
            (QStringList {
                QStringLiteral("Copy"), QStringLiteral("Paste"), QStringLiteral("Find")}));
        menu->close();

        // Keys typed into the display come out as the bytes a terminal sends.
        QSignalSpy typed(&console, &SerialConsole::typed);
        console.keyTarget()->setFocus();
        QTest::keyClicks(console.keyTarget(), QStringLiteral("ls"));
        QTest::keyClick(console.keyTarget(), Qt::Key_Return);
        QTest::keyClick(console.keyTarget(), Qt::Key_Up);
        QByteArray sent;
        for (const QList<QVariant> &args : typed)
            sent += args.at(0).toByteArray();
        QCOMPARE(sent, QByteArray("ls\r\x1b[A"));
    }

    void burstIsFedInSlices()
    {
        SerialConsole console;
        console.resize(700, 300);
        console.show();
        QVERIFY(QTest::qWaitForWindowExposed(&console));
        QByteArray burst;
        for (int i = 0; i < 20000; ++i)
            burst += "boot line " + QByteArray::number(i) + "\r\n";
        // The burst goes in over several event-loop turns: other events
        // run while part of it still waits.
        console.appendSerial(burst);
        QCOMPARE(console.pendingBytes(), burst.size());
        QList<qsizetype> waitingBetweenTurns;
        QTimer observer;
        observer.setInterval(0);
        connect(&observer, &QTimer::timeout, &console,
            [&] { waitingBetweenTurns.append(console.pendingBytes()); });
        observer.start();
        QTRY_COMPARE_WITH_TIMEOUT(console.pendingBytes(), 0, 30000);
        observer.stop();
        QVERIFY2(std::any_of(waitingBetweenTurns.begin(), waitingBetweenTurns.end(),
                     [&](qsizetype waiting) { return waiting > 0 && waiting < burst.size(); }),
            qPrintable(QString::number(waitingBetweenTurns.size())));
        QTRY_VERIFY_WITH_TIMEOUT(lines(console).contains(QStringLiteral("boot line 19999")), 10000);
        QVERIFY(lines(console).contains(QStringLiteral("boot line 15000")));
    }

    void linesBeyondHistoryAreSkipped_data()
    {
        // Output = head + skipped + kept. What is fed instead: head, the
        // colours in force, a CR LF for each skipped line end, kept.
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<QByteArray>("skipped");
        QTest::addColumn<QByteArray>("colours");
        QTest::addColumn<QByteArray>("kept");
        // The first line may end a sequence begun earlier: never skipped.
        // Colours since the last reset carry over to the kept lines.
        QTest::newRow("colours") << QByteArray("x\x1b[1mfirst\r\n")
                                 << QByteArray("a\r\n\x1b[31mb\r\n\x1b[0m\x1b[32mc\r\n")
                                 << QByteArray("\x1b[0m\x1b[32m") << QByteArray("d\r\ne\r\nf");
        QTest::newRow("no reset: every colour carries")
            << QByteArray("first\r\n") << QByteArray("\x1b[1ma\r\n\x1b[31mb\r\n")
            << QByteArray("\x1b[1m\x1b[31m") << QByteArray("c\r\nd\r\n");
        QTest::newRow("a reset with more parameters")
            << QByteArray("first\r\n") << QByteArray("\x1b[31ma\r\n\x1b[0;1mb\r\n")
            << QByteArray("\x1b[0;1m") << QByteArray("c\r\nd\r\n");
        QTest::newRow("erase in line is plain")
            << QByteArray("first\r\n") << QByteArray("a\x1b[K\r\nb\r\n") << QByteArray()
            << QByteArray("c\r\nd\r\n");
        // Anything else: what follows depends on the screen or the modes,
        // so only lines after it are skipped.
        QTest::newRow("cursor movement")
            << QByteArray("first\r\na\r\nb\r\n\x1b[H") << QByteArray("c\r\n") << QByteArray()
            << QByteArray("d\r\ne\r\n");
        QTest::newRow("private mode (bracketed paste off)")
            << QByteArray("first\r\na\r\nb\r\n\x1b[?2004l") << QByteArray("c\r\n") << QByteArray()
            << QByteArray("d\r\ne\r\n");
        QTest::newRow("cursor restore (ESC 8)")
            << QByteArray("first\r\na\r\nb\r\n\x1b"
                          "8")
            << QByteArray("c\r\n") << QByteArray() << QByteArray("d\r\ne\r\n");
        QTest::newRow("character set (ESC ( B)")
            << QByteArray("first\r\na\r\nb\r\n\x1b(B") << QByteArray("c\r\n") << QByteArray()
            << QByteArray("d\r\ne\r\n");
        QTest::newRow("title ended by BEL")
            << QByteArray("first\r\na\r\nb\r\nc\x1b]0;t\x07") << QByteArray("x\r\n") << QByteArray()
            << QByteArray("d\r\ne\r\n");
        QTest::newRow("title ended by ST")
            << QByteArray("first\r\na\r\nb\r\nc\x1b]0;t\x1b\\") << QByteArray("x\r\n")
            << QByteArray() << QByteArray("d\r\ne\r\n");
        // Controls within a sequence are carried out and it goes on.
        QTest::newRow("line end within a sequence")
            << QByteArray("first\r\na\r\n\x1b[3\r\n1m") << QByteArray("c\r\n") << QByteArray()
            << QByteArray("d\r\ne\r\n");
        // ESC drops a sequence: the next one counts.
        QTest::newRow("sequence dropped by the next")
            << QByteArray("first\r\na\r\n\x1b[3") << QByteArray("\x1b[31mc\r\n")
            << QByteArray("\x1b[31m") << QByteArray("d\r\ne\r\n");
        QTest::newRow("more skipped lines than any screen has rows")
            << QByteArray("first\r\n") << QByteArray("x\r\n").repeated(1100) << QByteArray()
            << QByteArray("d\r\ne\r\n");
        // A bare LF keeps the column: the next line depends on this one.
        QTest::newRow("bare LF") << QByteArray("first\r\na\n") << QByteArray("b\r\n")
                                 << QByteArray() << QByteArray("c\r\nd\r\n");
        // Nothing to skip.
        QTest::newRow("C1 control in UTF-8") << QByteArray("first\r\na\r\nb\r\n\xc2\x9b"
                                                           "c\r\nd\r\n")
                                             << QByteArray() << QByteArray() << QByteArray();
        QTest::newRow("sequence cut off at the end")
            << QByteArray("first\r\na\r\nb\r\nc\r\nd\r\n\x1b[3") << QByteArray() << QByteArray()
            << QByteArray();
        QTest::newRow("title not ended yet")
            << QByteArray("first\r\na\r\n\x1b]0;ti\r\nc\r\nd\r\ne\r\n") << QByteArray()
            << QByteArray() << QByteArray();
        QTest::newRow("few lines")
            << QByteArray("first\r\na\r\nb\r\n") << QByteArray() << QByteArray() << QByteArray();
    }

    void linesBeyondHistoryAreSkipped()
    {
        QFETCH(QByteArray, head);
        QFETCH(QByteArray, skipped);
        QFETCH(QByteArray, colours);
        QFETCH(QByteArray, kept);
        const QByteArray pending = head + skipped + kept;
        const HistoryOverflow overflow = skipLinesBeyondHistory(pending, 2);
        QByteArray fed = pending;
        if (!skipped.isEmpty())
            fed = head + colours
                + QByteArray("\r\n").repeated(std::min(skipped.count('\n'), kSkipRowsMargin))
                + kept;
        QCOMPARE(overflow.bytes, fed);
        QCOMPARE(overflow.skipped, skipped.size());
    }

    void outputThatIsNeverPlainIsNotScannedAtEveryWrite()
    {
        QTermWidget terminal(0);
        terminal.startTerminalTeletype();
        const std::unique_ptr<EmulationFeed> feed = EmulationFeed::attach(&terminal);
        QVERIFY(feed);
        feed->setKeptLines(10000 + kSkipRowsMargin);
        // A cursor movement every hundred lines: nothing can be skipped.
        QByteArray chunk;
        for (int i = 0; chunk.size() < 64 * 1024; ++i)
            chunk += (i % 100 == 0 ? "\x1b[A" : "") + QByteArray("progress line\r\n");
        qsizetype written = 0;
        while (written < 64 * 1024 * 1024) {
            feed->write(chunk);
            written += chunk.size();
        }
        QCOMPARE(feed->skippedBytes(), 0);
        // Looked through about each time what waits doubled, not at each of
        // the 1024 writes.
        QVERIFY2(feed->skipChecks() <= 6, qPrintable(QString::number(feed->skipChecks())));
        QVERIFY(feed->skipChecks() >= 1);
    }

    void outputPastTheLimitIsDroppedWithANote()
    {
        QTermWidget terminal(0);
        // Room for all that is kept (a QTermWidget keeps 1000 lines).
        terminal.setHistorySize(20000);
        terminal.startTerminalTeletype();
        const std::unique_ptr<EmulationFeed> feed = EmulationFeed::attach(&terminal);
        QVERIFY(feed);
        feed->setKeptLines(10000 + kSkipRowsMargin);
        constexpr qsizetype kLimit = 256 * 1024;
        feed->setOverflowLimit(kLimit, QStringLiteral("[%1 not shown]"));
        // Modes in force that the output then sets back in bytes that are
        // dropped: autowrap off on the main screen, the alternate screen, a
        // scroll region, line drawing shifted in, and a title not ended.
        // Left in force, the kept lines would never reach the history (or
        // as text), and the last line would be cut at the right edge.
        feed->write("\x1b[?7l\x1b[?47h\x1b[5;10r\x1b)0\x0e\x1b[?25l\x1b]0;half a title");
        QTRY_COMPARE(feed->pendingBytes(), 0);
        const QByteArray resets = "\x07\x0f\x1b[r\x1b[?47l\x1b[?7h";
        feed->write(resets);
        constexpr int kLines = 200000;
        QByteArray chunk;
        qsizetype written = 0;
        for (int i = 0; i < kLines; ++i) {
            chunk += (i % 100 == 0 ? "\x1b[?25h" : "") + QByteArray("progress line ")
                + QByteArray::number(i) + "\r\n";
            if (chunk.size() >= 16 * 1024 || i == kLines - 1) {
                feed->write(chunk);
                written += chunk.size();
                QVERIFY2(feed->pendingBytes() <= kLimit + chunk.size(),
                    qPrintable(QString::number(feed->pendingBytes())));
                chunk.clear();
            }
        }
        written += resets.size();
        const QByteArray longLine = "last " + QByteArray(300, 'x');
        feed->write(longLine);
        written += longLine.size();
        QVERIFY(feed->droppedBytes() >= written - kLimit);
        QTRY_COMPARE_WITH_TIMEOUT(feed->pendingBytes(), 0, 60000);
        const QString text = terminalText(terminal);
        QVERIFY2(!text.contains(QChar(0x2592)), "a checker board was drawn");
        QVERIFY(QString(text).remove(QLatin1Char('\n')).contains(QString::fromLatin1(longLine)));

        const QStringList shown = terminalText(terminal).split(QLatin1Char('\n'));
        QStringList notes;
        qsizetype after = -1;
        for (qsizetype i = 0; i < shown.size(); ++i) {
            if (shown[i].contains(QStringLiteral("not shown]"))) {
                notes.append(shown[i].trimmed());
                after = i + 1;
            }
        }
        // Earlier notes went with the next drop: nothing had shown them.
        QCOMPARE(notes.size(), 1);
        // What follows the note starts at a whole line and runs, in order
        // and complete, to the last line written.
        QStringList kept;
        for (qsizetype i = after; i < shown.size(); ++i) {
            if (!shown[i].trimmed().isEmpty())
                kept.append(shown[i].trimmed());
        }
        QVERIFY(kept.size() > 1000);
        // The long last line, wrapped or not.
        kept.removeIf([](const QString &line) { return line.startsWith(u'x'); });
        QVERIFY(kept.last().startsWith(QStringLiteral("last ")));
        kept.removeLast();
        const int first = kLines - int(kept.size());
        qsizetype keptBytes = longLine.size();
        for (qsizetype i = 0; i < kept.size(); ++i) {
            QCOMPARE(kept[i], QStringLiteral("progress line %1").arg(first + i));
            keptBytes += ((first + i) % 100 == 0 ? 6 : 0) + kept[i].size() + 2;
        }
        // The one note shown counts all output not shown, the bytes of the
        // notes that went unseen left out.
        QCOMPARE(feed->droppedBytes(), written - keptBytes);
        QCOMPARE(notes.first(),
            QStringLiteral("[%1 MiB not shown]")
                .arg(double(written - keptBytes) / (1024 * 1024), 0, 'f', 1));
    }

    // A note that went in resets the count: the next note counts only what
    // was dropped after it, and both stay on the terminal.
    void eachNoteShownCountsOnlyWhatCameAfterThePrevious()
    {
        QTermWidget terminal(0);
        terminal.setHistorySize(20000);
        terminal.startTerminalTeletype();
        const std::unique_ptr<EmulationFeed> feed = EmulationFeed::attach(&terminal);
        QVERIFY(feed);
        constexpr qsizetype kLimit = 64 * 1024;
        feed->setOverflowLimit(kLimit, QStringLiteral("[%1 not shown]"));
        // Each burst drops more than once before anything is fed: the notes
        // of the earlier drops go unseen, and their counts with the last.
        const auto burst = [&feed](const QByteArray &tag) {
            for (int i = 0; i < 15000; ++i)
                feed->write(tag + QByteArray::number(i) + "\r\n");
        };
        burst("first ");
        const qsizetype firstDrop = feed->droppedBytes();
        QVERIFY(firstDrop > 0);
        QTRY_COMPARE_WITH_TIMEOUT(feed->pendingBytes(), 0, 60000);
        burst("second ");
        const qsizetype secondDrop = feed->droppedBytes() - firstDrop;
        QVERIFY(secondDrop > 0);
        QTRY_COMPARE_WITH_TIMEOUT(feed->pendingBytes(), 0, 60000);

        QStringList notes;
        for (const QString &line : terminalText(terminal).split(QLatin1Char('\n'))) {
            if (line.contains(QStringLiteral("not shown]")))
                notes.append(line.trimmed());
        }
        const auto kib = [](qsizetype bytes) {
            return QStringLiteral("[%1 KiB not shown]").arg((bytes + 1023) / 1024);
        };
        QCOMPARE(notes, QStringList({kib(firstDrop), kib(secondDrop)}));
    }

    // Plain lines after a drop may be skipped while the note waits; the
    // note still goes in (beyond the history, as everything before skipped
    // lines is) and resets the count: the next note counts only the next
    // drop. (What is kept after the note here starts with modes, which
    // keep the skip off the note by themselves: this does not show that
    // the note's own line would.)
    void aNoteBeforeSkippedLinesStillResetsTheCount()
    {
        QTermWidget terminal(0);
        terminal.setHistorySize(1000);
        terminal.startTerminalTeletype();
        const std::unique_ptr<EmulationFeed> feed = EmulationFeed::attach(&terminal);
        QVERIFY(feed);
        feed->setKeptLines(1000 + kSkipRowsMargin);
        constexpr qsizetype kLimit = 3 * 1024 * 1024;
        feed->setOverflowLimit(kLimit, QStringLiteral("[%1 not shown]"));
        // Output that cannot be skipped and draws nothing: modes, no line end.
        QByteArray modes;
        for (int i = 0; i < 10000; ++i)
            modes += "\x1b[?25h";
        while (feed->droppedBytes() == 0)
            feed->write(modes);
        const qsizetype firstDrop = feed->droppedBytes();
        for (int n = 0; feed->skippedBytes() == 0; ++n) {
            QVERIFY(n < 1000000);
            feed->write("plain line " + QByteArray::number(n) + "\r\n");
        }
        QCOMPARE(feed->droppedBytes(), firstDrop);
        QTRY_COMPARE_WITH_TIMEOUT(feed->pendingBytes(), 0, 60000);

        while (feed->droppedBytes() == firstDrop)
            feed->write(modes);
        const qsizetype secondDrop = feed->droppedBytes() - firstDrop;
        feed->write("the end\r\n");
        QTRY_COMPARE_WITH_TIMEOUT(feed->pendingBytes(), 0, 60000);
        QStringList notes;
        for (const QString &line : terminalText(terminal).split(QLatin1Char('\n'))) {
            if (line.contains(QStringLiteral("not shown]")))
                notes.append(line.trimmed());
        }
        QCOMPARE(notes,
            QStringList(QStringLiteral("[%1 MiB not shown]")
                    .arg(double(secondDrop) / (1024 * 1024), 0, 'f', 1)));
    }

    void serialConsoleKeepsWhatWaitsBounded()
    {
        SerialConsole console;
        QByteArray chunk;
        for (int i = 0; chunk.size() < 64 * 1024; ++i)
            chunk += (i % 100 == 0 ? "\x1b[A" : "") + QByteArray("progress line\r\n");
        qsizetype most = 0;
        for (qsizetype written = 0; written < 96 * 1024 * 1024; written += chunk.size()) {
            console.appendSerial(chunk);
            most = std::max(most, console.pendingBytes());
        }
        QVERIFY(console.droppedBytes() > 0);
        // The limit (32 MiB) and at most one chunk and a note over it.
        QVERIFY2(most <= 32 * 1024 * 1024 + chunk.size() + 1024, qPrintable(QString::number(most)));
    }

    void outrunOutputShowsWhatFeedingEveryByteWould()
    {
        // A flood: coloured boot lines, a cursor movement, more lines, then
        // red that is not reset before the last sixty thousand lines.
        QByteArray burst;
        for (int i = 0; i < 20000; ++i) {
            if (i == 100)
                burst += "\x1b[2;1H";
            if (i % 7 == 0)
                burst += "[  \x1b[0;32mOK\x1b[0m  ] Started unit " + QByteArray::number(i)
                    + ".service\r\n";
            else
                burst += "[    " + QByteArray::number(i)
                    + "] virtio_net virtio1 eth1: renamed from eth0, link up at 1000 Mbps full "
                      "duplex\r\n";
        }
        burst += "\x1b[1;31m";
        for (int i = 20000; i < 80000; ++i)
            burst
                += "[    " + QByteArray::number(i) + "] still red, after a colour set long ago\r\n";
        burst += "last line, no end";
        constexpr qsizetype kChunk = 64 * 1024;

        SerialConsole flooded;
        SerialConsole paced;
        for (SerialConsole *console : {&flooded, &paced}) {
            console->terminal()->setBlinkingCursor(false);
            console->resize(700, 300);
            console->show();
            QVERIFY(QTest::qWaitForWindowExposed(console));
        }
        // All of it at once, as events bring it when the GUI is busy.
        for (qsizetype at = 0; at < burst.size(); at += kChunk)
            flooded.appendSerial(burst.mid(at, kChunk));
        // One chunk at a time, each taken before the next: never enough
        // waits to skip anything.
        for (qsizetype at = 0; at < burst.size(); at += kChunk) {
            paced.appendSerial(burst.mid(at, kChunk));
            QTRY_COMPARE_WITH_TIMEOUT(paced.pendingBytes(), 0, 60000);
        }
        QTRY_COMPARE_WITH_TIMEOUT(flooded.pendingBytes(), 0, 60000);
        QCOMPARE(paced.skippedBytes(), 0);
        QVERIFY2(flooded.skippedBytes() > burst.size() / 3,
            qPrintable(QStringLiteral("%1 of %2 bytes skipped")
                    .arg(flooded.skippedBytes())
                    .arg(burst.size())));
        // The same history and screen, text and colours.
        QCOMPARE(flooded.text(), paced.text());
        QVERIFY(flooded.text().contains(QStringLiteral("[    79999] still red")));
        // Pictures of the screens, each taken with the keyboard focus (the
        // cursor is hollow without it).
        const auto picture = [](SerialConsole &console) {
            console.activateWindow();
            if (!QTest::qWaitForWindowActive(&console))
                return QImage();
            console.keyTarget()->setFocus();
            if (!console.keyTarget()->hasFocus())
                return QImage();
            return console.keyTarget()->grab().toImage();
        };
        QVERIFY(!picture(paced).isNull());
        QTRY_COMPARE_WITH_TIMEOUT(picture(flooded), picture(paced), 10000);
        // And without the red carried over, the screens would differ.
        SerialConsole uncoloured;
        uncoloured.terminal()->setBlinkingCursor(false);
        uncoloured.resize(700, 300);
        uncoloured.show();
        QVERIFY(QTest::qWaitForWindowExposed(&uncoloured));
        uncoloured.appendSerial(burst.sliced(burst.lastIndexOf("\x1b[1;31m") + 7));
        QTRY_COMPARE_WITH_TIMEOUT(uncoloured.pendingBytes(), 0, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(
            lines(uncoloured).last() == QStringLiteral("last line, no end"), 10000);
        const QImage pacedPicture = picture(paced);
        QVERIFY(picture(uncoloured) != pacedPicture);
    }

    void burstPaintsAtACappedRate()
    {
        SerialConsole console;
        console.resize(700, 300);
        console.show();
        QVERIFY(QTest::qWaitForWindowExposed(&console));
        QWidget *display = console.keyTarget();
        PaintCounter counter(display);
        QByteArray burst;
        for (int i = 0; burst.size() < 6 * 1024 * 1024; ++i)
            burst += "[    " + QByteArray::number(i) + "] virtio_net virtio1 eth1: link up\r\n";
        // Paints until the last slice went into the emulation.
        int paintsInBurst = 0;
        qint64 elapsed = 0;
        QElapsedTimer clock;
        connect(console.terminal(), &QTermWidget::receivedData, &console, [&] {
            paintsInBurst = counter.paints;
            elapsed = clock.elapsed();
        });
        clock.start();
        console.appendSerial(burst);
        QTRY_COMPARE_WITH_TIMEOUT(console.pendingBytes(), 0, 120000);
        // QTermWidget alone paints every 40 ms while bytes arrive; held, the
        // display paints every 200 ms (timers may fire 5 % early).
        QVERIFY2(paintsInBurst <= elapsed / 150 + 3,
            qPrintable(QStringLiteral("%1 paints in %2 ms").arg(paintsInBurst).arg(elapsed)));
        // The end of the burst is painted, and the display paints freely again.
        QTRY_VERIFY_WITH_TIMEOUT(counter.paints > paintsInBurst, 10000);
        QVERIFY(display->updatesEnabled());
        // A prompt after it paints at once, without holding the display.
        const int paintsBeforePrompt = counter.paints;
        console.appendSerial("login: ");
        QTRY_VERIFY_WITH_TIMEOUT(counter.paints > paintsBeforePrompt, 10000);
        QVERIFY(display->updatesEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(lines(console).last() == QStringLiteral("login:"), 10000);
    }

    void bytesGoStraightIntoTheEmulation()
    {
        // With this QTermWidget the console skips the pty (see
        // EmulationFeed): if a new version hides the session's block
        // receiver, the console falls back to the pty, at about a third more CPU time.
        QTermWidget terminal(0);
        terminal.startTerminalTeletype();
        const std::unique_ptr<EmulationFeed> feed = EmulationFeed::attach(&terminal);
        QVERIFY(feed);
        QSignalSpy received(&terminal, &QTermWidget::receivedData);
        // A UTF-8 character split across writes.
        feed->write("caf\xc3");
        feed->write("\xa9 ok\r\n");
        QTRY_COMPARE_WITH_TIMEOUT(feed->pendingBytes(), 0, 10000);
        QCOMPARE(received.count(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(
            terminalText(terminal).contains(QStringLiteral("caf\u00e9 ok")), 10000);
    }

    void ptyFallbackWaitsItsTurn()
    {
        QTermWidget terminal(0);
        terminal.resize(700, 300);
        terminal.show();
        QVERIFY(QTest::qWaitForWindowExposed(&terminal));
        terminal.startTerminalTeletype();
        TeletypeWriter writer(terminal.getPtySlaveFd());
        QByteArray burst;
        for (int i = 0; i < 20000; ++i)
            burst += "boot line " + QByteArray::number(i) + "\n";
        // The pty takes a few kilobytes; the rest waits instead of blocking
        // the GUI thread that must drain it.
        writer.write(burst);
        QVERIFY(writer.pendingBytes() > 0);
        QTRY_COMPARE_WITH_TIMEOUT(writer.pendingBytes(), 0, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(
            terminalText(terminal).contains(QStringLiteral("boot line 19999")), 10000);
    }

    void coloursFollowThePalette()
    {
        QPalette dark;
        dark.setColor(QPalette::Base, QColor(0x10, 0x20, 0x30));
        dark.setColor(QPalette::Text, QColor(0xf0, 0xe0, 0xd0));
        const QString path = consoleColorSchemeFile(dark);
        QVERIFY(path.endsWith(QStringLiteral("nixtide-102030-f0e0d0.colorscheme")));
        QFile scheme(path);
        QVERIFY(scheme.open(QIODevice::ReadOnly));
        const QByteArray text = scheme.readAll();
        QVERIFY(text.contains("[Background]\nColor=16,32,48\n"));
        QVERIFY(text.contains("[Foreground]\nColor=240,224,208\n"));

        // The console's own background is the palette's base colour.
        SerialConsole console;
        console.setPalette(dark);
        console.resize(400, 200);
        console.show();
        QVERIFY(QTest::qWaitForWindowExposed(&console));
        const QImage shot = console.keyTarget()->grab().toImage();
        QCOMPARE(shot.pixelColor(shot.width() / 2, shot.height() - 3), QColor(0x10, 0x20, 0x30));
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
