#include "core/terminal/terminalscreen.h"

#include "core/terminal/vtermcompat.h"

#include <algorithm>
#include <vector>
#include <vterm.h>

namespace nixtide {

namespace {

constexpr int kDefaultScrollback = 10000;
constexpr uint32_t kWideCharTail = 0xFFFFFFFFu; // libvterm's marker for a wide char's right half

QRgb toRgb(const VTermScreen *screen, VTermColor c)
{
#ifdef NIXTIDE_VTERM_TAGGED_COLOR
    vterm_screen_convert_color_to_rgb(screen, &c);
    return qRgb(c.rgb.red, c.rgb.green, c.rgb.blue);
#else
    Q_UNUSED(screen);
    return qRgb(c.red, c.green, c.blue);
#endif
}

VTermColor fromRgb(QRgb rgb, int defaultFlag)
{
    VTermColor c;
#ifdef NIXTIDE_VTERM_TAGGED_COLOR
    vterm_color_rgb(&c, static_cast<uint8_t>(qRed(rgb)), static_cast<uint8_t>(qGreen(rgb)),
        static_cast<uint8_t>(qBlue(rgb)));
    c.type = static_cast<uint8_t>(c.type | defaultFlag);
#else
    Q_UNUSED(defaultFlag);
    c.red = static_cast<uint8_t>(qRed(rgb));
    c.green = static_cast<uint8_t>(qGreen(rgb));
    c.blue = static_cast<uint8_t>(qBlue(rgb));
#endif
    return c;
}

VTermColor fromQColor(const QColor &color)
{
    return fromRgb(color.rgb(), 0);
}

} // namespace

// Static trampolines: libvterm calls plain C functions with our pointer as
// `user`; each only forwards to the screen object.
struct TerminalScreenCallbacks
{
    static TerminalScreen *self(void *user) { return static_cast<TerminalScreen *>(user); }

    static int damage(VTermRect rect, void *user)
    {
        self(user)->invalidate(rect.start_row, rect.end_row);
        return 1;
    }
    static int moverect(VTermRect dest, VTermRect src, void *user)
    {
        self(user)->invalidate(
            std::min(dest.start_row, src.start_row), std::max(dest.end_row, src.end_row));
        return 1;
    }
    static int movecursor(VTermPos pos, VTermPos oldpos, int visible, void *user)
    {
        auto *s = self(user);
        s->m_cursor = QPoint(pos.col, pos.row);
        s->m_cursorVisible = visible != 0;
        // The old and new cursor cells must be repainted.
        s->invalidate(oldpos.row, oldpos.row + 1);
        s->invalidate(pos.row, pos.row + 1);
        return 1;
    }
    static int settermprop(VTermProp prop, VTermValue *val, void *user)
    {
        auto *s = self(user);
        switch (prop) {
        case VTERM_PROP_CURSORVISIBLE:
            s->m_cursorVisible = val->boolean != 0;
            s->invalidate(s->m_cursor.y(), s->m_cursor.y() + 1);
            return 1;
        case VTERM_PROP_TITLE:
#ifdef NIXTIDE_VTERM_FRAGMENTS
            if (val->string.initial)
                s->m_titleBytes.clear();
            s->m_titleBytes.append(val->string.str, static_cast<qsizetype>(val->string.len));
            if (!val->string.final)
                return 1;
            s->m_title = QString::fromUtf8(s->m_titleBytes);
            s->m_titleBytes.clear();
#else
            s->m_title = QString::fromUtf8(val->string);
#endif
            Q_EMIT s->titleChanged(s->m_title);
            return 1;
        default:
            return 0;
        }
    }
    static int bell(void *user)
    {
        Q_EMIT self(user)->bell();
        return 1;
    }
    static int sb_pushline(int cols, const VTermScreenCell *cells, void *user)
    {
        auto *s = self(user);
        Scrollback::Line line;
        line.reserve(static_cast<std::size_t>(cols));
        for (int i = 0; i < cols; ++i)
            line.push_back(s->convertCell(&cells[i]));
        // Trailing never-written cells carry no information; dropping them
        // keeps 10,000 lines of short serial output small.
        while (!line.empty() && line.back().ch == 0
            && line.back().flags == (TerminalCell::DefaultFg | TerminalCell::DefaultBg))
            line.pop_back();
        const bool wasFull = s->m_scrollback.size() == s->m_scrollback.capacity();
        s->m_scrollback.push(std::move(line));
        if (!wasFull)
            ++s->m_scrollbackDelta;
        return 1;
    }
    static int sb_popline(int cols, VTermScreenCell *cells, void *user)
    {
        auto *s = self(user);
        if (s->m_scrollback.size() == 0)
            return 0;
        const Scrollback::Line line = s->m_scrollback.popNewest();
        --s->m_scrollbackDelta;
        for (int i = 0; i < cols; ++i) {
            VTermScreenCell &out = cells[i];
            out = VTermScreenCell {};
            const TerminalCell in = i < static_cast<int>(line.size())
                ? line[static_cast<std::size_t>(i)]
                : s->blankCell();
            out.chars[0] = in.width == 0 ? kWideCharTail : in.ch;
            out.width = static_cast<char>(in.width == 0 ? 1 : in.width);
            out.attrs.bold = in.bold() ? 1 : 0;
            out.attrs.underline = in.underline() ? 1 : 0;
            out.attrs.italic = in.italic() ? 1 : 0;
            out.attrs.reverse = in.reverse() ? 1 : 0;
            out.attrs.strike = in.has(TerminalCell::Strike) ? 1 : 0;
#ifdef NIXTIDE_VTERM_TAGGED_COLOR
            out.fg = fromRgb(in.fg, in.has(TerminalCell::DefaultFg) ? VTERM_COLOR_DEFAULT_FG : 0);
            out.bg = fromRgb(in.bg, in.has(TerminalCell::DefaultBg) ? VTERM_COLOR_DEFAULT_BG : 0);
#else
            out.fg = fromRgb(in.fg, 0);
            out.bg = fromRgb(in.bg, 0);
#endif
        }
        return 1;
    }
#ifdef NIXTIDE_VTERM_SB_CLEAR
    static int sb_clear(void *user)
    {
        auto *s = self(user);
        s->m_scrollbackDelta -= static_cast<int>(s->m_scrollback.size());
        s->m_scrollback.clear();
        return 1;
    }
#endif
    static void output(const char *bytes, size_t len, void *user)
    {
        self(user)->m_pendingOutput.append(bytes, static_cast<qsizetype>(len));
    }
};

namespace {
const VTermScreenCallbacks kScreenCallbacks = [] {
    VTermScreenCallbacks cb {};
    cb.damage = &TerminalScreenCallbacks::damage;
    cb.moverect = &TerminalScreenCallbacks::moverect;
    cb.movecursor = &TerminalScreenCallbacks::movecursor;
    cb.settermprop = &TerminalScreenCallbacks::settermprop;
    cb.bell = &TerminalScreenCallbacks::bell;
    cb.sb_pushline = &TerminalScreenCallbacks::sb_pushline;
    cb.sb_popline = &TerminalScreenCallbacks::sb_popline;
#ifdef NIXTIDE_VTERM_SB_CLEAR
    cb.sb_clear = &TerminalScreenCallbacks::sb_clear;
#endif
    return cb;
}();
} // namespace

void TerminalScreen::VTermDeleter::operator()(VTerm *vt) const
{
    vterm_free(vt);
}

int TerminalScreen::libvtermMinorVersion()
{
    // libvterm aborts here if the shared library is older than the header.
    vterm_check_version(VTERM_VERSION_MAJOR, VTERM_VERSION_MINOR);
    return VTERM_VERSION_MINOR;
}

TerminalScreen::TerminalScreen(int rows, int columns, QObject *parent)
    : QObject(parent)
    , m_vt(vterm_new(std::max(rows, 1), std::max(columns, 1)))
    , m_scrollback(kDefaultScrollback)
    , m_rows(std::max(rows, 1))
    , m_columns(std::max(columns, 1))
{
    vterm_set_utf8(m_vt.get(), 1);
    m_screen = vterm_obtain_screen(m_vt.get());
    vterm_screen_set_callbacks(m_screen, &kScreenCallbacks, this);
    // Like neovim: whole-screen scrolls arrive as moverect + sb_pushline
    // rather than a damage rectangle per cell.
    vterm_screen_set_damage_merge(m_screen, VTERM_DAMAGE_SCROLL);
    vterm_screen_enable_altscreen(m_screen, 1);
#ifdef NIXTIDE_VTERM_OUTPUT_CALLBACK
    vterm_output_set_callback(m_vt.get(), &TerminalScreenCallbacks::output, this);
#endif
    const VTermColor fg = fromQColor(m_defaultFg);
    const VTermColor bg = fromQColor(m_defaultBg);
    vterm_state_set_default_colors(vterm_obtain_state(m_vt.get()), &fg, &bg);
    vterm_screen_reset(m_screen, 1);
    m_invalidStart = m_invalidEnd = -1;
}

TerminalScreen::~TerminalScreen() = default;

void TerminalScreen::resize(int rows, int columns)
{
    rows = std::max(rows, 1);
    columns = std::max(columns, 1);
    if (rows == m_rows && columns == m_columns)
        return;
    m_rows = rows;
    m_columns = columns;
    vterm_set_size(m_vt.get(), rows, columns);
    invalidate(0, rows);
    flushDamage();
}

void TerminalScreen::feed(const QByteArray &bytes)
{
    vterm_input_write(m_vt.get(), bytes.constData(), static_cast<size_t>(bytes.size()));
    flushDamage();
    // Replies the guest asked for (cursor position reports, DA).
    emitOutput();
}

void TerminalScreen::invalidate(int startRow, int endRow)
{
    startRow = std::max(startRow, 0);
    endRow = std::min(endRow, m_rows);
    if (startRow >= endRow)
        return;
    if (m_invalidStart < 0) {
        m_invalidStart = startRow;
        m_invalidEnd = endRow;
        return;
    }
    m_invalidStart = std::min(m_invalidStart, startRow);
    m_invalidEnd = std::max(m_invalidEnd, endRow);
}

void TerminalScreen::flushDamage()
{
    vterm_screen_flush_damage(m_screen);
    if (m_scrollbackDelta != 0) {
        const int delta = m_scrollbackDelta;
        m_scrollbackDelta = 0;
        Q_EMIT scrollbackChanged(delta);
    }
    if (m_invalidStart >= 0) {
        const int first = m_invalidStart;
        const int last = m_invalidEnd - 1;
        m_invalidStart = m_invalidEnd = -1;
        Q_EMIT damaged(first, last);
    }
    if (m_cursor != m_reportedCursor) {
        m_reportedCursor = m_cursor;
        Q_EMIT cursorMoved(m_cursor);
    }
}

TerminalCell TerminalScreen::blankCell() const
{
    TerminalCell c;
    c.fg = m_defaultFg.rgb();
    c.bg = m_defaultBg.rgb();
    return c;
}

TerminalCell TerminalScreen::convertCell(const void *vtermCell) const
{
    const auto *vc = static_cast<const VTermScreenCell *>(vtermCell);
    TerminalCell c;
    if (vc->chars[0] == kWideCharTail) {
        c.ch = 0;
        c.width = 0;
    } else {
        c.ch = vc->chars[0];
        c.width = static_cast<quint8>(vc->width < 1 ? 1 : vc->width);
    }
    quint8 flags = 0;
    if (vc->attrs.bold)
        flags |= TerminalCell::Bold;
    if (vc->attrs.underline)
        flags |= TerminalCell::Underline;
    if (vc->attrs.italic)
        flags |= TerminalCell::Italic;
    if (vc->attrs.reverse)
        flags |= TerminalCell::Reverse;
    if (vc->attrs.strike)
        flags |= TerminalCell::Strike;
    c.fg = toRgb(m_screen, vc->fg);
    c.bg = toRgb(m_screen, vc->bg);
#ifdef NIXTIDE_VTERM_TAGGED_COLOR
    if (VTERM_COLOR_IS_DEFAULT_FG(&vc->fg))
        flags |= TerminalCell::DefaultFg;
    if (VTERM_COLOR_IS_DEFAULT_BG(&vc->bg))
        flags |= TerminalCell::DefaultBg;
#else
    if (c.fg == m_defaultFg.rgb())
        flags |= TerminalCell::DefaultFg;
    if (c.bg == m_defaultBg.rgb())
        flags |= TerminalCell::DefaultBg;
#endif
    c.flags = flags;
    return c;
}

TerminalCell TerminalScreen::cell(int row, int column) const
{
    if (row >= 0) {
        if (row >= m_rows || column < 0 || column >= m_columns)
            return blankCell();
        VTermScreenCell vc;
        vterm_screen_get_cell(m_screen, VTermPos {row, column}, &vc);
        return convertCell(&vc);
    }
    const int index = scrollbackLines() + row;
    if (index < 0 || column < 0)
        return blankCell();
    const Scrollback::Line &line = m_scrollback.at(static_cast<std::size_t>(index));
    if (column >= static_cast<int>(line.size()))
        return blankCell();
    TerminalCell c = line[static_cast<std::size_t>(column)];
    // History follows the current theme where the guest left the defaults.
    if (c.has(TerminalCell::DefaultFg))
        c.fg = m_defaultFg.rgb();
    if (c.has(TerminalCell::DefaultBg))
        c.bg = m_defaultBg.rgb();
    return c;
}

void TerminalScreen::setScrollbackCapacity(int lines)
{
    const int before = scrollbackLines();
    m_scrollback.setCapacity(static_cast<std::size_t>(std::max(lines, 1)));
    if (scrollbackLines() != before)
        Q_EMIT scrollbackChanged(scrollbackLines() - before);
}

void TerminalScreen::setDefaultColors(const QColor &foreground, const QColor &background)
{
    m_defaultFg = foreground;
    m_defaultBg = background;
    const VTermColor fg = fromQColor(foreground);
    const VTermColor bg = fromQColor(background);
    vterm_state_set_default_colors(vterm_obtain_state(m_vt.get()), &fg, &bg);
    invalidate(0, m_rows);
    flushDamage();
}

void TerminalScreen::drainOutput()
{
#ifndef NIXTIDE_VTERM_OUTPUT_CALLBACK
    char buffer[4096];
    for (;;) {
        const size_t n = vterm_output_read(m_vt.get(), buffer, sizeof buffer);
        if (n == 0)
            break;
        m_pendingOutput.append(buffer, static_cast<qsizetype>(n));
    }
#endif
}

void TerminalScreen::emitOutput()
{
    drainOutput();
    if (m_pendingOutput.isEmpty())
        return;
    const QByteArray out = m_pendingOutput;
    m_pendingOutput.clear();
    Q_EMIT outputReady(out);
}

} // namespace nixtide
