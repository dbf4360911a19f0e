// Live lint and driver-API completion in the script editor.
#include "common/windowtesting.h"
#include "core/nix/driversymbols.h"
#include "core/nix/evaluatednodes.h"
#include "core/nix/scriptsource.h"
#include "core/nix/testinfo.h"
#include "core/nix/testref.h"
#include "core/paths.h"
#include "ui/editor/lintcontroller.h"
#include "ui/editor/scriptcompleter.h"
#include "ui/editor/scripteditor.h"
#include "ui/editor/syntaxlexer.h"

#include <QDir>
#include <QFile>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <optional>

using namespace nixtide;

namespace {

// Line 9 of this file is `machine.succeed(undefined_thing)`.
const char kNixTest[] = "{ pkgs, ... }:\n" // 1
                        "{\n" // 2
                        "  name = \"lint\";\n" // 3
                        "  nodes.server = { ... }: { };\n" // 4
                        "  nodes.client = { ... }: { };\n" // 5
                        "  testScript = { nodes, ... }: ''\n" // 6
                        "    start_all()\n" // 7
                        "    server.wait_for_unit(\"${pkgs.hello.name}\")\n" // 8
                        "    machine.succeed(undefined_thing)\n" // 9
                        "    ${pkgs.lib.optionalString true \"x = 1\"}\n" // 10
                        "    client.succeed(\"echo ''${HOME}\")\n" // 11
                        "  '';\n" // 12
                        "}\n";

// Three tests in one file (as nixpkgs' several-tests files): the second's
// script has a typo on line 12; the third sets skipLint, so its typo on
// line 19 is the build's business, not a finding.
const char kSeveralTests[] = "{ makeTest, ... }:\n" // 1
                             "{\n" // 2
                             "  first = makeTest {\n" // 3
                             "    nodes.machine = { };\n" // 4
                             "    testScript = ''\n" // 5
                             "      machine.start()\n" // 6
                             "    '';\n" // 7
                             "  };\n" // 8
                             "  second = makeTest {\n" // 9
                             "    nodes.machine = { };\n" // 10
                             "    testScript = ''\n" // 11
                             "      assert machine.succeed(second_typo)\n" // 12
                             "    '';\n" // 13
                             "  };\n" // 14
                             "  third = makeTest {\n" // 15
                             "    nodes.machine = { };\n" // 16
                             "    skipLint = true;\n" // 17
                             "    testScript = ''\n" // 18
                             "      machine.succeed(third_typo)\n" // 19
                             "    '';\n" // 20
                             "  };\n" // 21
                             "}\n";

bool loadNix(ScriptEditor &editor, const QTemporaryDir &dir, const QByteArray &text)
{
    const QString path = dir.filePath(QStringLiteral("test.nix"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size())
        return false;
    file.close();
    QString error;
    return editor.load(path, &error);
}

bool lintMarked(ScriptEditor &editor, int line1)
{
    return editor.markersAtLine(line1 - 1) & (1u << ScriptEditor::LintMarker);
}

QList<int> markedLines(ScriptEditor &editor)
{
    QList<int> lines;
    for (int l = 1; l <= editor.lines(); ++l) {
        if (lintMarked(editor, l))
            lines.append(l);
    }
    return lines;
}

bool squiggled(ScriptEditor &editor, int line1, int index)
{
    const int pos = editor.positionFromLineIndex(line1 - 1, index);
    return editor.SendScintilla(QsciScintillaBase::SCI_INDICATORALLONFOR, pos)
        & (1 << LintController::kIndicator);
}

void replaceLine(ScriptEditor &editor, int line1, const QString &text)
{
    editor.setSelection(line1 - 1, 0, line1 - 1, editor.text(line1 - 1).size() - 1);
    editor.replaceSelectedText(text);
}

} // namespace

class TestLint : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void scriptExtractionKeepsLinesAndReplacesAntiquotations()
    {
        const EditorScript script = extractEditorScript(QString::fromUtf8(kNixTest), true);
        QVERIFY(script.found);
        const QStringList lines = script.text.split(u'\n');
        QCOMPARE(lines.at(0), QStringLiteral("start_all()"));
        QCOMPARE(script.fileLineFor(1), 7);
        QCOMPARE(lines.at(2), QStringLiteral("machine.succeed(undefined_thing)"));
        QCOMPARE(script.fileLineFor(3), 9);
        QCOMPARE(lines.at(3), QStringLiteral("__nix_antiquotation__"));
        QCOMPARE(script.fileLineFor(4), 10);
        QCOMPARE(lines.at(4), QStringLiteral("client.succeed(\"echo ${HOME}\")"));
        QCOMPARE(script.fileLineFor(5), 11);
        QCOMPARE(nodeNames(QString::fromUtf8(kNixTest)),
            QStringList({QStringLiteral("server"), QStringLiteral("client")}));
        QCOMPARE(nodeNames(QStringLiteral("{ nodes = { web-1 = { ... }: { a.b = 1; };\n"
                                          "  db = { }; }; }")),
            QStringList({QStringLiteral("web_1"), QStringLiteral("db")}));
        // Comments anywhere, a `#` and braces inside a string, a quoted
        // name, `inherit`, and containers next to VMs.
        QCOMPARE(nodeNames(QStringLiteral("{\n  nodes = {\n"
                                          "    # a comment { with braces }\n"
                                          "    web-1 = { ... }: { x.text = \"#no comment }\"; };\n"
                                          "    /* block */ db = { ... }: { }; # after\n"
                                          "    \"q-1\" = { };\n"
                                          "    inherit shared;\n"
                                          "  };\n"
                                          "  containers.box = { ... }: { };\n"
                                          "  containers = { pod = { }; };\n}\n")),
            QStringList({QStringLiteral("box"), QStringLiteral("web_1"), QStringLiteral("db"),
                QStringLiteral("q_1"), QStringLiteral("pod")}));
    }

    // A machine whose name is only in Nix's answer (nodes imported from
    // another file): flagged from the text alone, known once Nix named it.
    void machinesNamedByNixAreKnown()
    {
        const QString file = qEnvironmentVariable("NIXTIDE_SOURCE_DIR")
            + QStringLiteral("/tests/data/nixpkgs/nixos/tests/imported-nodes.nix");
        const QString unknown = QStringLiteral("undefined name 'gateway_1'");
        const auto flagged = [&unknown](const ScriptEditor &editor) {
            const QList<LintMessage> messages = editor.lint()->messages();
            return std::any_of(messages.cbegin(), messages.cend(),
                [&unknown](const LintMessage &m) { return m.message.contains(unknown); });
        };
        EvaluatedNodes::clear();
        {
            ScriptEditor editor;
            QString error;
            QVERIFY2(editor.load(file, &error), qPrintable(error));
            editor.lint()->lintNow();
            QVERIFY(flagged(editor));
            // Line 8 is `    gateway_1.start()`: completion after `gateway_1.`
            // and of the name itself wait for Nix too.
            const int afterDot = editor.positionFromLineIndex(7, 14);
            const int inName = editor.positionFromLineIndex(7, 7);
            QVERIFY(editor.completer()->completionsAt(afterDot).isEmpty());
            QVERIFY(
                !editor.completer()->completionsAt(inName).contains(QStringLiteral("gateway_1")));
            const std::optional<TestRef> ref = TestRef::parse(file, &error);
            QVERIFY2(ref, qPrintable(error));
            NixError nixError;
            const TestInfo::Outline outline = TestInfo::outline(*ref, &nixError);
            QVERIFY2(nixError.kind == NixError::Kind::None, qPrintable(nixError.toText()));
            QCOMPARE(outline.nodes, QStringList {QStringLiteral("gateway-1")});
            EvaluatedNodes::set(file, outline.nodes);
            editor.lint()->lintNow();
            QVERIFY2(editor.lint()->messages().isEmpty(),
                qPrintable(editor.lint()->messages().value(0).message));
            QVERIFY(editor.completer()->completionsAt(afterDot).contains(
                QStringLiteral("wait_for_unit")));
            QVERIFY(
                editor.completer()->completionsAt(inName).contains(QStringLiteral("gateway_1")));
        }

        // The window learns them from its outline's evaluation.
        EvaluatedNodes::clear();
        QTemporaryDir dir;
        testing::TestWindow w = testing::makeTestWindow(dir.path(), QStringLiteral("nodes"));
        QString error;
        QVERIFY2(w.window->openTest(file, &error), qPrintable(error));
        ScriptEditor *editor = w.window->editorArea()->editorFor(file);
        QVERIFY(editor);
        // The evaluation's answer needs the event loop: not in yet.
        editor->lint()->lintNow();
        QVERIFY(flagged(*editor));
        QTRY_COMPARE_WITH_TIMEOUT(
            EvaluatedNodes::of(file), QStringList {QStringLiteral("gateway_1")}, 120000);
        QTRY_VERIFY_WITH_TIMEOUT(!flagged(*editor), 10000);
    }

    void undefinedNameIsMarkedOnItsNixLineUntilFixed()
    {
        QTemporaryDir dir;
        ScriptEditor editor;
        QVERIFY(loadNix(editor, dir, kNixTest));
        QSignalSpy linted(editor.lint(), &LintController::linted);
        QVERIFY(linted.wait(3000));
        QCOMPARE(markedLines(editor), QList<int>({9}));
        QCOMPARE(editor.lint()->messages().size(), 1);
        QVERIFY2(editor.annotationText(8).contains(QStringLiteral("undefined_thing")),
            qPrintable(editor.annotationText(8)));
        const int col = int(editor.text(8).indexOf(QStringLiteral("undefined_thing")));
        QVERIFY(squiggled(editor, 9, col + 3));
        QVERIFY(!squiggled(editor, 9, 4)); // `machine` is known
        QVERIFY(!squiggled(editor, 8, 6));

        // Debounced: edits in quick succession lint once, after the last.
        replaceLine(editor, 9, QStringLiteral("    machine.succeed(\"true\")"));
        QTest::qWait(LintController::kDebounceMs / 2);
        QCOMPARE(linted.count(), 1);
        QVERIFY(linted.wait(3000));
        QVERIFY(markedLines(editor).isEmpty());
        QVERIFY(editor.annotationText(8).isEmpty());
        QVERIFY(!squiggled(editor, 9, col + 3));
    }

    // Every testScript of a file is a Python region: coloured as Python and
    // linted, each test with its own skipLint.
    void everyTestOfAFileIsColouredAndLinted()
    {
        QTemporaryDir dir;
        ScriptEditor editor;
        editor.lint()->setTypeCheckEnabled(false);
        QSignalSpy linted(editor.lint(), &LintController::linted);
        QVERIFY(loadNix(editor, dir, kSeveralTests));
        QVERIFY(linted.wait(3000));
        QCOMPARE(markedLines(editor), QList<int>({12}));
        QVERIFY2(editor.annotationText(11).contains(QStringLiteral("second_typo")),
            qPrintable(editor.annotationText(11)));

        const auto *lexer = qobject_cast<SyntaxLexer *>(editor.lexer());
        QVERIFY(lexer);
        const auto styled
            = static_cast<unsigned long>(editor.SendScintilla(QsciScintillaBase::SCI_GETENDSTYLED));
        editor.SendScintilla(QsciScintillaBase::SCI_COLOURISE, styled, -1L);
        const auto definitionAt = [&](int line1, const QString &needle) {
            const int column = int(editor.text(line1 - 1).indexOf(needle));
            const auto pos
                = static_cast<unsigned long>(editor.positionFromLineIndex(line1 - 1, column));
            return lexer->definitionName(
                int(editor.SendScintilla(QsciScintillaBase::SCI_GETSTYLEAT, pos)));
        };
        // Each script is Python, the Nix around and between them is Nix.
        QCOMPARE(definitionAt(6, QStringLiteral("machine")), QStringLiteral("Python"));
        QCOMPARE(definitionAt(12, QStringLiteral("assert")), QStringLiteral("Python"));
        QCOMPARE(definitionAt(19, QStringLiteral("machine")), QStringLiteral("Python"));
        QCOMPARE(definitionAt(9, QStringLiteral("makeTest")), QStringLiteral("Nix"));
        QCOMPARE(definitionAt(17, QStringLiteral("skipLint")), QStringLiteral("Nix"));
    }

    void syntaxErrorsAreReportedOnTheirLine()
    {
        QTemporaryDir dir;
        ScriptEditor editor;
        QByteArray text(kNixTest);
        text.replace("    start_all()\n", "    start_all(\n");
        text.replace("machine.succeed(undefined_thing)", "if True\n        pass");
        QVERIFY(loadNix(editor, dir, text));
        editor.lint()->lintNow();
        QCOMPARE(markedLines(editor), QList<int>({7}));
        QVERIFY(editor.lint()->messages().at(0).syntaxError);

        text = kNixTest;
        text.replace("machine.succeed(undefined_thing)", "if True\n        pass");
        QVERIFY(loadNix(editor, dir, text));
        editor.lint()->lintNow();
        QCOMPARE(markedLines(editor), QList<int>({9}));
        QVERIFY2(editor.annotationText(8).startsWith(QStringLiteral("Syntax error")),
            qPrintable(editor.annotationText(8)));
    }

    // Once a build says which driver runs, the type check uses that driver's
    // own types, read from its package where a built one keeps it (in a
    // site-packages directory).
    void typeCheckFollowsTheBuiltDriver()
    {
        QTemporaryDir dir;
        qputenv("XDG_CACHE_HOME", dir.filePath(QStringLiteral("cache")).toUtf8());
        const QString package
            = dir.filePath(QStringLiteral("lib/python3.13/site-packages/test_driver"));
        QVERIFY(QDir().mkpath(package));
        const QDir bundled(DataPaths::demoDir() + QStringLiteral("/driver/test_driver"));
        for (const QString &name : bundled.entryList({QStringLiteral("*.py")}, QDir::Files)) {
            QFile in(bundled.filePath(name));
            QVERIFY(in.open(QIODevice::ReadOnly));
            QByteArray source = in.readAll();
            // This driver's fail() takes numbers.
            if (name == QLatin1StringView("machine.py")) {
                QVERIFY(source.contains("def fail(self, *commands: str"));
                source.replace("def fail(self, *commands: str", "def fail(self, *commands: int");
            }
            QFile out(package + u'/' + name);
            QVERIFY(out.open(QIODevice::WriteOnly));
            QCOMPARE(out.write(source), source.size());
        }
        QString error;
        const DriverSymbols built = DriverSymbols::read(package, &error);
        QVERIFY2(!built.isEmpty(), qPrintable(error));
        DriverSymbols::setActive(built);
        const auto restore = qScopeGuard([] {
            QString ignored;
            DriverSymbols::setActive(DriverSymbols::read(
                DataPaths::demoDir() + QStringLiteral("/driver/test_driver"), &ignored));
        });

        ScriptEditor editor;
        editor.lint()->setTypeCheckEnabled(true);
        QByteArray text(kNixTest);
        text.replace("machine.succeed(undefined_thing)", "server.fail(42)");
        QVERIFY(loadNix(editor, dir, text));
        QSignalSpy typeChecked(editor.lint(), &LintController::typeChecked);
        editor.lint()->lintNow();
        QVERIFY(typeChecked.wait(300000));
        QVERIFY2(
            editor.lint()->typeCheckError().isEmpty(), qPrintable(editor.lint()->typeCheckError()));
        QCOMPARE(markedLines(editor), QList<int>());

        // And what this driver rejects is marked.
        typeChecked.clear();
        replaceLine(editor, 9, QStringLiteral("    server.fail(\"true\")"));
        editor.lint()->lintNow();
        QVERIFY(typeChecked.wait(300000));
        QCOMPARE(markedLines(editor), QList<int>({9}));
        QVERIFY2(editor.annotationText(8).contains(QStringLiteral("expected \"int\"")),
            qPrintable(editor.annotationText(8)));
    }

    // The build's mypy check, on a worker thread a while after the edit:
    // a wrong argument type to a Machine method is marked on its line.
    // skipTypeCheck = true turns it off as it does in the build, and
    // skipLint = true pyflakes.
    void typeCheckAsTheBuildDoes()
    {
        QTemporaryDir dir;
        qputenv("XDG_CACHE_HOME", dir.filePath(QStringLiteral("cache")).toUtf8());
        ScriptEditor editor;
        editor.lint()->setTypeCheckEnabled(true);
        QByteArray text(kNixTest);
        text.replace("machine.succeed(undefined_thing)", "server.fail(42)");
        QVERIFY(loadNix(editor, dir, text));
        QSignalSpy typeChecked(editor.lint(), &LintController::typeChecked);
        editor.lint()->lintNow();
        QCOMPARE(markedLines(editor), QList<int>());
        QVERIFY(editor.lint()->isTypeCheckScheduled());
        QVERIFY(typeChecked.wait(300000));
        QVERIFY2(
            editor.lint()->typeCheckError().isEmpty(), qPrintable(editor.lint()->typeCheckError()));
        QCOMPARE(markedLines(editor), QList<int>({9}));
        QVERIFY2(editor.annotationText(8).contains(
                     QStringLiteral("Argument 1 to \"fail\" of \"Machine\" has incompatible type")),
            qPrintable(editor.annotationText(8)));

        // After an edit the next check's findings replace the old ones.
        typeChecked.clear();
        replaceLine(editor, 9, QStringLiteral("    server.fail(\"true\")"));
        editor.lint()->lintNow();
        QVERIFY(typeChecked.wait(300000));
        QCOMPARE(markedLines(editor), QList<int>());

        text.replace("  name = \"lint\";\n", "  name = \"lint\";\n  skipTypeCheck = true;\n");
        QVERIFY(loadNix(editor, dir, text));
        editor.lint()->lintNow();
        QVERIFY(!editor.lint()->buildChecks().typeCheck);
        QVERIFY(editor.lint()->buildChecks().lint);
        QVERIFY(!editor.lint()->isTypeCheckScheduled());

        text = kNixTest;
        text.replace("  name = \"lint\";\n", "  name = \"lint\";\n  skipLint = true;\n");
        QVERIFY(loadNix(editor, dir, text));
        editor.lint()->setTypeCheckEnabled(false);
        editor.lint()->lintNow();
        QVERIFY(!editor.lint()->buildChecks().lint);
        QCOMPARE(editor.lint()->messages().size(), 0); // undefined_thing is not flagged
    }

    void editorErrorsAreLeftAlone()
    {
        QTemporaryDir dir;
        ScriptEditor editor;
        QVERIFY(loadNix(editor, dir, kNixTest));
        editor.showError(9, 5, QStringLiteral("nix says no"));
        editor.lint()->lintNow();
        QVERIFY(lintMarked(editor, 9));
        QCOMPARE(editor.annotationText(8), QStringLiteral("nix says no"));
        replaceLine(editor, 9, QStringLiteral("    machine.succeed(\"true\")"));
        editor.lint()->lintNow();
        QCOMPARE(editor.annotationText(8), QStringLiteral("nix says no"));
    }

    void pythonFilesAreLintedWhole()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("script.py"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("start_all()\nimport sys\nmachine.fail(nope)\n");
        file.close();
        ScriptEditor editor;
        QString error;
        QVERIFY(editor.load(path, &error));
        editor.lint()->lintNow();
        QCOMPARE(markedLines(editor), QList<int>({2, 3}));
    }

    void machineMethodsAreOfferedAfterAMachineName()
    {
        QTemporaryDir dir;
        ScriptEditor editor;
        QVERIFY(loadNix(editor, dir, kNixTest));
        editor.resize(600, 400);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));

        editor.setCursorPosition(6, 15); // end of `    start_all()`
        QTest::keyClick(&editor, Qt::Key_Return);
        QTest::keyClicks(&editor, QStringLiteral("machine."));
        const int pos = int(editor.SendScintilla(QsciScintillaBase::SCI_GETCURRENTPOS));
        const QStringList offered = editor.completer()->completionsAt(pos);
        QVERIFY2(
            editor.SendScintilla(QsciScintillaBase::SCI_AUTOCACTIVE), qPrintable(editor.text(7)));
        QVERIFY(offered.contains(QStringLiteral("wait_for_unit")));
        QVERIFY(!offered.contains(QStringLiteral("start_all")));
        QTest::keyClicks(&editor, QStringLiteral("wait_for_u"));
        QTest::keyClick(&editor, Qt::Key_Tab);
        QCOMPARE(editor.text(7).trimmed(), QStringLiteral("machine.wait_for_unit"));

        // Globals and node names once two characters are typed.
        QCOMPARE(editor.completer()->completionsAt(
                     editor.positionFromLineIndex(6, 5)), // `    s|tart_all()`
            QStringList());
        int typed = 0;
        const QStringList globals
            = editor.completer()->completionsAt(editor.positionFromLineIndex(6, 7), &typed);
        QCOMPARE(typed, 3);
        QVERIFY(globals.contains(QStringLiteral("start_all")));
        QVERIFY(globals.contains(QStringLiteral("client")));

        // Not in Nix code or in Python strings.
        QVERIFY(editor.completer()->completionsAt(editor.positionFromLineIndex(2, 6)).isEmpty());
        QVERIFY(editor.completer()->completionsAt(editor.positionFromLineIndex(10, 23)).isEmpty());
    }
};

QTEST_MAIN(TestLint)
#include "tst_lint.moc"
