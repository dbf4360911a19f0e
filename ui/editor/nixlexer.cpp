#include "ui/editor/nixlexer.h"

#include "ui/editor/nixscanner.h"

#include <QFontDatabase>
#include <Qsci/qsciscintilla.h>

namespace nixtide {

namespace {

// Only the lexer's own Python styles: Scintilla's predefined styles
// (STYLE_DEFAULT = 32, line numbers, braces) keep the editor's colours.
bool isPythonStyle(int style)
{
    return style >= static_cast<int>(NixStyle::PyDefault)
        && style < static_cast<int>(NixStyle::Count);
}

} // namespace

NixLexer::NixLexer(QObject *parent)
    : QsciLexerCustom(parent)
    , m_font(QFontDatabase::systemFont(QFontDatabase::FixedFont))
{ }

QString NixLexer::description(int style) const
{
    switch (static_cast<NixStyle>(style)) {
    case NixStyle::Default:
        return tr("Default");
    case NixStyle::Comment:
        return tr("Comment");
    case NixStyle::String:
        return tr("String");
    case NixStyle::Escape:
        return tr("Escape");
    case NixStyle::Antiquote:
        return tr("Antiquotation");
    case NixStyle::Keyword:
        return tr("Keyword");
    case NixStyle::Path:
        return tr("Path");
    case NixStyle::Number:
        return tr("Number");
    case NixStyle::Operator:
        return tr("Operator");
    case NixStyle::Builtin:
        return tr("Builtin");
    case NixStyle::PyDefault:
        return tr("Test script");
    case NixStyle::PyComment:
        return tr("Test script comment");
    case NixStyle::PyString:
        return tr("Test script string");
    case NixStyle::PyKeyword:
        return tr("Test script keyword");
    case NixStyle::PyNumber:
        return tr("Test script number");
    case NixStyle::PyCall:
        return tr("Test script call");
    case NixStyle::PyDecorator:
        return tr("Test script decorator");
    case NixStyle::Count:
        break;
    }
    return {};
}

QColor NixLexer::defaultColor(int style) const
{
    switch (static_cast<NixStyle>(style)) {
    case NixStyle::Comment:
    case NixStyle::PyComment:
        return QColor(0x6a, 0x73, 0x7d);
    case NixStyle::String:
        return QColor(0x03, 0x2f, 0x62);
    case NixStyle::PyString:
        return QColor(0x22, 0x86, 0x3a);
    case NixStyle::Escape:
        return QColor(0xb3, 0x1d, 0x28);
    case NixStyle::Antiquote:
        return QColor(0xd7, 0x3a, 0x49);
    case NixStyle::Keyword:
        return QColor(0x6f, 0x42, 0xc1);
    case NixStyle::PyKeyword:
        return QColor(0x00, 0x00, 0xa0);
    case NixStyle::Path:
        return QColor(0x00, 0x5c, 0xc5);
    case NixStyle::Number:
    case NixStyle::PyNumber:
        return QColor(0x00, 0x80, 0x80);
    case NixStyle::Builtin:
        return QColor(0xe3, 0x62, 0x09);
    case NixStyle::PyCall:
        return QColor(0x6f, 0x42, 0xc1);
    case NixStyle::PyDecorator:
        return QColor(0x80, 0x50, 0x00);
    default:
        return QColor(0x24, 0x29, 0x2e);
    }
}

QFont NixLexer::defaultFont(int style) const
{
    QFont font = m_font;
    const auto s = static_cast<NixStyle>(style);
    font.setBold(s == NixStyle::Keyword || s == NixStyle::PyKeyword);
    font.setItalic(s == NixStyle::Comment || s == NixStyle::PyComment);
    return font;
}

QColor NixLexer::defaultPaper(int style) const
{
    // A faint tint marks where the test script's Python begins and ends.
    if (isPythonStyle(style))
        return QColor(0xf7, 0xf9, 0xef);
    return QColor(Qt::white);
}

bool NixLexer::defaultEolFill(int style) const
{
    // Tint whole lines of the test script, not just up to the last character.
    return isPythonStyle(style);
}

void NixLexer::styleText(int start, int end)
{
    QsciScintilla *ed = editor();
    if (!ed || end <= start)
        return;
    // Nix strings and antiquotations span lines, so the state at `start`
    // depends on everything before it: scan the prefix. Test files are a few
    // hundred lines; the scan is linear and takes well under a millisecond.
    const QByteArray styles = scanNix(ed->bytes(0, end));
    const int n = std::min(end, static_cast<int>(styles.size()));
    startStyling(start);
    int run = start;
    while (run < n) {
        int next = run + 1;
        while (next < n && styles[next] == styles[run])
            ++next;
        setStyling(next - run, static_cast<unsigned char>(styles[run]));
        run = next;
    }
}

} // namespace nixtide
