// The script editor: breakpoint margin, markers, errors, find/replace and
// crash recovery of unsaved text (its colours: tst_syntax.cpp).
#include "common/testfiles.h"
#include "ui/editor/editorarea.h"
#include "ui/editor/findbar.h"
#include "ui/editor/recoverystore.h"
#include "ui/editor/scripteditor.h"
#include "ui/editor/tabtitles.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTabBar>
#include <QTemporaryDir>
#include <QTest>
#include <QToolTip>

using namespace nixtide;
using namespace nixtide::testing;

class TestEditor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void clickingTheMarginTogglesABreakpoint()
    {
        ScriptEditor editor;
        editor.setText(QStringLiteral("a = 1\nb = 2\nc = 3\nd = 4\n"));
        editor.resize(500, 300);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        QSignalSpy changed(&editor, &ScriptEditor::breakpointsChanged);

        const int x = editor.marginWidth(ScriptEditor::LineNumberMargin)
            + editor.marginWidth(ScriptEditor::BreakpointMargin) / 2;
        const int pos = editor.positionFromLineIndex(2, 0);
        const int y = static_cast<int>(editor.SendScintilla(
                          QsciScintillaBase::SCI_POINTYFROMPOSITION, 0UL, long(pos)))
            + editor.textHeight(2) / 2;
        QTest::mouseClick(editor.viewport(), Qt::LeftButton, {}, QPoint(x, y));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(editor.breakpoints(), BreakpointList({{3, {}}}));
        QVERIFY(editor.markersAtLine(2) & (1u << ScriptEditor::BreakpointMarker));

        QTest::mouseClick(editor.viewport(), Qt::LeftButton, {}, QPoint(x, y));
        QCOMPARE(changed.count(), 2);
        QVERIFY(editor.breakpoints().isEmpty());
        QCOMPARE(editor.markersAtLine(2), 0u);
    }

    void toggleCommentAndGoToLine()
    {
        ScriptEditor editor;
        const QString text = QStringLiteral("  testScript = ''\n"
                                            "    start_all()\n"
                                            "\n"
                                            "      machine.succeed(\"true\")\n"
                                            "  '';\n");
        editor.setText(text);
        editor.setSelection(1, 2, 3, 5); // lines 2 to 4, partly
        editor.toggleComment();
        QCOMPARE(editor.text(),
            QStringLiteral("  testScript = ''\n"
                           "    # start_all()\n"
                           "\n"
                           "    #   machine.succeed(\"true\")\n"
                           "  '';\n"));
        // The lines stay selected: the same shortcut comments them back in.
        editor.toggleComment();
        QCOMPARE(editor.text(), text);
        // One undo step for the whole toggle.
        editor.toggleComment();
        editor.undo();
        QCOMPARE(editor.text(), text);
        // Without a selection: the cursor's line; a mix of comments and code
        // is commented out.
        editor.setCursorPosition(0, 4);
        editor.toggleComment();
        QCOMPARE(editor.text(0), QStringLiteral("  # testScript = ''\n"));

        editor.goToLine(4);
        int line = -1, index = -1;
        editor.getCursorPosition(&line, &index);
        QCOMPARE(line, 3);
        QCOMPARE(index, 0);
        editor.goToLine(999); // clamped to the last line
        editor.getCursorPosition(&line, &index);
        QCOMPARE(line, editor.lines() - 1);
    }

    void conditionalBreakpointsUseTheirOwnMarkerAndFollowEdits()
    {
        ScriptEditor editor;
        editor.setText(QStringLiteral("a = 1\nb = 2\nc = 3\n"));
        editor.setBreakpoints({{1, {}}, {3, QStringLiteral("i > 2")}});
        QVERIFY(editor.markersAtLine(2) & (1u << ScriptEditor::ConditionalBreakpointMarker));
        QVERIFY(!(editor.markersAtLine(2) & (1u << ScriptEditor::BreakpointMarker)));
        editor.insertAt(QStringLiteral("new = 0\n"), 0, 0);
        QCOMPARE(editor.breakpoints(), BreakpointList({{2, {}}, {4, QStringLiteral("i > 2")}}));
        editor.setBreakpoint(2, QStringLiteral("x"));
        QCOMPARE(editor.breakpoints().first(), Breakpoint({2, QStringLiteral("x")}));
        QCOMPARE(editor.breakpoints().size(), 2);
    }

    void currentLineAndExceptionMarkers()
    {
        ScriptEditor editor;
        editor.setText(QStringLiteral("a = 1\nb = 2\nc = 3\n"));
        editor.setCurrentLine(2);
        const unsigned current = (1u << ScriptEditor::CurrentLineArrowMarker)
            | (1u << ScriptEditor::CurrentLineBackgroundMarker);
        QCOMPARE(editor.markersAtLine(1) & current, current);
        QCOMPARE(editor.markersAtLine(0) & current, 0u);
        editor.setCurrentLine(3);
        QCOMPARE(editor.markersAtLine(1) & current, 0u);
        QCOMPARE(editor.markersAtLine(2) & current, current);
        editor.setCurrentLine(0);
        QCOMPARE(editor.markersAtLine(2) & current, 0u);

        editor.setExceptionLine(1, QStringLiteral("AssertionError: boom"));
        QVERIFY(editor.markersAtLine(0) & (1u << ScriptEditor::ExceptionMarker));
        QCOMPARE(editor.annotationText(0), QStringLiteral("AssertionError: boom"));
        editor.clearExceptionLine();
        QCOMPARE(editor.markersAtLine(0), 0u);
        QVERIFY(editor.annotationText(0).isEmpty());
    }

    void errorsAreUnderlinedAndAnnotated()
    {
        ScriptEditor editor;
        editor.setText(QStringLiteral("{\n  x = undefinedThing;\n}\n"));
        editor.showError(2, 7, QStringLiteral("undefined variable 'undefinedThing'"));
        QCOMPARE(editor.annotationText(1), QStringLiteral("undefined variable 'undefinedThing'"));
        auto indicators = [&](int index) {
            return editor.SendScintilla(
                QsciScintillaBase::SCI_INDICATORALLONFOR, editor.positionFromLineIndex(1, index));
        };
        QVERIFY(indicators(8) & (1 << 8));
        QVERIFY(!(indicators(2) & (1 << 8)));
        editor.clearErrors();
        QVERIFY(!(indicators(8) & (1 << 8)));
        QVERIFY(editor.annotationText(1).isEmpty());
    }

    void findAndReplace()
    {
        ScriptEditor editor;
        editor.setText(QStringLiteral("machine.succeed('a')\nmachine.succeed('b')\nother\n"));
        FindBar bar;
        bar.setEditor(&editor);
        bar.findField()->setText(QStringLiteral("succeed"));
        QVERIFY(bar.findNext());
        QCOMPARE(editor.selectedText(), QStringLiteral("succeed"));
        bar.replaceField()->setText(QStringLiteral("execute"));
        QCOMPARE(bar.replaceAll(), 2);
        QCOMPARE(editor.text(1), QStringLiteral("machine.execute('b')\n"));
        bar.findField()->setText(QStringLiteral("nothing-like-this"));
        QVERIFY(!bar.findNext());
        editor.undo();
        QCOMPARE(editor.text(0), QStringLiteral("machine.succeed('a')\n"));
    }

    void hoverOnADriverMethodShowsItsSignatureAndDoc()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("test.nix"));
        QVERIFY(writeFile(path, "{ testScript = ''\n  machine.succeed(\"true\")\n''; }\n"));
        RecoveryStore store(dir.filePath(QStringLiteral("recovery")));
        EditorArea area(&store);
        area.resize(600, 400);
        area.show();
        QVERIFY(QTest::qWaitForWindowExposed(&area));
        QString error;
        ScriptEditor *editor = area.openFile(path, &error);
        QVERIFY2(editor, qPrintable(error));
        QSignalSpy asked(&area, &EditorArea::expressionHovered);
        const int position = int(editor->positionFromLineIndex(1, 12)); // in `succeed`
        const QPoint point(
            editor->SendScintilla(QsciScintillaBase::SCI_POINTXFROMPOSITION, 0, long(position)),
            editor->SendScintilla(QsciScintillaBase::SCI_POINTYFROMPOSITION, 0, long(position)));
        Q_EMIT editor->SCN_DWELLSTART(position, point.x(), point.y());
        QTRY_VERIFY_WITH_TIMEOUT(QToolTip::isVisible(), 10000);
        QVERIFY2(QToolTip::text().startsWith(QStringLiteral("succeed(*commands: str")),
            qPrintable(QToolTip::text()));
        QVERIFY2(QToolTip::text().contains(QStringLiteral("stdout")), qPrintable(QToolTip::text()));
        QCOMPARE(asked.size(), 0); // answered from the driver's source, no session asked

        // A plain name is for the session to evaluate.
        const int name = int(editor->positionFromLineIndex(1, 4));
        Q_EMIT editor->SCN_DWELLSTART(name, point.x(), point.y());
        QCOMPARE(asked.size(), 1);
        QCOMPARE(asked.at(0).at(1).toString(), QStringLiteral("machine"));
    }

    void tabTitlesTellSameNamedFilesApart_data()
    {
        QTest::addColumn<QStringList>("paths");
        QTest::addColumn<QStringList>("titles");
        QTest::newRow("different names") << QStringList {"/a/single.nix", "/a/vlan.nix"}
                                         << QStringList {"single.nix", "vlan.nix"};
        QTest::newRow("two checkouts") << QStringList {"/work/main/resources/demo/single.nix",
            "/tmp/clone/resources/demo/single.nix", "/work/main/resources/demo/vlan.nix"}
                                       << QStringList {"single.nix — main/resources/demo",
                                              "single.nix — clone/resources/demo", "vlan.nix"};
        QTest::newRow("one depth for the group") << QStringList {"/a/x/t.nix", "/b/x/t.nix",
            "/b/y/t.nix"} << QStringList {"t.nix — a/x", "t.nix — b/x", "t.nix — b/y"};
        QTest::newRow("one path ends the other")
            << QStringList {"/a/t.nix", "/b/a/t.nix"} << QStringList {"t.nix — a", "t.nix — b/a"};
        QTest::newRow("the root") << QStringList {"/t.nix", "/a/t.nix"}
                                  << QStringList {"t.nix — /", "t.nix — a"};
    }

    void tabTitlesTellSameNamedFilesApart()
    {
        QFETCH(QStringList, paths);
        QFETCH(QStringList, titles);
        QCOMPARE(tabTitles(paths), titles);
    }

    // Opening a second file of the same name names both tabs' directories;
    // closing it takes them off again.
    void tabsOfSameNamedFilesShowTheirDirectories()
    {
        QTemporaryDir dir;
        for (const char *sub : {"old", "new"}) {
            QVERIFY(QDir(dir.path()).mkpath(QLatin1String(sub)));
            QVERIFY(
                writeFile(dir.filePath(QLatin1String(sub) + QStringLiteral("/test.nix")), "{ }\n"));
        }
        RecoveryStore store(dir.filePath(QStringLiteral("state/recovery")));
        EditorArea area(&store);
        const QTabBar *tabs = area.findChild<QTabBar *>();
        QVERIFY(tabs);
        QString error;
        QVERIFY2(
            area.openFile(dir.filePath(QStringLiteral("old/test.nix")), &error), qPrintable(error));
        QCOMPARE(tabs->tabText(0), QStringLiteral("test.nix"));
        ScriptEditor *second = area.openFile(dir.filePath(QStringLiteral("new/test.nix")), &error);
        QVERIFY2(second, qPrintable(error));
        QCOMPARE(tabs->tabText(0), QStringLiteral("test.nix — old"));
        QCOMPARE(tabs->tabText(1), QStringLiteral("test.nix — new"));
        second->insertAt(QStringLiteral("# typed\n"), 0, 0);
        QCOMPARE(tabs->tabText(1), QStringLiteral("test.nix — new ●"));
        QVERIFY(second->save(&error));
        QCOMPARE(tabs->tabText(1), QStringLiteral("test.nix — new"));
        QVERIFY(area.closeEditor(second));
        QCOMPARE(tabs->count(), 1);
        QCOMPARE(tabs->tabText(0), QStringLiteral("test.nix"));
    }

    void unsavedTextIsRecoveredAfterACrash()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("test.nix"));
        QVERIFY(writeFile(path, "{ }\n"));
        RecoveryStore store(dir.filePath(QStringLiteral("state/recovery")));
        const QString recoveryFile = store.recoveryFileFor(path);
        QVERIFY(!store.pending(path));

        {
            EditorArea area(&store);
            QString error;
            ScriptEditor *editor = area.openFile(path, &error);
            QVERIFY2(editor, qPrintable(error));
            editor->autosaveNow();
            QVERIFY(!QFile::exists(recoveryFile)); // nothing unsaved yet
            editor->insertAt(QStringLiteral("# typed\n"), 0, 0);
            editor->autosaveNow();
            QVERIFY(QFile::exists(recoveryFile));
            // The "crash": the area goes away without closing its editors.
        }
        QVERIFY(QFile::exists(recoveryFile));

        EditorArea area(&store);
        QStringList asked;
        area.setRestorePrompt([&](const QString &p) {
            asked.append(p);
            return true;
        });
        QString error;
        ScriptEditor *editor = area.openFile(path, &error);
        QVERIFY(editor);
        QCOMPARE(asked, QStringList {QFileInfo(path).absoluteFilePath()});
        QCOMPARE(editor->text(), QStringLiteral("# typed\n{ }\n"));
        QVERIFY(editor->isModified());
        QVERIFY(QFile::exists(recoveryFile)); // still unsaved
        QVERIFY(editor->save(&error));
        QVERIFY(!QFile::exists(recoveryFile));
        QFile saved(path);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        QCOMPARE(saved.readAll(), QByteArray("# typed\n{ }\n"));
    }

    void staleOrDeclinedRecoveryIsDropped()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("test.py"));
        QVERIFY(writeFile(path, "x = 1\n"));
        RecoveryStore store(dir.filePath(QStringLiteral("recovery")));
        QVERIFY(store.write(path, QStringLiteral("x = 2\n")));
        EditorArea area(&store);
        area.setRestorePrompt([](const QString &) { return false; });
        QString error;
        ScriptEditor *editor = area.openFile(path, &error);
        QVERIFY(editor);
        QCOMPARE(editor->text(), QStringLiteral("x = 1\n"));
        QVERIFY(!QFile::exists(store.recoveryFileFor(path)));

        // A copy older than the file (touched since, say by a checkout) is
        // still offered: its edits were never saved anywhere.
        QVERIFY(store.write(path, QStringLiteral("x = 3\n")));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QVERIFY(file.setFileTime(
            QDateTime::currentDateTime().addSecs(60), QFileDevice::FileModificationTime));
        file.close();
        QCOMPARE(store.pending(path), std::optional<QString>(QStringLiteral("x = 3\n")));
        QVERIFY(QFile::exists(store.recoveryFileFor(path)));

        // Only a copy identical to the file is dropped without asking.
        QVERIFY(store.write(path, QStringLiteral("x = 1\n")));
        QVERIFY(!store.pending(path));
        QVERIFY(!QFile::exists(store.recoveryFileFor(path)));
    }
};

QTEST_MAIN(TestEditor)
#include "tst_editor.moc"
