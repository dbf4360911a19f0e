// KSyntaxHighlighting (KF6): the Nix and Python definitions and the light and
// dark themes the editor's colours come from.
#include <QGuiApplication>
#include <QPalette>
#include <QTest>

#include <KSyntaxHighlighting/AbstractHighlighter>
#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Format>
#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/State>
#include <KSyntaxHighlighting/Theme>

namespace KSH = KSyntaxHighlighting;

namespace {

// Records the format of every character of the lines it is given.
class Recorder : public KSH::AbstractHighlighter
{
public:
    QList<KSH::Format> formats;
    KSH::State line(const QString &text, const KSH::State &state)
    {
        formats = QList<KSH::Format>(text.size());
        return highlightLine(text, state);
    }

protected:
    void applyFormat(int offset, int length, const KSH::Format &format) override
    {
        for (int i = offset; i < offset + length && i < formats.size(); ++i)
            formats[i] = format;
    }
};

} // namespace

class TestKSyntaxHighlighting : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void nixAndPythonHighlightLineByLine()
    {
        KSH::Repository repository;
        Recorder nix;
        nix.setDefinition(repository.definitionForName(QStringLiteral("Nix")));
        QVERIFY(nix.definition().isValid());
        const QString let = QStringLiteral("let x = ''");
        const KSH::State open = nix.line(let, {});
        QCOMPARE(nix.formats.at(0).textStyle(), KSH::Theme::Keyword);
        // The state carries the open string to the next line.
        nix.line(QStringLiteral("  for"), open);
        QCOMPARE(nix.formats.at(2).textStyle(), KSH::Theme::String);

        Recorder python;
        python.setDefinition(repository.definitionForName(QStringLiteral("Python")));
        QVERIFY(python.definition().isValid());
        python.line(QStringLiteral("for m in machines:"), {});
        QCOMPARE(python.formats.at(0).textStyle(), KSH::Theme::ControlFlow);
    }

    void lightAndDarkThemes()
    {
        KSH::Repository repository;
        const KSH::Theme light = repository.theme(QStringLiteral("Breeze Light"));
        const KSH::Theme dark = repository.theme(QStringLiteral("Breeze Dark"));
        QVERIFY(light.isValid() && dark.isValid());
        QVERIFY(light.textColor(KSH::Theme::Keyword) != dark.textColor(KSH::Theme::Keyword));
        QVERIFY(repository.themes().size() >= 2);
        QPalette palette;
        palette.setColor(QPalette::Base, QColor(0x10, 0x10, 0x10));
        palette.setColor(QPalette::Highlight, QColor(0x30, 0x60, 0xa0));
        const QColor background = QColor::fromRgb(
            repository.themeForPalette(palette).editorColor(KSH::Theme::BackgroundColor));
        QVERIFY2(background.lightness() < 128, qPrintable(background.name()));
    }
};

QTEST_MAIN(TestKSyntaxHighlighting)
#include "tst_ksyntaxhighlighting.moc"
