#pragma once

#include <Qsci/qscilexercustom.h>

namespace nixtide {

// Nix highlighting for QScintilla, with the test script inside the .nix file
// styled as Python. Styles are the NixStyle numbers of nixscanner.h.
class NixLexer : public QsciLexerCustom
{
    Q_OBJECT

public:
    explicit NixLexer(QObject *parent = nullptr);

    const char *language() const override { return "Nix"; }
    QString description(int style) const override;
    void styleText(int start, int end) override;

    QColor defaultColor(int style) const override;
    QFont defaultFont(int style) const override;
    QColor defaultPaper(int style) const override;
    bool defaultEolFill(int style) const override;

private:
    QFont m_font;
};

} // namespace nixtide
