// Code from the screen without a VM: the lines made from OCR text and
// typed keys, their insertion at an editor's cursor inside a .nix file's
// testScript, and the reading of tesseract's TSV output.
#include "core/ocr/ocrwords.h"
#include "ui/editor/codeinsertion.h"
#include "ui/editor/scripteditor.h"
#include "ui/machines/screencode.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace nixtide;

class TestScreenCode : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void waitForTextEscapesForRegexAndPython()
    {
        QCOMPARE(ScreenCode::machineVariable(QStringLiteral("web-server.1")),
            QStringLiteral("web_server_1"));
        QCOMPARE(ScreenCode::waitForText(QStringLiteral("machine"), QStringLiteral("Log in")),
            QStringLiteral("machine.wait_for_text(\"Log in\")"));
        // The regex matches the text itself; the Python string keeps the
        // backslashes and quotes.
        QCOMPARE(ScreenCode::waitForText(QStringLiteral("m"), QStringLiteral("a.b (\"x\")? c:\\")),
            QStringLiteral("m.wait_for_text(\"a\\\\.b \\\\(\\\"x\\\"\\\\)\\\\? c:\\\\\\\\\")"));
        QCOMPARE(ScreenCode::textToWaitFor({QStringLiteral("ok"), QStringLiteral(" longest line "),
                     QStringLiteral("mid line")}),
            QStringLiteral("longest line"));
        QCOMPARE(ScreenCode::textToWaitFor({}), QString());
    }

    void typedKeysBecomeSendCharsAndSendKey()
    {
        KeyRecorder keys(QStringLiteral("machine"));
        QVERIFY(keys.key(Qt::Key_L, Qt::NoModifier, QStringLiteral("l")).isEmpty());
        QVERIFY(keys.key(Qt::Key_S, Qt::NoModifier, QStringLiteral("s")).isEmpty());
        QVERIFY(keys.key(Qt::Key_QuoteDbl, Qt::ShiftModifier, QStringLiteral("\"")).isEmpty());
        QVERIFY(keys.key(Qt::Key_Return, Qt::NoModifier, QStringLiteral("\r")).isEmpty());
        QCOMPARE(keys.key(Qt::Key_C, Qt::ControlModifier, QStringLiteral("\x03")),
            QStringList({QStringLiteral("machine.send_chars(\"ls\\\"\\n\")"),
                QStringLiteral("machine.send_key(\"ctrl-c\")")}));
        QCOMPARE(keys.key(Qt::Key_F2, Qt::AltModifier | Qt::ControlModifier, {}),
            QStringList({QStringLiteral("machine.send_key(\"ctrl-alt-f2\")")}));
        QCOMPARE(keys.key(Qt::Key_Escape, Qt::NoModifier, QStringLiteral("\x1b")),
            QStringList({QStringLiteral("machine.send_key(\"esc\")")}));
        QVERIFY(keys.key(Qt::Key_Shift, Qt::ShiftModifier, {}).isEmpty());
        QVERIFY(keys.flush().isEmpty());
        QVERIFY(keys.key(Qt::Key_X, Qt::NoModifier, QStringLiteral("x")).isEmpty());
        QCOMPARE(keys.flush(), QStringList({QStringLiteral("machine.send_chars(\"x\")")}));
    }

    void insertedInsideTheTestScriptIndentedAndEscaped()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("t.nix"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\n"
                   "  name = \"t\";\n"
                   "  testScript = ''\n"
                   "    machine.start()\n"
                   "    with subtest(\"x\"):\n"
                   "\n"
                   "  '';\n"
                   "}\n");
        file.close();
        ScriptEditor editor;
        QString error;
        QVERIFY2(editor.load(path, &error), qPrintable(error));

        // Outside the string: refused, with the reason.
        editor.setCursorPosition(1, 3);
        QVERIFY(!insertScriptLines(&editor, {QStringLiteral("machine.x()")}, &error));
        QVERIFY2(error.contains(QLatin1String("inside the testScript")), qPrintable(error));
        QCOMPARE(editor.lines(), 9);

        // After a line: a new line below it with its indentation; `${`
        // and `''` escaped for the indented string.
        editor.setCursorPosition(3, 2);
        QVERIFY2(
            insertScriptLines(&editor, {QStringLiteral("machine.send_chars(\"${x} ''\")")}, &error),
            qPrintable(error));
        QCOMPARE(editor.text(4), QStringLiteral("    machine.send_chars(\"''${x} '''\")\n"));
        // On a blank line in a block: the block's body indentation, and
        // the cursor after the last line so the next insertion follows it.
        editor.setCursorPosition(6, 0);
        QVERIFY(insertScriptLines(
            &editor, {QStringLiteral("machine.a()"), QStringLiteral("machine.b()")}, &error));
        QCOMPARE(editor.text(6), QStringLiteral("        machine.a()\n"));
        QCOMPARE(editor.text(7), QStringLiteral("        machine.b()\n"));
        int line = 0, column = 0;
        editor.getCursorPosition(&line, &column);
        QCOMPARE(line, 7);
        QVERIFY(insertScriptLines(&editor, {QStringLiteral("machine.c()")}, &error));
        QCOMPARE(editor.text(8), QStringLiteral("        machine.c()\n"));
        QCOMPARE(editor.text(9), QStringLiteral("  '';\n"));
    }

    void tesseractTsvWordsGroupedIntoLines()
    {
        const QByteArray tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_"
                               "num\tleft\ttop\twidth\theight\tconf\ttext\n"
                               "1\t1\t0\t0\t0\t0\t0\t0\t400\t200\t-1\t\n"
                               "5\t1\t1\t1\t1\t1\t100\t20\t40\t20\t91.5\tworld\n"
                               "5\t1\t2\t1\t1\t1\t20\t22\t60\t18\t88\thello\n"
                               "5\t1\t3\t1\t1\t1\t20\t80\t60\t20\t70\tnext\n"
                               "5\t1\t3\t1\t1\t2\t90\t80\t6\t20\t10\t \n";
        QString error;
        // Read at twice the size, cut at (10, 5) of the screen.
        const QList<OcrWord> words = parseTesseractTsv(tsv, QPoint(10, 5), 2.0, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(words.size(), 3);
        QCOMPARE(words.at(0).text, QStringLiteral("hello"));
        QCOMPARE(words.at(0).box, QRect(20, 16, 30, 9));
        QCOMPARE(words.at(1).text, QStringLiteral("world"));
        QCOMPARE(words.at(1).line, 0);
        QCOMPARE(words.at(2).line, 1);
        OcrReading reading;
        reading.words = words;
        QCOMPARE(
            reading.lines(), QStringList({QStringLiteral("hello world"), QStringLiteral("next")}));
        QCOMPARE(reading.wordsIn(QRect(10, 40, 100, 20)).size(), 1);

        QVERIFY(parseTesseractTsv("5\t1\t1\n", {}, 1.0, &error).isEmpty());
        QVERIFY2(error.contains(QLatin1String("line 1")), qPrintable(error));
        error.clear();
        parseTesseractTsv("5\t1\t1\t1\t1\t1\tx\t0\t1\t1\t9\tw\n", {}, 1.0, &error);
        QVERIFY2(error.contains(QLatin1String("not a number")), qPrintable(error));
    }
};

QTEST_MAIN(TestScreenCode)
#include "tst_screencode.moc"
