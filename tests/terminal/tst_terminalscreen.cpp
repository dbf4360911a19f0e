#include "core/terminal/terminalscreen.h"

#include <QSignalSpy>
#include <QTest>

using nixtide::TerminalCell;
using nixtide::TerminalScreen;

class TestTerminalScreen : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // The suite runs twice: against bookworm's libvterm 0.1 and against 0.3
    // (tests/terminal/vterm03.cmake). Make sure each build really uses the
    // library it claims to, at compile time and at run time.
    void builtAgainstTheExpectedLibvterm()
    {
        QCOMPARE(TerminalScreen::libvtermMinorVersion(), NIXTIDE_EXPECT_VTERM_MINOR);
    }

    void textLandsInCells()
    {
        TerminalScreen screen(24, 80);
        screen.feed("hello");
        QCOMPARE(screen.cell(0, 0).text(), QStringLiteral("h"));
        QCOMPARE(screen.cell(0, 4).text(), QStringLiteral("o"));
        QCOMPARE(screen.lineText(0), QStringLiteral("hello"));
        QCOMPARE(screen.cursor(), QPoint(5, 0));
    }

    void basicSgrColours()
    {
        TerminalScreen screen(24, 80);
        screen.feed("a\x1b[31mR\x1b[0mb\x1b[1;4;7mX\x1b[0m");
        const TerminalCell plain = screen.cell(0, 0);
        const TerminalCell red = screen.cell(0, 1);
        QVERIFY(plain.has(TerminalCell::DefaultFg));
        QVERIFY(!red.has(TerminalCell::DefaultFg));
        // Palette red: strong red, little green and blue.
        QVERIFY2(qRed(red.fg) > 150 && qGreen(red.fg) < 80 && qBlue(red.fg) < 80,
            qPrintable(QString::number(red.fg, 16)));
        QCOMPARE(screen.cell(0, 2).fg, plain.fg);
        const TerminalCell styled = screen.cell(0, 3);
        QVERIFY(styled.bold());
        QVERIFY(styled.underline());
        QVERIFY(styled.reverse());
        QVERIFY(!screen.cell(0, 2).bold());
    }

    void indexedAndTrueColour()
    {
        TerminalScreen screen(24, 80);
        // 38;5;196 is xterm's cube red (255,0,0); 48;5;21 cube blue (0,0,255).
        screen.feed("\x1b[38;5;196mA\x1b[48;5;21mB\x1b[0m\x1b[38;2;10;200;30mC");
        QCOMPARE(screen.cell(0, 0).fg, qRgb(255, 0, 0));
        QCOMPARE(screen.cell(0, 1).bg, qRgb(0, 0, 255));
        QVERIFY(screen.cell(0, 0).has(TerminalCell::DefaultBg));
        QCOMPARE(screen.cell(0, 2).fg, qRgb(10, 200, 30));
        // 256-colour greyscale ramp (232..255): grey, getting brighter.
        screen.feed("\x1b[38;5;240mD\x1b[38;5;250mE");
        const QRgb dark = screen.cell(0, 3).fg;
        const QRgb light = screen.cell(0, 4).fg;
        QVERIFY(qRed(dark) == qGreen(dark) && qGreen(dark) == qBlue(dark));
        QVERIFY(qRed(light) == qBlue(light));
        QVERIFY(qRed(light) > qRed(dark) + 50);
    }

    void cursorPositioning()
    {
        TerminalScreen screen(24, 80);
        QSignalSpy moved(&screen, &TerminalScreen::cursorMoved);
        screen.feed("\x1b[5;10HZ");
        QCOMPARE(screen.cell(4, 9).text(), QStringLiteral("Z"));
        QCOMPARE(screen.cursor(), QPoint(10, 4));
        QCOMPARE(moved.count(), 1);
        screen.feed("\x1b[H\x1b[2BQ");
        QCOMPARE(screen.cell(2, 0).text(), QStringLiteral("Q"));
    }

    void lineWrap()
    {
        TerminalScreen screen(5, 10);
        screen.feed("0123456789ABC");
        QCOMPARE(screen.lineText(0), QStringLiteral("0123456789"));
        QCOMPARE(screen.lineText(1), QStringLiteral("ABC"));
        QCOMPARE(screen.cursor(), QPoint(3, 1));
    }

    void damageIsCoalescedPerFeed()
    {
        TerminalScreen screen(24, 80);
        QSignalSpy damaged(&screen, &TerminalScreen::damaged);
        screen.feed("\x1b[3;1Hx\x1b[7;1Hy");
        QCOMPARE(damaged.count(), 1);
        QVERIFY(damaged.at(0).at(0).toInt() <= 2);
        QVERIFY(damaged.at(0).at(1).toInt() >= 6);
        QVERIFY(damaged.at(0).at(1).toInt() < 24);
    }

    void scrollbackReceivesScrolledLines()
    {
        TerminalScreen screen(5, 20);
        QSignalSpy sb(&screen, &TerminalScreen::scrollbackChanged);
        for (int i = 0; i < 8; ++i)
            screen.feed(QByteArray("line ") + QByteArray::number(i) + "\r\n");
        // 8 lines + the empty cursor line on 5 rows: 4 went to history.
        QCOMPARE(screen.scrollbackLines(), 4);
        QCOMPARE(screen.lineText(-4), QStringLiteral("line 0"));
        QCOMPARE(screen.lineText(-1), QStringLiteral("line 3"));
        QCOMPARE(screen.lineText(0), QStringLiteral("line 4"));
        int total = 0;
        for (const auto &args : sb)
            total += args.at(0).toInt();
        QCOMPARE(total, 4);
    }

    void scrollbackHoldsTenThousandLines()
    {
        TerminalScreen screen(25, 80);
        QVERIFY(screen.scrollbackCapacity() >= 10000);
        QByteArray chunk;
        for (int i = 0; i < 12000; ++i)
            chunk += "serial " + QByteArray::number(i) + "\r\n";
        screen.feed(chunk);
        QCOMPARE(screen.scrollbackLines(), screen.scrollbackCapacity());
        // 12000 lines + cursor line on 25 rows: line 11976 is the top row.
        QCOMPARE(screen.lineText(0), QStringLiteral("serial 11976"));
        QCOMPARE(screen.lineText(-1), QStringLiteral("serial 11975"));
        const int oldest = 11976 - screen.scrollbackCapacity();
        QCOMPARE(
            screen.lineText(-screen.scrollbackLines()), QStringLiteral("serial %1").arg(oldest));
    }

    void coloursSurviveScrollback()
    {
        TerminalScreen screen(3, 20);
        screen.feed("\x1b[32mgreen\x1b[0m\r\n\r\n\r\n\r\n");
        QCOMPARE(screen.lineText(-2), QStringLiteral("green"));
        const TerminalCell g = screen.cell(-2, 0);
        QVERIFY(!g.has(TerminalCell::DefaultFg));
        QVERIFY(qGreen(g.fg) > 100 && qRed(g.fg) < 80);
    }

    void growingPopsScrollbackBack()
    {
        TerminalScreen screen(3, 20);
        screen.feed("a\r\nb\r\nc\r\nd\r\ne");
        QCOMPARE(screen.scrollbackLines(), 2);
        screen.resize(5, 20);
        QCOMPARE(screen.scrollbackLines(), 0);
        QCOMPARE(screen.lineText(0), QStringLiteral("a"));
        QCOMPARE(screen.lineText(4), QStringLiteral("e"));
    }

    void keyboardInputBytes()
    {
        TerminalScreen screen(24, 80);
        QSignalSpy out(&screen, &TerminalScreen::outputReady);
        auto lastBytes = [&] { return out.takeLast().at(0).toByteArray(); };
        screen.sendKey(Qt::Key_A, Qt::NoModifier, QStringLiteral("a"));
        QCOMPARE(lastBytes(), QByteArray("a"));
        screen.sendKey(Qt::Key_A, Qt::ShiftModifier, QStringLiteral("A"));
        QCOMPARE(lastBytes(), QByteArray("A"));
        screen.sendKey(Qt::Key_C, Qt::ControlModifier, QString());
        QCOMPARE(lastBytes(), QByteArray("\x03"));
        screen.sendKey(Qt::Key_Return, Qt::NoModifier, QStringLiteral("\r"));
        QCOMPARE(lastBytes(), QByteArray("\r"));
        screen.sendKey(Qt::Key_Up, Qt::NoModifier);
        QCOMPARE(lastBytes(), QByteArray("\x1b[A"));
        screen.sendKey(Qt::Key_Backspace, Qt::NoModifier);
        QCOMPARE(lastBytes(), QByteArray("\x7f"));
        screen.sendKey(Qt::Key_F1, Qt::NoModifier);
        QCOMPARE(lastBytes(), QByteArray("\x1bOP"));
        screen.sendKey(Qt::Key_X, Qt::AltModifier, QStringLiteral("x"));
        QCOMPARE(lastBytes(), QByteArray("\x1bx"));
        screen.sendKey(Qt::Key_unknown, Qt::NoModifier, QStringLiteral("é"));
        QCOMPARE(lastBytes(), QByteArray("\xc3\xa9"));
        // Application cursor keys (DECCKM), as full-screen programs set.
        screen.feed("\x1b[?1h");
        screen.sendKey(Qt::Key_Up, Qt::NoModifier);
        QCOMPARE(lastBytes(), QByteArray("\x1bOA"));
    }

    void answersCursorPositionReport()
    {
        TerminalScreen screen(24, 80);
        QSignalSpy out(&screen, &TerminalScreen::outputReady);
        screen.feed("\x1b[3;7H\x1b[6n");
        QCOMPARE(out.count(), 1);
        QCOMPARE(out.at(0).at(0).toByteArray(), QByteArray("\x1b[3;7R"));
    }

    void pasteIsBracketedWhenAsked()
    {
        TerminalScreen screen(24, 80);
        QSignalSpy out(&screen, &TerminalScreen::outputReady);
        screen.sendText(QStringLiteral("ls\nrm"));
        QCOMPARE(out.takeLast().at(0).toByteArray(), QByteArray("ls\rrm"));
        screen.feed("\x1b[?2004h");
        screen.sendText(QStringLiteral("x"));
        QCOMPARE(out.takeLast().at(0).toByteArray(), QByteArray("\x1b[200~x\x1b[201~"));
    }

    void selectionText()
    {
        TerminalScreen screen(4, 20);
        screen.feed("first line\r\nsecond line\r\nthird\r\nfourth\r\nfifth");
        // "first line" is now scrollback row -1.
        QCOMPARE(screen.text(QPoint(6, -1), QPoint(5, 0)), QStringLiteral("line\nsecond"));
        QCOMPARE(screen.text(QPoint(5, 0), QPoint(6, -1)), QStringLiteral("line\nsecond"));
        QCOMPARE(screen.text(QPoint(0, 1), QPoint(19, 1)), QStringLiteral("third"));
    }

    void searchForwardAndBackward()
    {
        TerminalScreen screen(4, 30);
        screen.feed("alpha error one\r\nbeta\r\ngamma ERROR two\r\ndelta\r\nepsilon error");
        const auto first
            = screen.find(QStringLiteral("error"), QPoint(-1, -screen.scrollbackLines()));
        QVERIFY(first);
        QCOMPARE(first->row, -1);
        QCOMPARE(first->column, 6);
        QCOMPARE(first->length, 5);
        const auto second = screen.find(QStringLiteral("error"), QPoint(first->column, first->row));
        QVERIFY(second);
        QCOMPARE(second->row, 1);
        QCOMPARE(second->column, 6);
        const auto back = screen.find(QStringLiteral("error"), QPoint(0, 3), true);
        QVERIFY(back);
        QCOMPARE(back->row, 1);
        QVERIFY(!screen.find(QStringLiteral("ERROR"), QPoint(7, 1), false, Qt::CaseSensitive));
        QVERIFY(!screen.find(QStringLiteral("absent"), QPoint(0, -1)));
    }

    void titleFromOsc()
    {
        TerminalScreen screen(24, 80);
        QSignalSpy title(&screen, &TerminalScreen::titleChanged);
        screen.feed("\x1b]2;machine1\x07");
        QCOMPARE(title.count(), 1);
        QCOMPARE(screen.title(), QStringLiteral("machine1"));
    }
};

QTEST_GUILESS_MAIN(TestTerminalScreen)
#include "tst_terminalscreen.moc"
