// The editor's colours come from KSyntaxHighlighting: Kate's Nix definition
// for the file, its Python definition for the testScript (antiquotations
// staying Nix), the chosen or palette-matching theme, re-coloured on edits.
#include "common/testfiles.h"
#include "ui/editor/editortheme.h"
#include "ui/editor/scripteditor.h"
#include "ui/editor/syntaxlexer.h"

#include <QApplication>
#include <QPalette>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/Theme>

using namespace nixtide;
using namespace nixtide::testing;
using KSyntaxHighlighting::Theme;

namespace {

// Styles what is not styled yet, as painting would: SCI_COLOURISE restyles
// from its first argument.
void colourise(ScriptEditor &editor)
{
    const auto styled
        = static_cast<unsigned long>(editor.SendScintilla(QsciScintillaBase::SCI_GETENDSTYLED));
    editor.SendScintilla(QsciScintillaBase::SCI_COLOURISE, styled, -1L);
}

QString demo(const QString &name)
{
    return QStringLiteral(NIXTIDE_SOURCE_DIR "/resources/demo/") + name;
}

// Scintilla keeps colours as BGR.
QColor fromBgr(long bgr)
{
    return QColor(int(bgr & 0xff), int((bgr >> 8) & 0xff), int((bgr >> 16) & 0xff));
}

QColor themeColor(const Theme &theme, Theme::TextStyle style)
{
    return QColor::fromRgb(theme.textColor(style));
}

// What the editor shows at the first occurrence of a needle (plus an offset).
struct Look
{
    int style = -1;
    QString definition; // "Nix", "Python"
    Theme::TextStyle textStyle = Theme::Normal;
    QColor colour;
};

Look lookAt(ScriptEditor &editor, const QString &needle, int offset = 0, int from = 0)
{
    for (int line = from; line < editor.lines(); ++line) {
        const int column = int(editor.text(line).indexOf(needle));
        if (column < 0)
            continue;
        colourise(editor);
        const auto pos
            = static_cast<unsigned long>(editor.positionFromLineIndex(line, column + offset));
        Look look;
        look.style = int(editor.SendScintilla(QsciScintillaBase::SCI_GETSTYLEAT, pos));
        const auto *lexer = qobject_cast<SyntaxLexer *>(editor.lexer());
        look.definition = lexer ? lexer->definitionName(look.style) : QString();
        look.textStyle = lexer ? lexer->format(look.style).textStyle() : Theme::Normal;
        look.colour = fromBgr(editor.SendScintilla(
            QsciScintillaBase::SCI_STYLEGETFORE, static_cast<unsigned long>(look.style)));
        return look;
    }
    qWarning("%s not found", qPrintable(needle));
    return {};
}

int lineOf(ScriptEditor &editor, const QString &needle)
{
    for (int line = 0; line < editor.lines(); ++line) {
        if (editor.text(line).contains(needle))
            return line;
    }
    return -1;
}

Theme namedTheme(const QString &name)
{
    return EditorTheme::repository().theme(name);
}

} // namespace

class TestSyntax : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { EditorTheme::instance()->choose(QStringLiteral("Breeze Light"), nullptr); }
    void cleanupTestCase() { EditorTheme::instance()->choose({}, nullptr); }

    void demoTestsTakeTheThemesColours_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("nixWord"); // a Nix keyword
        QTest::addColumn<QString>("pythonWord"); // a Python keyword in the testScript
        QTest::newRow("single.nix") << "single.nix" << "import" << "assert";
        QTest::newRow("graphical.nix") << "graphical.nix" << "let" << "with";
        QTest::newRow("vlan.nix") << "vlan.nix" << "import" << "with";
    }

    void demoTestsTakeTheThemesColours()
    {
        QFETCH(QString, file);
        QFETCH(QString, nixWord);
        QFETCH(QString, pythonWord);
        ScriptEditor editor;
        QString error;
        QVERIFY2(editor.load(demo(file), &error), qPrintable(error));
        QVERIFY(qobject_cast<SyntaxLexer *>(editor.lexer()));
        const Theme theme = namedTheme(QStringLiteral("Breeze Light"));
        QVERIFY(theme.isValid());

        const Look nixKeyword = lookAt(editor, nixWord);
        QCOMPARE(nixKeyword.definition, QStringLiteral("Nix"));
        QVERIFY(nixKeyword.textStyle == Theme::Keyword || nixKeyword.textStyle == Theme::BuiltIn);
        QCOMPARE(nixKeyword.colour, themeColor(theme, nixKeyword.textStyle));

        // An attribute name: Kate's Nix colours it as a variable.
        const Look attribute = lookAt(editor, QStringLiteral("testScript ="));
        QCOMPARE(attribute.definition, QStringLiteral("Nix"));
        QCOMPARE(attribute.textStyle, Theme::Variable);
        QCOMPARE(attribute.colour, themeColor(theme, Theme::Variable));

        const Look keyword
            = lookAt(editor, pythonWord + u' ', 0, lineOf(editor, QStringLiteral("testScript =")));
        QCOMPARE(keyword.definition, QStringLiteral("Python"));
        QVERIFY2(keyword.textStyle == Theme::ControlFlow || keyword.textStyle == Theme::Keyword,
            qPrintable(QString::number(keyword.textStyle)));
        QCOMPARE(keyword.colour, themeColor(theme, keyword.textStyle));
        // A Python string in the script is Python's, not the Nix string's.
        const Look string = lookAt(editor, QStringLiteral("\"multi-user.target\""), 1);
        QCOMPARE(string.definition, QStringLiteral("Python"));
        QCOMPARE(string.colour, themeColor(theme, Theme::String));
        // The closing '' is Nix again.
        QCOMPARE(lookAt(editor, QStringLiteral("'';")).definition, QStringLiteral("Nix"));
        // The theme's background and line-number margin.
        QCOMPARE(fromBgr(editor.SendScintilla(QsciScintillaBase::SCI_STYLEGETBACK,
                     static_cast<unsigned long>(QsciScintillaBase::STYLE_DEFAULT))),
            QColor::fromRgb(theme.editorColor(Theme::BackgroundColor)));
        QCOMPARE(fromBgr(editor.SendScintilla(QsciScintillaBase::SCI_STYLEGETBACK,
                     static_cast<unsigned long>(QsciScintillaBase::STYLE_LINENUMBER))),
            QColor::fromRgb(theme.editorColor(Theme::IconBorder)));
    }

    void antiquotationsInTheScriptAreNix()
    {
        ScriptEditor editor;
        QString error;
        QVERIFY2(editor.load(demo(QStringLiteral("vlan.nix")), &error), qPrintable(error));
        const QString anti = QStringLiteral("${nodes.server.networking.primaryIPAddress}");
        const Look open = lookAt(editor, anti);
        QCOMPARE(open.definition, QStringLiteral("Nix"));
        QCOMPARE(open.textStyle, Theme::SpecialChar);
        const Look inside = lookAt(editor, anti, 2);
        QCOMPARE(inside.definition, QStringLiteral("Nix"));
        // The Python string goes on after the antiquotation.
        const Look before = lookAt(editor, QStringLiteral("nc ${nodes"));
        const Look after = lookAt(editor, anti + QStringLiteral(" 1234\""), int(anti.size()) + 1);
        QCOMPARE(before.definition, QStringLiteral("Python"));
        QCOMPARE(before.textStyle, Theme::String);
        QCOMPARE(after.style, before.style);
        // The script's Python keywords around it.
        QCOMPARE(
            lookAt(editor, QStringLiteral("with subtest")).definition, QStringLiteral("Python"));
    }

    void pythonLookingNixIsNotPython()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("test.nix"));
        writeAll(path,
            QStringLiteral("{\n"
                           "  # for machine in machines: import os\n"
                           "  description = ''\n"
                           "    for machine in machines:\n"
                           "        import os\n"
                           "  '';\n"
                           "  testScript = ''\n"
                           "    for m in machines:\n"
                           "        m.start()\n"
                           "  '';\n"
                           "}\n"));
        ScriptEditor editor;
        QString error;
        QVERIFY2(editor.load(path, &error), qPrintable(error));
        const Theme theme = namedTheme(QStringLiteral("Breeze Light"));
        const Look comment = lookAt(editor, QStringLiteral("for machine"));
        QCOMPARE(comment.definition, QStringLiteral("Nix"));
        QCOMPARE(comment.textStyle, Theme::Comment);
        const Look string = lookAt(editor, QStringLiteral("for machine"), 0, 3);
        QCOMPARE(string.definition, QStringLiteral("Nix"));
        QCOMPARE(string.colour, themeColor(theme, Theme::String));
        QCOMPARE(
            lookAt(editor, QStringLiteral("import os"), 0, 3).definition, QStringLiteral("Nix"));
        const Look script = lookAt(editor, QStringLiteral("for m in"));
        QCOMPARE(script.definition, QStringLiteral("Python"));
        QVERIFY(script.colour != string.colour);
    }

    // The Python region is the script the build runs, found by the same
    // locator: not a `testScript = ''…''` inside another string or a
    // comment, also when that comes first in the file.
    void theScriptIsWhatTheBuildLocates()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("test.nix"));
        writeAll(path,
            QStringLiteral("{\n"
                           "  description = \"set testScript = ''import os''; to debug\";\n"
                           "  /* testScript = ''\n"
                           "       for machine in machines: pass\n"
                           "     ''; */\n"
                           "  name = \"a#b\"; testScript = ''\n"
                           "    for m in machines:\n"
                           "        m.start()\n"
                           "  '';\n"
                           "}\n"));
        ScriptEditor editor;
        QString error;
        QVERIFY2(editor.load(path, &error), qPrintable(error));
        QCOMPARE(lookAt(editor, QStringLiteral("import os")).definition, QStringLiteral("Nix"));
        const Look comment = lookAt(editor, QStringLiteral("for machine"));
        QCOMPARE(comment.definition, QStringLiteral("Nix"));
        QCOMPARE(comment.textStyle, Theme::Comment);
        QCOMPARE(lookAt(editor, QStringLiteral("for m in")).definition, QStringLiteral("Python"));
        QCOMPARE(lookAt(editor, QStringLiteral("m.start")).definition, QStringLiteral("Python"));
    }

    void switchingThemesRecolours()
    {
        ScriptEditor editor;
        QString error;
        QVERIFY2(editor.load(demo(QStringLiteral("graphical.nix")), &error), qPrintable(error));
        const Theme light = namedTheme(QStringLiteral("Breeze Light"));
        const Theme dark = namedTheme(QStringLiteral("Breeze Dark"));
        const auto background = [&editor] {
            return fromBgr(editor.SendScintilla(QsciScintillaBase::SCI_STYLEGETBACK,
                static_cast<unsigned long>(QsciScintillaBase::STYLE_DEFAULT)));
        };
        const Look before = lookAt(editor, QStringLiteral("subtest(\"the banner"), 8);
        QCOMPARE(before.textStyle, Theme::String);
        QCOMPARE(before.colour, themeColor(light, Theme::String));

        QTemporaryDir dir;
        QSettings settings(dir.filePath(QStringLiteral("nixtide.conf")), QSettings::IniFormat);
        EditorTheme::instance()->choose(QStringLiteral("Breeze Dark"), &settings);
        const Look after = lookAt(editor, QStringLiteral("subtest(\"the banner"), 8);
        QCOMPARE(after.style, before.style);
        QCOMPARE(after.colour, themeColor(dark, Theme::String));
        QVERIFY(after.colour != before.colour);
        QCOMPARE(background(), QColor::fromRgb(dark.editorColor(Theme::BackgroundColor)));
        // The choice is remembered and read back by the next start.
        settings.sync();
        QCOMPARE(settings.value(QLatin1String(EditorTheme::kSettingsKey)).toString(),
            QStringLiteral("Breeze Dark"));
        EditorTheme::instance()->choose(QStringLiteral("Breeze Light"), nullptr);
        QCOMPARE(background(), QColor::fromRgb(light.editorColor(Theme::BackgroundColor)));
        EditorTheme::instance()->restore(settings);
        QCOMPARE(EditorTheme::instance()->chosenName(), QStringLiteral("Breeze Dark"));
        QCOMPARE(background(), QColor::fromRgb(dark.editorColor(Theme::BackgroundColor)));
    }

    void withoutAChoiceTheThemeFollowsThePalette()
    {
        ScriptEditor editor;
        QString error;
        QVERIFY2(editor.load(demo(QStringLiteral("single.nix")), &error), qPrintable(error));
        const QPalette original = QApplication::palette();
        EditorTheme::instance()->choose({}, nullptr);
        QPalette dark = original;
        dark.setColor(QPalette::Window, QColor(0x20, 0x20, 0x20));
        dark.setColor(QPalette::Base, QColor(0x18, 0x18, 0x18));
        dark.setColor(QPalette::Text, QColor(0xe0, 0xe0, 0xe0));
        dark.setColor(QPalette::WindowText, QColor(0xe0, 0xe0, 0xe0));
        dark.setColor(QPalette::Highlight, QColor(0x30, 0x60, 0xa0));
        QApplication::setPalette(dark);
        const QColor darkBackground
            = fromBgr(editor.SendScintilla(QsciScintillaBase::SCI_STYLEGETBACK,
                static_cast<unsigned long>(QsciScintillaBase::STYLE_DEFAULT)));
        QApplication::setPalette(original);
        QVERIFY2(darkBackground.lightness() < 128, qPrintable(darkBackground.name()));
        QCOMPARE(EditorTheme::instance()->theme().name(),
            EditorTheme::repository().themeForPalette(original).name());
    }

    void editsThatOpenOrCloseTheScriptRecolour()
    {
        ScriptEditor editor;
        QString error;
        QVERIFY2(editor.load(demo(QStringLiteral("single.nix")), &error), qPrintable(error));
        const QString probe = QStringLiteral("machine.fail");
        QCOMPARE(lookAt(editor, probe).definition, QStringLiteral("Python"));

        // Renaming the attribute: the string is no test script any more.
        const int attr = lineOf(editor, QStringLiteral("testScript = ''"));
        const int column = int(editor.text(attr).indexOf(QStringLiteral("testScript")));
        editor.setSelection(attr, column, attr, column + 10);
        editor.replaceSelectedText(QStringLiteral("description"));
        QCOMPARE(lookAt(editor, probe).definition, QStringLiteral("Nix"));
        QCOMPARE(lookAt(editor, probe).textStyle, Theme::String);
        editor.undo();
        QCOMPARE(lookAt(editor, probe).definition, QStringLiteral("Python"));

        // Closing the string early: what follows is Nix code.
        const int close = lineOf(editor, QStringLiteral("machine.wait_for_unit(\"hello"));
        editor.insertAt(QStringLiteral("  '';\n"), close, 0);
        QCOMPARE(lookAt(editor, probe).definition, QStringLiteral("Nix"));
        QCOMPARE(
            lookAt(editor, QStringLiteral("assert hostname")).definition, QStringLiteral("Python"));
        editor.undo();
        QCOMPARE(lookAt(editor, probe).definition, QStringLiteral("Python"));

        // Deleting the closing '' leaves the string open to the end of the
        // file: no script any more, above the edit too.
        colourise(editor);
        const int end = lineOf(editor, QStringLiteral("  '';"));
        editor.setSelection(end, 2, end, 4);
        editor.removeSelectedText();
        QCOMPARE(
            lookAt(editor, QStringLiteral("machine.start()")).definition, QStringLiteral("Nix"));
        editor.undo();
        QCOMPARE(
            lookAt(editor, QStringLiteral("machine.start()")).definition, QStringLiteral("Python"));
    }

    void anEditRecoloursFromItsLineOnly()
    {
        ScriptEditor editor;
        QString error;
        QVERIFY2(editor.load(demo(QStringLiteral("vlan.nix")), &error), qPrintable(error));
        colourise(editor);
        const auto *lexer = qobject_cast<SyntaxLexer *>(editor.lexer());
        QVERIFY(lexer);
        const int whole = lexer->highlightedLines();
        QVERIFY(whole >= editor.lines() - 1);
        const int line = lineOf(editor, QStringLiteral("client.unblock()"));
        editor.insertAt(QStringLiteral("x"), line, 0);
        colourise(editor);
        QVERIFY2(lexer->highlightedLines() - whole <= editor.lines() - line,
            qPrintable(QString::number(lexer->highlightedLines() - whole)));
        QCOMPARE(lookAt(editor, QStringLiteral("client.wait_until_succeeds(\"ping"), 27).textStyle,
            Theme::String);
    }

    void pythonFilesArePython()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("script.py"));
        QVERIFY(writeFile(path, "for m in machines:\n    m.start()\n"));
        ScriptEditor editor;
        QString error;
        QVERIFY(editor.load(path, &error));
        QCOMPARE(editor.lexer()->language(), "Python");
        const Look look = lookAt(editor, QStringLiteral("for m"));
        QCOMPARE(look.definition, QStringLiteral("Python"));
        QCOMPARE(
            look.colour, themeColor(namedTheme(QStringLiteral("Breeze Light")), look.textStyle));
    }
};

QTEST_MAIN(TestSyntax)
#include "tst_syntax.moc"
