#pragma once

#include <QRgb>
#include <QString>

namespace nixtide {

// One character cell as the view paints it. Colours are already resolved to
// RGB (palette and default colours applied) so that screen rows and
// scrollback rows look the same to a painter; the Default* flags say where
// the terminal's default colours were used, should a view want its theme's.
struct TerminalCell
{
    enum Flag : quint8 {
        Bold = 1 << 0,
        Underline = 1 << 1,
        Italic = 1 << 2,
        Reverse = 1 << 3,
        Strike = 1 << 4,
        DefaultFg = 1 << 5,
        DefaultBg = 1 << 6,
    };

    char32_t ch = 0; // 0: never written (paints as blank)
    quint8 width = 1; // 2 for the first half of a wide character, 0 for its second half
    quint8 flags = DefaultFg | DefaultBg;
    QRgb fg = 0;
    QRgb bg = 0;

    bool has(Flag f) const { return (flags & f) != 0; }
    bool bold() const { return has(Bold); }
    bool underline() const { return has(Underline); }
    bool italic() const { return has(Italic); }
    bool reverse() const { return has(Reverse); }
    QString text() const { return ch == 0 ? QStringLiteral(" ") : QString::fromUcs4(&ch, 1); }
};

} // namespace nixtide
