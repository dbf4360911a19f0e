#include "core/terminal/terminalscreen.h"
#include "ui/terminal/terminalview.h"

#include <QApplication>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>

using nixtide::TerminalScreen;
using nixtide::TerminalView;

class TestTerminalView : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void paintsCellColours()
    {
        TerminalScreen screen(10, 40);
        TerminalView view;
        view.setScreen(&screen);
        view.resize(view.sizeHint());
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        screen.feed("ab\x1b[41m   \x1b[0m\x1b[42;30mgreen\x1b[0m");
        QApplication::processEvents();
        const QImage image = view.viewport()->grab().toImage();
        const QSize cell = view.cellSize();
        // Middle of cell (row 0, column 3): red background.
        const QColor red = image.pixelColor(3 * cell.width() + cell.width() / 2, cell.height() / 2);
        QVERIFY2(red.red() > 150 && red.green() < 80 && red.blue() < 80, qPrintable(red.name()));
        // Column 0 has the default background.
        const QColor plain = image.pixelColor(1, cell.height() - 1);
        QCOMPARE(plain, screen.defaultBackground());
        // The green run has green pixels (background) and black ones (text).
        bool green = false;
        bool ink = false;
        for (int x = 5 * cell.width(); x < 10 * cell.width(); ++x) {
            for (int y = 0; y < cell.height(); ++y) {
                const QColor c = image.pixelColor(x, y);
                green |= c.green() > 120 && c.red() < 80;
                ink |= c.lightness() < 40;
            }
        }
        QVERIFY(green);
        QVERIFY(ink);
    }

    void keysBecomeOutputBytes()
    {
        TerminalScreen screen(10, 40);
        TerminalView view;
        view.setScreen(&screen);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setFocus();
        QSignalSpy out(&screen, &TerminalScreen::outputReady);
        QTest::keyClicks(&view, QStringLiteral("ls"));
        QTest::keyClick(&view, Qt::Key_Return);
        QTest::keyClick(&view, Qt::Key_C, Qt::ControlModifier);
        QTest::keyClick(&view, Qt::Key_Tab);
        QByteArray all;
        for (const auto &args : out)
            all += args.at(0).toByteArray();
        QCOMPARE(all, QByteArray("ls\r\x03\t"));
    }

    void scrollbackAndSelection()
    {
        TerminalScreen screen(5, 30);
        TerminalView view;
        view.setScreen(&screen);
        view.resize(view.sizeHint());
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        for (int i = 0; i < 50; ++i)
            screen.feed("row " + QByteArray::number(i) + "\r\n");
        QCOMPARE(view.verticalScrollBar()->minimum(), -screen.scrollbackLines());
        QCOMPARE(view.topRow(), 0);
        // Wheel up moves into history.
        QWheelEvent wheel(QPointF(10, 10), view.viewport()->mapToGlobal(QPointF(10, 10)), QPoint(),
            QPoint(0, 120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(view.viewport(), &wheel);
        QVERIFY(view.topRow() < 0);
        // New output while reading history keeps the same lines in view.
        const int top = view.topRow();
        const QString topLine = screen.lineText(top);
        screen.feed("more\r\n");
        QCOMPARE(screen.lineText(view.topRow()), topLine);
        QCOMPARE(view.topRow(), top - 1);

        // Drag-select the first two cells of the top visible row and the next.
        const QSize cell = view.cellSize();
        QTest::mousePress(view.viewport(), Qt::LeftButton, {}, QPoint(1, cell.height() / 2));
        QTest::mouseMove(
            view.viewport(), QPoint(2 * cell.width() + 1, cell.height() + cell.height() / 2));
        QTest::mouseRelease(view.viewport(), Qt::LeftButton, {},
            QPoint(2 * cell.width() + 1, cell.height() + cell.height() / 2));
        QVERIFY(view.hasSelection());
        QCOMPARE(view.selectedText(),
            topLine + QStringLiteral("\n") + screen.lineText(view.topRow() + 1).left(3));

        QVERIFY(view.findNext(QStringLiteral("row 7")));
        QCOMPARE(view.selectedText(), QStringLiteral("row 7"));
        QVERIFY(view.topRow() <= -1);
        QVERIFY(!view.findNext(QStringLiteral("nowhere")));
    }
};

QTEST_MAIN(TestTerminalView)
#include "tst_terminalview.moc"
