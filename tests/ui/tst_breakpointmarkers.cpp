// One breakpoint store (issue 14 item 3), end to end with the real demo
// single.nix, Nix and QEMU: while the test is stopped, a breakpoint is set
// from the session's side (DebugSession::setBreakpoints, which writes the
// window's store) on the blank line before `hostname = ...`. The agent sets
// it on the next statement; the answer, through the same store, moves the
// editor's marker and the Breakpoints view's row to that line, while the
// line asked for stays what is saved. Continue then stops on the marker's
// line; a run to cursor is a one-shot that no view shows and the next stop
// drops.
#include "common/guesttesting.h"
#include "common/windowtesting.h"
#include "core/breakpoints/breakpointstore.h"
#include "core/session/debugsession.h"
#include "ui/docks/breakpointsview.h"
#include "ui/editor/editorarea.h"
#include "ui/editor/scripteditor.h"
#include "ui/mainwindow.h"
#include "ui/window/debugactions.h"
#include "ui/window/sessioncontroller.h"

#include <QAction>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidgetItem>

using namespace nixtide;
using namespace nixtide::testing;

namespace {

// The lines (1-based) the editor draws a breakpoint marker on.
QList<int> markerLines(ScriptEditor *editor)
{
    QList<int> lines;
    const unsigned mask = (1u << ScriptEditor::BreakpointMarker)
        | (1u << ScriptEditor::ConditionalBreakpointMarker);
    for (int line0 = 0; line0 < editor->lines(); ++line0) {
        if (editor->markersAtLine(line0) & mask)
            lines.append(line0 + 1);
    }
    return lines;
}

QStringList rows(const BreakpointsView *view)
{
    QStringList out;
    for (int i = 0; i < view->topLevelItemCount(); ++i)
        out.append(view->topLevelItem(i)->text(BreakpointsView::LocationColumn));
    return out;
}

} // namespace

class TestBreakpointMarkers : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_nixFile;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(qEnvironmentVariableIsSet("NIXTIDE_SOURCE_DIR"), "run under ctest");
        qputenv("XDG_STATE_HOME", m_dir.filePath(QStringLiteral("state")).toUtf8());
        m_nixFile = QFileInfo(qEnvironmentVariable("NIXTIDE_SOURCE_DIR")
            + QStringLiteral("/resources/demo/single.nix"))
                        .absoluteFilePath();
    }

    void theAdaptersAnswerMovesTheMarker()
    {
        const int startLine = lineContaining(m_nixFile, QStringLiteral("machine.start()"));
        const int hostnameLine
            = lineContaining(m_nixFile, QStringLiteral("hostname = machine.succeed"));
        const int blankLine = hostnameLine - 1;
        const int unameLine = lineContaining(m_nixFile, QStringLiteral("uname -s"));
        QVERIFY(startLine > 0 && hostnameLine > startLine + 2 && unameLine > hostnameLine);

        TestWindow w = makeTestWindow(m_dir.path(), QStringLiteral("markers"));
        MainWindow &window = *w.window;
        SessionController *controller = w.controller;
        ScriptEditor *editor = runToBreakpoint(w, m_nixFile, startLine);
        QVERIFY(editor);
        QVERIFY(editor->text(blankLine - 1).trimmed().isEmpty());
        DebugSession *session = controller->session();
        QVERIFY(session);
        BreakpointStore *store = window.breakpointStore();
        QCOMPARE(session->breakpointStore(), store);
        QCOMPARE(markerLines(editor), QList<int>({startLine}));

        // From the session's side, as a headless front end sets them.
        session->setBreakpoints(m_nixFile, {{startLine, {}}, {blankLine, {}}});
        QTRY_COMPARE_WITH_TIMEOUT(
            markerLines(editor), QList<int>({startLine, hostnameLine}), 60000);
        const QString name = QFileInfo(m_nixFile).fileName();
        QTRY_COMPARE_WITH_TIMEOUT(rows(window.breakpointsView()),
            QStringList({QStringLiteral("%1:%2").arg(name).arg(startLine),
                QStringLiteral("%1:%2").arg(name).arg(hostnameLine)}),
            10000);
        QCOMPARE(window.breakpointsView()->refusal(m_nixFile, hostnameLine), QString());
        // What the user asked for is what is kept and saved.
        QCOMPARE(
            window.breakpointsFor(m_nixFile), BreakpointList({{startLine, {}}, {blankLine, {}}}));
        const StoredBreakpoint moved = store->entries(m_nixFile).value(1);
        QVERIFY(moved.verified);
        QCOMPARE(moved.request.line, blankLine);
        QCOMPARE(moved.actualLine, hostnameLine);
        QCOMPARE(editor->breakpoints(), BreakpointList({{startLine, {}}, {hostnameLine, {}}}));

        // The marker is where the test stops (after the boot).
        window.debugActions()->runContinue->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(editor->currentLine(), hostnameLine, 600000);
        QTRY_COMPARE_WITH_TIMEOUT(controller->state(), SessionState::Stopped, 10000);
        QCOMPARE(session->stopReason(), QStringLiteral("breakpoint"));

        // Run to cursor: a one-shot in the store, in no view, gone at the stop.
        editor->setCursorPosition(unameLine - 1, 0);
        window.debugActions()->runToCursor->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(editor->currentLine(), unameLine, 120000);
        QTRY_COMPARE_WITH_TIMEOUT(controller->state(), SessionState::Stopped, 10000);
        QCOMPARE(markerLines(editor), QList<int>({startLine, hostnameLine}));
        QCOMPARE(window.breakpointsView()->breakpointCount(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(store->entries(m_nixFile).size(), 2, 10000);

        window.debugActions()->stop->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(controller->state(), SessionState::Terminated, 60000);
    }
};

QTEST_MAIN(TestBreakpointMarkers)
#include "tst_breakpointmarkers.moc"
