// QScintilla (Qt 6 build) with its Python lexer: the editor nixtide is built on.
#include <QApplication>
#include <QTest>
#include <Qsci/qscilexerpython.h>
#include <Qsci/qsciscintilla.h>

class TestQScintilla : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pythonLexerStylesKeywordsAndStrings()
    {
        QsciScintilla editor;
        auto *lexer = new QsciLexerPython(&editor);
        editor.setLexer(lexer);
        editor.setText(QStringLiteral("def f():\n    machine.succeed(\"hostname\")\n"));
        editor.resize(400, 200);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        // Styling is lazy: force the lexer over the whole text.
        editor.SendScintilla(QsciScintillaBase::SCI_COLOURISE, 0, -1);

        auto styleAt = [&](int line, int index) {
            const int pos = editor.positionFromLineIndex(line, index);
            return static_cast<int>(editor.SendScintilla(QsciScintillaBase::SCI_GETSTYLEAT, pos));
        };
        QCOMPARE(styleAt(0, 0), int(QsciLexerPython::Keyword));
        QCOMPARE(styleAt(0, 4), int(QsciLexerPython::FunctionMethodName));
        QCOMPARE(styleAt(1, 21), int(QsciLexerPython::DoubleQuotedString));
        QCOMPARE(editor.lines(), 3);
    }

    void markersAreSetAndFoundByLine()
    {
        QsciScintilla editor;
        editor.setText(QStringLiteral("a = 1\nb = 2\nc = 3\n"));
        const int marker = editor.markerDefine(QsciScintilla::Circle);
        QVERIFY(marker >= 0);
        editor.markerAdd(1, marker);
        QCOMPARE(editor.markerFindNext(0, 1 << marker), 1);
        QCOMPARE(editor.markerFindPrevious(2, 1 << marker), 1);
    }
};

QTEST_MAIN(TestQScintilla)
#include "tst_qscintilla.moc"
