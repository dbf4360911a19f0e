#pragma once

#include "ui/editor/scriptregion.h"

#include <QFont>
#include <QHash>
#include <QVector>
#include <Qsci/qscilexercustom.h>

#include <KSyntaxHighlighting/Format>
#include <KSyntaxHighlighting/State>
#include <KSyntaxHighlighting/Theme>
#include <memory>

namespace KSyntaxHighlighting {
class Definition;
}

namespace nixtide {

// Colours a QScintilla document with KSyntaxHighlighting (Kate's definitions
// and themes) while QScintilla stays the editing widget.
//
// A .nix test is highlighted as Nix, and the lines of its testScript (found
// by ScriptRegion) a second time as Python; the Python colours win where the
// characters are the script's Python, so `${…}`, Nix escapes and the string's
// delimiters keep their Nix colours. Why two passes rather than one syntax
// definition of our own that includes Nix and Python: a definition can only
// include another's top-level rules, so once Python enters one of its own
// contexts (a string, a bracket) our `${` and closing `''` rules would no
// longer apply; the antiquotations in Python strings, the common case, would
// be lost. The build already locates the script the same way.
//
// Each line's end state (Nix and Python) is kept, so Scintilla's requests,
// which start at the first line an edit touched, re-highlight from there on
// only. Every KSyntaxHighlighting format is one QScintilla style; a theme
// change re-colours the styles, not the text.
class SyntaxLexer : public QsciLexerCustom
{
    Q_OBJECT

public:
    enum class Mode { NixTest, Python };

    SyntaxLexer(Mode mode, const KSyntaxHighlighting::Theme &theme, QObject *parent = nullptr);
    ~SyntaxLexer() override;

    Mode mode() const { return m_mode; }
    const char *language() const override;
    QString description(int style) const override;
    void styleText(int start, int end) override;
    void setEditor(QsciScintilla *editor) override;

    QColor defaultColor(int style) const override;
    QColor defaultPaper(int style) const override;
    QFont defaultFont(int style) const override;

    KSyntaxHighlighting::Theme theme() const { return m_theme; }
    void setTheme(const KSyntaxHighlighting::Theme &theme);

    // The format a style stands for; invalid for the default style.
    KSyntaxHighlighting::Format format(int style) const;
    // The name of the definition ("Nix", "Python") whose format a style is.
    QString definitionName(int style) const;
    // True for the test script's Python code outside strings and comments.
    bool isScriptCode(int style) const;
    // Lines highlighted since the lexer was made: what an edit costs.
    int highlightedLines() const { return m_highlightedLines; }

private:
    class Pass;
    struct StyleEntry
    {
        KSyntaxHighlighting::Format format;
        QString definition;
    };
    struct LineEnd
    {
        KSyntaxHighlighting::State nix;
        KSyntaxHighlighting::State python;
    };

    void addStyles(const KSyntaxHighlighting::Definition &definition);
    int styleFor(const KSyntaxHighlighting::Format &format) const;
    void styleLine(int line);
    void applyStyles(int line, const QString &text, const QVector<unsigned char> &styles);

    Mode m_mode;
    KSyntaxHighlighting::Theme m_theme;
    QFont m_font;
    std::unique_ptr<Pass> m_nix;
    std::unique_ptr<Pass> m_python;
    QHash<int, StyleEntry> m_styles; // style number → format
    QHash<int, int> m_styleOfFormat; // Format::id() → style number
    QVector<LineEnd> m_lineEnds; // element i: the state after line i
    ScriptRegion m_region;
    bool m_regionStale = true; // the text changed since m_region was located
    int m_highlightedLines = 0;
};

} // namespace nixtide
