// QScintilla (Qt 6 build): the editor nixtide is built on, with the parts it
// relies on: container lexing (styles set by a QsciLexerCustom), markers and
// annotations.
#include <QApplication>
#include <QTest>
#include <Qsci/qscilexercustom.h>
#include <Qsci/qscilexerpython.h>
#include <Qsci/qsciscintilla.h>

namespace {

// Styles digits 1 and everything else 0, asked for lazily by Scintilla.
class DigitLexer : public QsciLexerCustom
{
public:
    using QsciLexerCustom::QsciLexerCustom;
    const char *language() const override { return "digits"; }
    QString description(int style) const override
    {
        return style <= 1 ? QStringLiteral("style %1").arg(style) : QString();
    }
    void styleText(int start, int end) override
    {
        requests.append({start, end});
        // bytes() adds a NUL after the range; styling past it aborts.
        const QByteArray text = editor()->bytes(start, end);
        startStyling(start);
        for (int i = 0; i < end - start; ++i)
            setStyling(1, text.at(i) >= '0' && text.at(i) <= '9' ? 1 : 0);
    }
    QList<QPair<int, int>> requests;
};

} // namespace

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

    void customLexerStylesOnlyFromTheFirstUnstyledPosition()
    {
        QsciScintilla editor;
        auto *lexer = new DigitLexer(&editor);
        editor.setLexer(lexer);
        editor.setText(QStringLiteral("ab 12\ncd 34\nef 56\n"));
        const auto styled
            = [&] { return editor.SendScintilla(QsciScintillaBase::SCI_GETENDSTYLED); };
        editor.SendScintilla(QsciScintillaBase::SCI_COLOURISE, 0UL, -1L);
        QCOMPARE(editor.SendScintilla(QsciScintillaBase::SCI_GETSTYLEAT, 3UL), 1L);
        QCOMPARE(editor.SendScintilla(QsciScintillaBase::SCI_GETSTYLEAT, 0UL), 0L);
        // An edit on the last line leaves the lines above it styled.
        lexer->requests.clear();
        editor.insertAt(QStringLiteral("7"), 2, 0);
        editor.SendScintilla(
            QsciScintillaBase::SCI_COLOURISE, static_cast<unsigned long>(styled()), -1L);
        QCOMPARE(lexer->requests.size(), 1);
        QCOMPARE(lexer->requests.first().first, editor.positionFromLineIndex(2, 0));
        QCOMPARE(editor.SendScintilla(QsciScintillaBase::SCI_GETSTYLEAT,
                     static_cast<unsigned long>(editor.positionFromLineIndex(2, 0))),
            1L);
    }

    void annotationTextReadsBack()
    {
        // Through Scintilla: QsciScintilla::annotation() of QScintilla 2.14.1
        // returns a buffer it never filled.
        QsciScintilla editor;
        editor.setUtf8(true);
        editor.setText(QStringLiteral("a = 1\nb = 2\n"));
        editor.annotate(1, QStringLiteral("name 'x' is not defined – ü"), 0);
        const long size = editor.SendScintilla(
            QsciScintillaBase::SCI_ANNOTATIONGETTEXT, 1UL, static_cast<const char *>(nullptr));
        QByteArray bytes(size, '\0');
        editor.SendScintilla(QsciScintillaBase::SCI_ANNOTATIONGETTEXT, 1UL, bytes.data());
        QCOMPARE(QString::fromUtf8(bytes), QStringLiteral("name 'x' is not defined – ü"));
        editor.clearAnnotations(1);
        QCOMPARE(editor.SendScintilla(QsciScintillaBase::SCI_ANNOTATIONGETTEXT, 1UL,
                     static_cast<const char *>(nullptr)),
            0L);
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
