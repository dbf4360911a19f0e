// The run history and screenshot review window, on run records made by two
// real `nixtide run`s of a demo-library test that reads the banner on tty1
// with OCR, types the text of a file there, takes a screenshot and reads the
// screen again: the timeline shows the OCR images and the screenshot in
// order with their lines. The first run's screenshot is
// accepted as the reference, the second types other text. Opened from the
// main window's View menu, the history lists both runs; selecting the
// second shows its timeline, and the diff against the reference differs
// until the changed text is masked by a drag on the reference, then
// matches. Accept makes the second screenshot the reference.
//
// With NIXTIDE_SCREENSHOT_DIR=<dir> it saves review-timeline.png and
// review-diff.png there (docs/make-review-screenshots.sh, under Xvfb).
#include "core/review/referencestore.h"
#include "ui/mainwindow.h"
#include "ui/review/imagecanvas.h"
#include "ui/review/imageviewer.h"
#include "ui/review/reviewwindow.h"
#include "ui/review/runhistoryview.h"
#include "ui/review/screenshotdiffview.h"
#include "ui/review/screenshottimeline.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QListWidget>
#include <QMenuBar>
#include <QProcess>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

#include <algorithm>

using namespace nixtide;

namespace {

constexpr int kRunTimeoutMs = 900000;

void saveShot(QWidget *window, const QString &name)
{
    const QString dir = qEnvironmentVariable("NIXTIDE_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    QCoreApplication::processEvents();
    const QPixmap shot = QGuiApplication::platformName() == QLatin1String("xcb")
        ? window->screen()->grabWindow(0)
        : window->grab();
    QVERIFY(shot.save(QDir(dir).filePath(name)));
}

// The point of `canvas` showing pixel `p` of its image.
QPoint widgetPoint(ImageCanvas *canvas, QPoint p)
{
    const double scale = canvas->effectiveScale();
    const QSizeF size = QSizeF(canvas->image().size()) * scale;
    const QPointF origin(std::max(0.0, (canvas->width() - size.width()) / 2),
        std::max(0.0, (canvas->height() - size.height()) / 2));
    return (origin + QPointF(p) * scale + QPointF(scale / 2, scale / 2)).toPoint();
}

} // namespace

class TestReviewWindow : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_test;
    QString m_textFile;

    void runTyping(const QString &text)
    {
        QFile file(m_textFile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(text.toUtf8());
        file.close();
        QProcess run;
        run.setProcessChannelMode(QProcess::MergedChannels);
        run.start(qEnvironmentVariable("NIXTIDE_BINARY"), {QStringLiteral("run"), m_test});
        QVERIFY(run.waitForFinished(kRunTimeoutMs));
        QVERIFY2(run.exitCode() == 0, run.readAll().right(3000).constData());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(qEnvironmentVariableIsSet("NIXTIDE_BINARY"), "run under ctest");
        // nixtide run (a child) and the window read the same history.
        qputenv("XDG_STATE_HOME", m_dir.filePath(QStringLiteral("state")).toUtf8());
        qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("config")).toUtf8());
        m_textFile = m_dir.filePath(QStringLiteral("text"));
        m_test = m_dir.filePath(QStringLiteral("screen.nix"));
        QFile test(m_test);
        QVERIFY(test.open(QIODevice::WriteOnly));
        test.write(QStringLiteral(
            "(import %1/resources/demo/lib { }).runTest {\n"
            "  name = \"review-window\";\n"
            "  enableOCR = true;\n"
            "  nodes.machine = { };\n"
            "  testScript = ''\n"
            "    machine.start()\n"
            "    machine.wait_for_unit(\"multi-user.target\")\n"
            "    machine.wait_for_text(\"nixtide demo guest\", timeout=60)\n"
            "    text = open(\"%2\").read().strip()\n"
            "    machine.send_chars(f\"echo {text} > /tmp/typed\\n\")\n"
            "    machine.wait_until_succeeds(f\"grep -qx {text} /tmp/typed\", timeout=60)\n"
            "    machine.screenshot(\"screen\")\n"
            "    machine.get_screen_text()\n"
            "  '';\n"
            "}\n")
                .arg(qEnvironmentVariable("NIXTIDE_SOURCE_DIR"), m_textFile)
                .toUtf8());
        test.close();
        runTyping(QStringLiteral("hello-reference"));
        QProcess accept;
        accept.setProcessChannelMode(QProcess::MergedChannels);
        accept.start(qEnvironmentVariable("NIXTIDE_BINARY"),
            {QStringLiteral("review"), m_test, QStringLiteral("--accept"),
                QStringLiteral("machine-screen")});
        QVERIFY(accept.waitForFinished(60000));
        QVERIFY2(accept.exitCode() == 0, accept.readAll().constData());
        runTyping(QStringLiteral("something-else-was-typed-here"));
    }

    void historyTimelineAndDiffOfASecondRun()
    {
        QSettings settings(m_dir.filePath(QStringLiteral("nixtide.conf")), QSettings::IniFormat);
        MainWindow main(&settings, m_dir.filePath(QStringLiteral("recovery")));
        auto *action = main.findChild<QAction *>(QStringLiteral("RunHistoryAction"));
        QVERIFY(action);
        QVERIFY(main.menuBar()->actions().size() > 0);
        action->trigger();
        auto *window = main.findChild<ReviewWindow *>();
        QVERIFY(window);
        QVERIFY(QTest::qWaitForWindowExposed(window));
        window->resize(1400, 900);
        window->move(0, 0);

        // The history: one test, two runs, newest first, with their checksum.
        RunHistoryView *history = window->history();
        QTRY_COMPARE_WITH_TIMEOUT(history->runCount(), 2, 60000);
        QTreeWidgetItem *test = history->tree()->topLevelItem(0);
        QCOMPARE(test->text(0), QStringLiteral("review-window"));
        QCOMPARE(test->childCount(), 2);
        QCOMPARE(test->child(0)->text(1), QStringLiteral("passed"));
        QCOMPARE(test->child(0)->text(3).size(), 12);
        QVERIFY(test->child(0)->text(2).endsWith(QStringLiteral(" s")));

        QSignalSpy loaded(window, &ReviewWindow::runLoaded);
        history->tree()->setCurrentItem(test->child(0));
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, 60000);
        QCOMPARE(window->currentRun().dir, test->child(0)->data(0, Qt::UserRole).toString());

        // The timeline: the screens wait_for_text read (line 8), the
        // screenshot (line 12), the screen get_screen_text read (line 13), in
        // that order, each labelled with what took it and its line.
        ScreenshotTimeline *timeline = window->timeline();
        const QList<RunScreenshot> shots = timeline->screenshots();
        QStringList order;
        for (const RunScreenshot &s : shots)
            order << QStringLiteral("%1@%2").arg(s.name).arg(s.line);
        qInfo("timeline: %s", qPrintable(order.join(QStringLiteral(", "))));
        const auto screenshot = std::find_if(
            shots.cbegin(), shots.cend(), [](const RunScreenshot &s) { return !s.ocr; });
        QVERIFY(screenshot != shots.cend());
        const int shotIndex = int(screenshot - shots.cbegin());
        QVERIFY2(shotIndex > 0, qPrintable(order.join(QStringLiteral(", "))));
        QCOMPARE(shotIndex, shots.size() - 2);
        for (int i = 0; i < shots.size(); ++i) {
            if (i == shotIndex)
                continue;
            const RunScreenshot &ocr = shots[i];
            QVERIFY2(ocr.ocr, qPrintable(ocr.name));
            QCOMPARE(ocr.line, i < shotIndex ? 8 : 13);
            QCOMPARE(ocr.scriptPath, m_test);
            QCOMPARE(ocr.machine, QStringLiteral("machine"));
            QCOMPARE(QFileInfo(ocr.path).dir().dirName(), QStringLiteral("ocr"));
            QVERIFY(ocr.path.startsWith(window->currentRun().dir));
            const QString caption = timeline->list()->item(i)->text();
            QCOMPARE(caption, QStringLiteral("%1\nOCR, line %2").arg(ocr.name).arg(ocr.line));
        }
        // The last screen wait_for_text read is the one it found the text on.
        QCOMPARE(shots[shotIndex - 1].step, QStringLiteral("OCR: \"nixtide demo guest\" found"));
        QVERIFY2(shots.last().step.startsWith(QStringLiteral("OCR of the screen")),
            qPrintable(shots.last().step));
        const RunScreenshot shot = *screenshot;
        QCOMPARE(shot.name, QStringLiteral("machine-screen"));
        QCOMPARE(shot.scriptPath, m_test);
        QCOMPARE(shot.line, 12);
        QCOMPARE(
            timeline->list()->item(shotIndex)->text(), QStringLiteral("machine-screen\nline 12"));
        QTRY_COMPARE_WITH_TIMEOUT(timeline->thumbnailsLoaded(), shots.size(), 30000);
        for (int i = 0; i < shots.size(); ++i)
            QVERIFY(!timeline->list()->item(i)->icon().isNull());
        // An OCR image shown in full: the screen, no reference to compare.
        auto *compareButton = timeline->findChild<QPushButton *>(QStringLiteral("compareButton"));
        QVERIFY(compareButton);
        timeline->select(shots.size() - 1);
        QTRY_COMPARE_WITH_TIMEOUT(
            timeline->viewer()->canvas()->image().size(), QSize(1280, 800), 30000);
        QVERIFY(!compareButton->isEnabled());
        timeline->select(shotIndex);
        QVERIFY(compareButton->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(timeline->viewer()->canvas()->image() == QImage(shot.path), 30000);
        QCOMPARE(timeline->viewer()->canvas()->image().size(), QSize(1280, 800));
        timeline->viewer()->setZoom(1);
        QCOMPARE(timeline->viewer()->canvas()->minimumSize(), QSize(1280, 800));
        timeline->viewer()->setZoom(0);
        // The log lists the step that took it; activating it goes to its line.
        const QList<QListWidgetItem *> steps
            = window->logList()->findItems(QStringLiteral("making screenshot"), Qt::MatchContains);
        QCOMPARE(steps.size(), 1);
        QSignalSpy located(window, &ReviewWindow::locationActivated);
        window->tabs()->setCurrentWidget(window->logList());
        window->logList()->setCurrentItem(steps.first());
        QTest::keyClick(window->logList(), Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(located.size(), 1, 10000);
        QCOMPARE(located.first().value(0).toString(), m_test);
        QCOMPARE(located.first().value(1).toInt(), 12);
        window->tabs()->setCurrentWidget(timeline);
        saveShot(window, QStringLiteral("review-timeline.png"));

        // The diff: other text typed, so it differs by more than the tolerance.
        ScreenshotDiffView *diff = window->diffView();
        QSignalSpy compared(diff, &ScreenshotDiffView::compared);
        QTest::mouseClick(compareButton, Qt::LeftButton);
        QCOMPARE(window->tabs()->currentWidget(), diff);
        QTRY_COMPARE_WITH_TIMEOUT(compared.size(), 1, 60000);
        QVERIFY(diff->hasReference());
        QCOMPARE(diff->comparison().verdict, Comparison::Verdict::Differs);
        QVERIFY(diff->comparison().scorePercent > diff->comparison().tolerancePercent);
        const QRect changed = diff->comparison().differingBounds;
        qInfo("diff: %s", qPrintable(diff->scoreText()));
        QVERIFY(diff->scoreText().startsWith(QStringLiteral("differs machine-screen")));
        QVERIFY(!diff->comparison().difference.isNull());

        // Overlay, blink and difference show the images they name.
        diff->setMode(ScreenshotDiffView::Mode::Difference);
        QCOMPARE(diff->singleViewer()->canvas()->image(), diff->comparison().difference);
        diff->setMode(ScreenshotDiffView::Mode::Blink);
        const QImage first = diff->singleViewer()->canvas()->image();
        QTRY_VERIFY_WITH_TIMEOUT(diff->singleViewer()->canvas()->image() != first, 10000);
        diff->setMode(ScreenshotDiffView::Mode::Overlay);
        diff->setOverlayOpacity(50);
        diff->setMode(ScreenshotDiffView::Mode::Difference);
        saveShot(window, QStringLiteral("review-diff.png"));

        // A mask drawn with the mouse over the changed text: a match.
        diff->setMode(ScreenshotDiffView::Mode::SideBySide);
        QCoreApplication::processEvents();
        ImageCanvas *reference = diff->referenceViewer()->canvas();
        QTest::mouseClick(diff->drawMasksButton(), Qt::LeftButton);
        QVERIFY(diff->drawMasksButton()->isChecked());
        const QPoint from = widgetPoint(reference, changed.topLeft() - QPoint(4, 4));
        const QPoint to = widgetPoint(reference, changed.bottomRight() + QPoint(4, 4));
        QTest::mousePress(reference, Qt::LeftButton, {}, from);
        QTest::mouseMove(reference, (from + to) / 2);
        QTest::mouseMove(reference, to);
        QTest::mouseRelease(reference, Qt::LeftButton, {}, to);
        QTRY_COMPARE_WITH_TIMEOUT(compared.size(), 2, 60000);
        QCOMPARE(diff->reference().masks.size(), 1);
        QVERIFY(diff->reference().masks.first().contains(changed));
        qInfo("masked: %s", qPrintable(diff->scoreText()));
        QCOMPARE(diff->comparison().verdict, Comparison::Verdict::Match);
        QVERIFY(QFile::exists(diff->reference().settingsPath));

        // Accept in one click: the run's screenshot becomes the reference.
        diff->clearMasks();
        QTRY_COMPARE_WITH_TIMEOUT(compared.size(), 3, 60000);
        QCOMPARE(diff->comparison().verdict, Comparison::Verdict::Differs);
        QTest::mouseClick(diff->acceptButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(compared.size(), 4, 60000);
        QCOMPARE(diff->comparison().verdict, Comparison::Verdict::Match);
        QCOMPARE(diff->comparison().differingPixels, 0);
    }
};

QTEST_MAIN(TestReviewWindow)
#include "tst_reviewwindow.moc"
