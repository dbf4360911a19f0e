#pragma once

#include <QTextCharFormat>

class QTextCursor;

namespace nixtide {

// Writes text with ANSI SGR escapes (what Nix and the driver's logger colour
// their messages with) into a QTextDocument as character formats: bold,
// faint, underline, the 16 standard colours and 256-colour foregrounds.
// Other escape sequences are dropped, never shown. The format carries over
// from one write to the next, as on a terminal; a sequence cut between two
// writes is kept until its end arrives.
class AnsiTextWriter
{
public:
    void write(QTextCursor &cursor, const QString &text);
    void reset();

private:
    void apply(const QString &parameters);

    QTextCharFormat m_format;
    QString m_pending; // an escape sequence not complete yet
};

} // namespace nixtide
