#pragma once

#include "core/terminal/scrollback.h"
#include "core/terminal/terminalcell.h"

#include <QByteArray>
#include <QColor>
#include <QObject>
#include <QPoint>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

struct VTerm;
struct VTermScreen;

namespace nixtide {

// A VT terminal screen fed with bytes (a VM's serial console), backed by
// libvterm, living on the GUI thread. Rows share one address space with the
// scrollback: 0 .. rows()-1 are the screen, -1 is the newest line that
// scrolled off, -scrollbackLines() the oldest still held.
class TerminalScreen : public QObject
{
    Q_OBJECT
public:
    struct Match
    {
        int row = 0;
        int column = 0;
        int length = 0;
    };

    explicit TerminalScreen(int rows = 25, int columns = 80, QObject *parent = nullptr);
    ~TerminalScreen() override;

    int rows() const { return m_rows; }
    int columns() const { return m_columns; }
    void resize(int rows, int columns);

    // Interprets the bytes, then reports the changed rows once (damaged).
    void feed(const QByteArray &bytes);

    TerminalCell cell(int row, int column) const;
    QString lineText(int row) const; // without trailing blanks
    // The libvterm API line this build was compiled against (1 or 3); checks
    // that the library loaded at run time is not older than its header.
    static int libvtermMinorVersion();

    int scrollbackLines() const { return static_cast<int>(m_scrollback.size()); }
    int scrollbackCapacity() const { return static_cast<int>(m_scrollback.capacity()); }
    void setScrollbackCapacity(int lines);

    QPoint cursor() const { return m_cursor; } // x = column, y = row
    bool cursorVisible() const { return m_cursorVisible; }
    QString title() const { return m_title; }
    void setDefaultColors(const QColor &foreground, const QColor &background);
    QColor defaultForeground() const { return m_defaultFg; }
    QColor defaultBackground() const { return m_defaultBg; }

    // Keyboard input in the terminal's encoding; the bytes come out of
    // outputReady. `text` is QKeyEvent::text(), used for printable keys.
    void sendKey(int qtKey, Qt::KeyboardModifiers modifiers, const QString &text = {});
    void sendText(const QString &text); // paste: bracketed if the guest asked

    // Text between two cells (x = column, y = row; `to` inclusive), lines
    // joined by '\n' with trailing blanks dropped, as a selection copies it.
    QString text(QPoint from, QPoint to) const;
    // Next occurrence of `needle` strictly after (or before, backwards) `from`.
    std::optional<Match> find(const QString &needle, QPoint from, bool backwards = false,
        Qt::CaseSensitivity cs = Qt::CaseInsensitive) const;

Q_SIGNALS:
    // Screen rows firstRow..lastRow (inclusive) changed; one signal per feed.
    void damaged(int firstRow, int lastRow);
    // Lines were added to (positive) or taken from (negative) the scrollback.
    void scrollbackChanged(int delta);
    void cursorMoved(QPoint cursor);
    void titleChanged(const QString &title);
    void bell();
    void outputReady(const QByteArray &bytes);

private:
    friend struct TerminalScreenCallbacks;

    void invalidate(int startRow, int endRow);
    void flushDamage();
    TerminalCell convertCell(const void *vtermCell) const;
    TerminalCell blankCell() const;
    // One QString per row with, for each UTF-16 unit, the column it came from.
    QString rowString(int row, std::vector<int> *columns) const;
    void drainOutput();
    void emitOutput();

    struct VTermDeleter
    {
        void operator()(VTerm *vt) const;
    };
    std::unique_ptr<VTerm, VTermDeleter> m_vt;
    VTermScreen *m_screen = nullptr; // owned by m_vt
    Scrollback m_scrollback;
    int m_rows;
    int m_columns;
    QPoint m_cursor;
    QPoint m_reportedCursor;
    bool m_cursorVisible = true;
    QString m_title;
    QByteArray m_titleBytes; // fragments of an OSC title still arriving (libvterm >= 0.2)
    QColor m_defaultFg {0xd0, 0xd0, 0xd0};
    QColor m_defaultBg {0x1c, 0x1c, 0x1c};
    // Damage accumulated while feeding, flushed once (neovim's invalid_start/end).
    int m_invalidStart = -1;
    int m_invalidEnd = -1;
    int m_scrollbackDelta = 0;
    QByteArray m_pendingOutput;
};

} // namespace nixtide
