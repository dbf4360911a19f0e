#pragma once

#include <QFont>
#include <QObject>
#include <QStringList>

#include <KSyntaxHighlighting/Theme>

class QSettings;

namespace KSyntaxHighlighting {
class Repository;
}

namespace nixtide {

// The editor's own colours, beside the text's, taken from a theme. Line and
// annotation backgrounds are the theme's mark colours laid lightly over its
// background, so that text stays readable on them.
struct EditorColours
{
    QColor background;
    QColor text;
    QColor caretLine;
    QColor selection;
    QColor matchedBrace;
    QColor marginBackground;
    QColor lineNumbers;
    QColor currentLine; // under the current-line marker
    QColor exceptionLine;
    QColor error; // annotation text and backgrounds
    QColor errorPaper;
    QColor exceptionPaper;
    QColor warning;
    QColor warningPaper;

    static EditorColours from(const KSyntaxHighlighting::Theme &theme);
};

// The colour theme of every editor: the KSyntaxHighlighting theme the user
// chose (remembered in QSettings), or, while none is chosen, the light or dark
// theme matching the desktop palette, re-picked when the palette changes.
class EditorTheme : public QObject
{
    Q_OBJECT

public:
    static EditorTheme *instance();
    // Kate's syntax definitions and themes, loaded once for the process.
    static KSyntaxHighlighting::Repository &repository();
    static constexpr auto kSettingsKey = "editor/theme";
    static constexpr auto kFontKey = "editor/font";
    static constexpr auto kTabWidthKey = "editor/tabWidth";

    KSyntaxHighlighting::Theme theme() const;
    // Empty while the theme follows the desktop palette.
    QString chosenName() const { return m_chosen; }
    QStringList themeNames() const;

    void restore(const QSettings &settings);
    // An empty name follows the palette again; settings may be null.
    void choose(const QString &name, QSettings *settings);

    // The editors' font (the system's fixed font unless chosen) and tab
    // width (0: by language, 2 in .nix files and 4 in Python); settings may
    // be null.
    QFont font() const;
    void setFont(const QFont &font, QSettings *settings);
    int tabWidth() const { return m_tabWidth; }
    void setTabWidth(int width, QSettings *settings);

Q_SIGNALS:
    void changed();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    explicit EditorTheme(QObject *parent);

    QString m_chosen;
    QString m_font; // QFont::toString(); empty: the system's fixed font
    int m_tabWidth = 0;
};

} // namespace nixtide
