#include "ui/editor/syntaxlexer.h"

#include "ui/editor/editortheme.h"

#include <QFontDatabase>
#include <Qsci/qsciscintilla.h>

#include <KSyntaxHighlighting/AbstractHighlighter>
#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Repository>
#include <algorithm>

namespace KSH = KSyntaxHighlighting;

namespace nixtide {

namespace {

// Style numbers 32 to 39 are Scintilla's own (default, line numbers, braces…)
// and ScriptEditor keeps 40 to 63 for annotations: formats get the rest.
int styleNumber(int index)
{
    return index < QsciScintillaBase::STYLE_DEFAULT ? index : index + 32;
}

constexpr int kMaxStyle = 255;

// Bytes of a UTF-16 unit in UTF-8: a surrogate pair counts 4 on its first half.
int utf8Length(char16_t c)
{
    if (c < 0x80)
        return 1;
    if (c < 0x800)
        return 2;
    if (QChar::isHighSurrogate(c))
        return 4;
    if (QChar::isLowSurrogate(c))
        return 0;
    return 3;
}

} // namespace

// One definition's highlighting of single lines into style numbers.
class SyntaxLexer::Pass final : public KSH::AbstractHighlighter
{
public:
    Pass(const SyntaxLexer &owner, const KSH::Definition &definition)
        : m_owner(owner)
    {
        setDefinition(definition);
    }

    KSH::State run(QStringView text, const KSH::State &state, QVector<unsigned char> *styles)
    {
        m_styles = styles;
        const KSH::State next = highlightLine(text, state);
        m_styles = nullptr;
        return next;
    }

protected:
    void applyFormat(int offset, int length, const KSH::Format &format) override
    {
        const auto style = static_cast<unsigned char>(m_owner.styleFor(format));
        const int end = std::min(offset + length, int(m_styles->size()));
        for (int i = std::max(offset, 0); i < end; ++i)
            (*m_styles)[i] = style;
    }

private:
    const SyntaxLexer &m_owner;
    QVector<unsigned char> *m_styles = nullptr;
};

SyntaxLexer::SyntaxLexer(Mode mode, const KSH::Theme &theme, QObject *parent)
    : QsciLexerCustom(parent)
    , m_mode(mode)
    , m_font(EditorTheme::instance()->font())
{
    KSH::Repository &repository = EditorTheme::repository();
    const auto definition = [&repository](const QString &name) {
        const KSH::Definition found = repository.definitionForName(name);
        if (!found.isValid())
            qWarning("nixtide: KSyntaxHighlighting has no \"%s\" definition; its text stays plain",
                qPrintable(name));
        return found;
    };
    const KSH::Definition python = definition(QStringLiteral("Python"));
    if (mode == Mode::NixTest) {
        const KSH::Definition nix = definition(QStringLiteral("Nix"));
        addStyles(nix);
        m_nix = std::make_unique<Pass>(*this, nix);
    }
    addStyles(python);
    m_python = std::make_unique<Pass>(*this, python);
    setTheme(theme);
}

SyntaxLexer::~SyntaxLexer() = default;

const char *SyntaxLexer::language() const
{
    return m_mode == Mode::NixTest ? "Nix" : "Python";
}

void SyntaxLexer::addStyles(const KSH::Definition &definition)
{
    for (const KSH::Format &format : definition.formats()) {
        if (m_styleOfFormat.contains(format.id()))
            continue;
        const int style = styleNumber(int(m_styles.size()) + 1);
        if (style > kMaxStyle) {
            qWarning("nixtide: more formats than QScintilla styles; %s's \"%s\" looks plain",
                qPrintable(definition.name()), qPrintable(format.name()));
            continue;
        }
        m_styleOfFormat.insert(format.id(), style);
        m_styles.insert(style, {format, definition.name()});
    }
    for (const KSH::Definition &included : definition.includedDefinitions())
        addStyles(included);
}

int SyntaxLexer::styleFor(const KSH::Format &format) const
{
    return m_styleOfFormat.value(format.id(), 0);
}

KSH::Format SyntaxLexer::format(int style) const
{
    return m_styles.value(style).format;
}

QString SyntaxLexer::definitionName(int style) const
{
    return m_styles.value(style).definition;
}

bool SyntaxLexer::isScriptCode(int style) const
{
    const auto it = m_styles.constFind(style);
    if (it == m_styles.cend() || it->definition != QLatin1String("Python"))
        return false;
    switch (it->format.textStyle()) {
    case KSH::Theme::Comment:
    case KSH::Theme::Documentation:
    case KSH::Theme::CommentVar:
    case KSH::Theme::String:
    case KSH::Theme::VerbatimString:
    case KSH::Theme::SpecialString:
    case KSH::Theme::Char:
    case KSH::Theme::SpecialChar:
        return false;
    default:
        return true;
    }
}

QString SyntaxLexer::description(int style) const
{
    if (style == 0)
        return tr("Default");
    const auto it = m_styles.constFind(style);
    if (it == m_styles.cend())
        return {};
    return tr("%1: %2").arg(it->definition, it->format.name());
}

QColor SyntaxLexer::defaultColor(int style) const
{
    const KSH::Format f = format(style);
    if (f.isValid() && f.hasTextColor(m_theme))
        return f.textColor(m_theme);
    return QColor::fromRgba(m_theme.textColor(KSH::Theme::Normal));
}

QColor SyntaxLexer::defaultPaper(int style) const
{
    const KSH::Format f = format(style);
    if (f.isValid() && f.hasBackgroundColor(m_theme))
        return f.backgroundColor(m_theme);
    return QColor::fromRgba(m_theme.editorColor(KSH::Theme::BackgroundColor));
}

QFont SyntaxLexer::defaultFont(int style) const
{
    QFont font = m_font;
    const KSH::Format f = format(style);
    if (f.isValid()) {
        font.setBold(f.isBold(m_theme));
        font.setItalic(f.isItalic(m_theme));
        font.setUnderline(f.isUnderline(m_theme));
        font.setStrikeOut(f.isStrikeThrough(m_theme));
    }
    return font;
}

void SyntaxLexer::setTheme(const KSH::Theme &theme)
{
    m_theme = theme;
    m_font = EditorTheme::instance()->font();
    setDefaultColor(defaultColor(0));
    setDefaultPaper(defaultPaper(0));
    setDefaultFont(m_font);
    QList<int> styles = m_styles.keys();
    styles << 0 << QsciScintillaBase::STYLE_DEFAULT;
    for (int style : std::as_const(styles)) {
        setColor(defaultColor(style), style);
        setPaper(defaultPaper(style), style);
        setFont(defaultFont(style), style);
    }
}

void SyntaxLexer::setEditor(QsciScintilla *editor)
{
    if (QsciScintilla *old = this->editor())
        disconnect(old, nullptr, this, nullptr);
    QsciLexerCustom::setEditor(editor);
    m_lineEnds.clear();
    m_regionStale = true;
    if (editor)
        connect(editor, &QsciScintilla::textChanged, this, [this] { m_regionStale = true; });
}

void SyntaxLexer::styleText(int start, int end)
{
    QsciScintilla *ed = editor();
    if (!ed || end <= start)
        return;
    const auto lineOf = [ed](int position) {
        return int(ed->SendScintilla(
            QsciScintillaBase::SCI_LINEFROMPOSITION, static_cast<unsigned long>(position)));
    };
    int first = lineOf(start);
    const int last = lineOf(end - 1);
    if (m_mode == Mode::NixTest && m_regionStale) {
        // The script's extent can change above the edit (an unterminated
        // string hides it): restyle from the first line whose view changed.
        ScriptRegion region = ScriptRegion::locate(ed->text());
        const int changed = ScriptRegion::firstDifference(m_region, region);
        if (changed >= 0)
            first = std::min(first, changed);
        m_region = std::move(region);
        m_regionStale = false;
    }
    // Lines above the first one Scintilla asks for are unchanged, and so are
    // their end states.
    first = std::min(first, int(m_lineEnds.size()));
    m_lineEnds.resize(first);
    for (int line = first; line <= last; ++line)
        styleLine(line);
}

void SyntaxLexer::styleLine(int line)
{
    QString text = editor()->text(line);
    while (text.endsWith(u'\n') || text.endsWith(u'\r'))
        text.chop(1);
    const LineEnd previous = line > 0 ? m_lineEnds.value(line - 1) : LineEnd();
    QVector<unsigned char> styles(text.size(), 0);
    LineEnd end;
    if (m_mode == Mode::Python) {
        end.python = m_python->run(text, previous.python, &styles);
    } else {
        end.nix = m_nix->run(text, previous.nix, &styles);
        const ScriptLineView *view = m_region.line(line);
        if (view && view->python.size() == text.size()) {
            QVector<unsigned char> python(text.size(), 0);
            const KSH::State from
                = line == m_region.scriptFirstLine(line) ? KSH::State() : previous.python;
            end.python = m_python->run(view->python, from, &python);
            for (int i = 0; i < text.size(); ++i) {
                if (view->isPython.at(i))
                    styles[i] = python.at(i);
            }
        }
    }
    m_lineEnds.append(end);
    ++m_highlightedLines;
    applyStyles(line, text, styles);
}

void SyntaxLexer::applyStyles(int line, const QString &text, const QVector<unsigned char> &styles)
{
    QsciScintilla *ed = editor();
    const auto send = [ed](unsigned int message, int argument) {
        return int(ed->SendScintilla(message, static_cast<unsigned long>(argument)));
    };
    const int from = send(QsciScintillaBase::SCI_POSITIONFROMLINE, line);
    const int lineEnd = send(QsciScintillaBase::SCI_GETLINEENDPOSITION, line);
    const int next = line + 1 < ed->lines()
        ? send(QsciScintillaBase::SCI_POSITIONFROMLINE, line + 1)
        : int(ed->SendScintilla(QsciScintillaBase::SCI_GETLENGTH));
    const bool utf8 = ed->isUtf8();
    startStyling(from);
    int position = from;
    int runStyle = 0;
    int runLength = 0;
    for (int i = 0; i < text.size() && position < lineEnd; ++i) {
        const int bytes = std::min(utf8 ? utf8Length(text.at(i).unicode()) : 1, lineEnd - position);
        if (styles.at(i) != runStyle && runLength > 0) {
            setStyling(runLength, runStyle);
            runLength = 0;
        }
        runStyle = styles.at(i);
        runLength += bytes;
        position += bytes;
    }
    if (runLength > 0)
        setStyling(runLength, runStyle);
    if (next > position)
        setStyling(next - position, 0);
}

} // namespace nixtide
