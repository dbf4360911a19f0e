// OCR you can see and code from the screen, through the window on the
// demo's graphical.nix (real Nix, the real demo guest under QEMU, the
// driver's real tesseract pipeline, nixtide's own OCR with tesseract):
// - each OCR attempt of the script's wait_for_text is a step of the Log
//   dock under the driver's waiting step, with the screen it read, the
//   text it got, its time and whether the pattern matched; as many steps
//   as the run record has attempts;
// - a region marked with the mouse on the live screen is read, its words
//   boxed, and "Insert wait_for_text" puts a line with the region's text
//   at the editor's cursor, inside the testScript.
//
// With NIXTIDE_SHOTS=<dir> it saves the window at those moments.
#include "common/guesttesting.h"
#include "common/windowtesting.h"
#include "core/session/debugsession.h"
#include "ui/docks/logtreemodel.h"
#include "ui/docks/logview.h"
#include "ui/editor/editorarea.h"
#include "ui/editor/scripteditor.h"
#include "ui/machines/machinetab.h"
#include "ui/machines/screentexttool.h"
#include "ui/mainwindow.h"
#include "ui/vnc/framebufferview.h"
#include "ui/window/debugactions.h"
#include "ui/window/sessioncontroller.h"

#include <QAction>
#include <QDockWidget>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace nixtide;
using namespace nixtide::testing;

namespace {

QModelIndex findLog(
    const QAbstractItemModel *model, const QString &text, const QModelIndex &parent = {})
{
    for (int r = 0; r < model->rowCount(parent); ++r) {
        const QModelIndex index = model->index(r, 0, parent);
        if (index.data().toString().contains(text))
            return index;
        const QModelIndex inner = findLog(model, text, index);
        if (inner.isValid())
            return inner;
    }
    return {};
}

// The OCR events of the run record (log.jsonl) whose pattern is `pattern`.
int recordedAttempts(const QString &runDir, const QString &pattern)
{
    QFile log(runDir + QStringLiteral("/log.jsonl"));
    if (!log.open(QIODevice::ReadOnly))
        return -1;
    int count = 0;
    while (!log.atEnd()) {
        const QJsonObject entry = QJsonDocument::fromJson(log.readLine()).object();
        if (entry.value(QStringLiteral("event")).toString() == QLatin1String("nixtide/ocr")
            && entry.value(QStringLiteral("body")).toObject().value(QStringLiteral("pattern"))
                == pattern
            && QFileInfo(entry.value(QStringLiteral("copy")).toString()).isFile())
            ++count;
    }
    return count;
}

} // namespace

class TestScreenOcr : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(qEnvironmentVariableIsSet("NIXTIDE_SOURCE_DIR"), "run under ctest");
        qputenv("XDG_STATE_HOME", m_dir.filePath(QStringLiteral("state")).toUtf8());
    }

    void ocrAttemptsInTheLogAndWaitForTextFromARegion()
    {
        // A copy: the test edits the script in the editor.
        const QString nixFile = m_dir.filePath(QStringLiteral("graphical.nix"));
        const QString source = qEnvironmentVariable("NIXTIDE_SOURCE_DIR");
        QString text;
        {
            QFile in(source + QStringLiteral("/resources/demo/graphical.nix"));
            QVERIFY(in.open(QIODevice::ReadOnly));
            text = QString::fromUtf8(in.readAll());
        }
        text.replace(QStringLiteral("import ./lib"),
            QStringLiteral("import %1/resources/demo/lib").arg(source));
        {
            QFile out(nixFile);
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(text.toUtf8());
        }
        const int typedLine = lineContaining(nixFile, QStringLiteral("machine.send_chars("));
        QVERIFY(typedLine > 0);

        TestWindow w = makeTestWindow(m_dir.path(), QStringLiteral("ocr"));
        MainWindow &window = *w.window;
        SessionController *controller = w.controller;
        ScriptEditor *editor = runToBreakpoint(w, nixFile, typedLine);
        QVERIFY(editor);
        QCOMPARE(editor->currentLine(), typedLine);
        DebugSession *session = controller->session();
        QVERIFY(session);

        // Each try of wait_for_text is a step under the driver's own.
        LogTreeModel *log = window.logModel();
        const QModelIndex waiting
            = findLog(log, QStringLiteral("waiting for nixtide demo guest to appear on screen"));
        QVERIFY(waiting.isValid());
        QList<QModelIndex> attempts;
        for (int r = 0; r < log->rowCount(waiting); ++r) {
            const QModelIndex row = log->index(r, 0, waiting);
            if (row.data().toString().startsWith(QLatin1String("OCR: \"nixtide demo guest\"")))
                attempts.append(row);
        }
        QVERIFY(!attempts.isEmpty());
        QCOMPARE(attempts.size(),
            recordedAttempts(session->runRecordDir(), QStringLiteral("nixtide demo guest")));
        for (const QModelIndex &attempt : std::as_const(attempts)) {
            QCOMPARE(attempt.data(LogTreeModel::MachineRole).toString(), QStringLiteral("machine"));
            QVERIFY(attempt.data(LogTreeModel::DurationRole).toDouble() > 0);
            const QImage screen(attempt.data(LogTreeModel::ImageRole).toString());
            QVERIFY2(distinctColours(screen) > 1,
                qPrintable(attempt.data(LogTreeModel::ImageRole).toString()));
            QVERIFY(log->rowCount(attempt) > 0); // the texts it read
        }
        for (int i = 0; i + 1 < attempts.size(); ++i)
            QVERIFY2(attempts.at(i).data().toString().endsWith(QLatin1String("not found")),
                qPrintable(attempts.at(i).data().toString()));
        const QModelIndex found = attempts.last();
        QCOMPARE(found.data().toString(), QStringLiteral("OCR: \"nixtide demo guest\" found"));
        bool textShown = false;
        for (int r = 0; r < log->rowCount(found); ++r) {
            const QString read = log->index(r, 0, found).data().toString();
            textShown = textShown
                || (read.startsWith(QLatin1String("read: "))
                    && read.contains(QLatin1String("nixtide demo guest")));
        }
        QVERIFY(textShown);
        // get_screen_text on the next line: one attempt, no pattern.
        QVERIFY(findLog(log, QStringLiteral("OCR of the screen")).isValid());
        window.logView()->tree()->setCurrentIndex(
            window.logView()->filterModel()->mapFromSource(found));
        saveShot(window, QStringLiteral("ocr-log.png"));

        // nixtide's own OCR: the whole screen first, to know where the
        // banner is, then a drag around its line.
        MachineTab *tab = window.machineTab(QStringLiteral("machine"));
        QVERIFY(tab);
        FramebufferView *view = tab->screen();
        QTRY_VERIFY_WITH_TIMEOUT(distinctColours(view->grabFrame()) > 1, 60000);
        ScreenTextTool *tool = tab->textTool();
        QSignalSpy readings(tool, &ScreenTextTool::readingFinished);
        tool->readTextAction()->trigger();
        QVERIFY(view->isRegionSelecting());
        QTest::mouseClick(view, Qt::LeftButton, {}, view->frameRect().center().toPoint());
        QTRY_COMPARE_WITH_TIMEOUT(readings.count(), 1, 60000);
        QVERIFY2(tool->reading().error.isEmpty(), qPrintable(tool->reading().error));
        QRect banner;
        for (const OcrWord &word : tool->reading().words) {
            if (word.text == QLatin1String("nixtide") || word.text == QLatin1String("demo")
                || word.text == QLatin1String("guest"))
                banner |= word.box;
        }
        QVERIFY2(!banner.isEmpty(), qPrintable(tool->reading().text()));
        QCOMPARE(view->wordBoxes().size(), tool->reading().words.size());

        // Drag from just outside the banner's words to just outside them.
        const QRectF shown = view->frameRect();
        const QSize frame = view->grabFrame().size();
        const auto toView = [&](QPoint p) {
            return QPointF(shown.left() + (p.x() + 0.5) * shown.width() / frame.width(),
                shown.top() + (p.y() + 0.5) * shown.height() / frame.height())
                .toPoint();
        };
        const QRect around = banner.adjusted(-6, -4, 6, 4);
        QTest::mousePress(view, Qt::LeftButton, {}, toView(around.topLeft()));
        QTest::mouseMove(view, toView(around.center()));
        QTest::mouseRelease(view, Qt::LeftButton, {}, toView(around.bottomRight()));
        QTRY_COMPARE_WITH_TIMEOUT(readings.count(), 2, 60000);
        // The region as marked, to the pixel (the view maps the pointer).
        QVERIFY2(qAbs(view->selectedRegion().left() - around.left()) <= 1
                && qAbs(view->selectedRegion().bottom() - around.bottom()) <= 1,
            qPrintable(QStringLiteral("%1 vs %2")
                    .arg(
                        QVariant(view->selectedRegion()).toString(), QVariant(around).toString())));
        QVERIFY2(tool->reading().text().contains(QLatin1String("nixtide demo guest")),
            qPrintable(tool->reading().text()));
        saveShot(window, QStringLiteral("ocr-region.png"));

        // The region's text becomes a line of the script at the cursor.
        editor->setCursorPosition(typedLine - 1, 0);
        QVERIFY(tool->insertWaitAction()->isEnabled());
        tool->insertWaitAction()->trigger();
        const QString inserted = editor->text(typedLine).trimmed();
        QCOMPARE(inserted, QStringLiteral("machine.wait_for_text(\"nixtide demo guest\")"));
        const QString indent = editor->text(typedLine - 1).section(QLatin1Char('m'), 0, 0);
        QVERIFY(editor->text(typedLine).startsWith(indent + QLatin1Char('m')));
        saveShot(window, QStringLiteral("ocr-inserted.png"));

        // Follow: the whole screen read once, then the script's next line
        // types into the guest; the reading follows with no click.
        QTest::mouseClick(view, Qt::LeftButton, {}, view->frameRect().center().toPoint());
        QTRY_COMPARE_WITH_TIMEOUT(readings.count(), 3, 60000);
        QVERIFY2(!tool->reading().text().contains(QLatin1String("typed")),
            qPrintable(tool->reading().text()));
        tool->followAction()->setChecked(true);
        window.debugActions()->stepOver->trigger();
        QTRY_VERIFY2_WITH_TIMEOUT(tool->reading().text().contains(QLatin1String("typed")),
            qPrintable(tool->reading().text()), 180000);
        QVERIFY(readings.count() > 3);

        tool->readTextAction()->trigger();
        QVERIFY(!view->isRegionSelecting());
        QVERIFY(view->wordBoxes().isEmpty());
        window.debugActions()->stop->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(controller->state(), SessionState::Terminated, 60000);
        editor->setModified(false);
    }
};

QTEST_MAIN(TestScreenOcr)
#include "tst_screenocr.moc"
