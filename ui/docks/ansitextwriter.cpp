#include "ui/docks/ansitextwriter.h"

#include <QColor>
#include <QTextCursor>

namespace nixtide {

namespace {

// xterm's palette: readable on light and dark backgrounds alike.
QColor standardColour(int index)
{
    static const QRgb palette[16]
        = {0x000000, 0xcd0000, 0x00a000, 0xb08800, 0x2050e0, 0xb000b0, 0x00a0a0, 0x909090, 0x606060,
            0xff3030, 0x20c020, 0xd0a000, 0x4080ff, 0xe040e0, 0x00c0c0, 0xb0b0b0};
    return QColor::fromRgb(palette[index & 15]);
}

QColor colour256(int index)
{
    if (index < 16)
        return standardColour(index);
    if (index < 232) {
        const int i = index - 16;
        auto level = [](int v) { return v == 0 ? 0 : 55 + v * 40; };
        return QColor(level(i / 36), level(i / 6 % 6), level(i % 6));
    }
    const int grey = 8 + (index - 232) * 10;
    return QColor(grey, grey, grey);
}

} // namespace

void AnsiTextWriter::reset()
{
    m_format = QTextCharFormat();
    m_pending.clear();
}

void AnsiTextWriter::write(QTextCursor &cursor, const QString &input)
{
    const QString text = m_pending + input;
    m_pending.clear();
    qsizetype plainStart = 0;
    qsizetype i = 0;
    auto flush = [&](qsizetype end) {
        if (end > plainStart)
            cursor.insertText(text.mid(plainStart, end - plainStart), m_format);
    };
    while (i < text.size()) {
        if (text.at(i) != u'\x1b') {
            ++i;
            continue;
        }
        flush(i);
        if (i + 1 >= text.size()) {
            m_pending = text.mid(i);
            return;
        }
        if (text.at(i + 1) != u'[') {
            // Another kind of escape (a charset switch, say): drop two characters.
            i += 2;
            plainStart = i;
            continue;
        }
        qsizetype end = i + 2;
        while (end < text.size() && !(text.at(end) >= u'@' && text.at(end) <= u'~'))
            ++end;
        if (end >= text.size()) {
            m_pending = text.mid(i);
            return;
        }
        if (text.at(end) == u'm')
            apply(text.mid(i + 2, end - i - 2));
        i = end + 1;
        plainStart = i;
    }
    flush(text.size());
}

void AnsiTextWriter::apply(const QString &parameters)
{
    const QStringList parts = parameters.split(u';');
    for (qsizetype k = 0; k < parts.size(); ++k) {
        const int code = parts.at(k).isEmpty() ? 0 : parts.at(k).toInt();
        if (code == 0) {
            m_format = QTextCharFormat();
        } else if (code == 1) {
            m_format.setFontWeight(QFont::Bold);
        } else if (code == 2) {
            m_format.setForeground(QColor(0x80, 0x80, 0x80));
        } else if (code == 3) {
            m_format.setFontItalic(true);
        } else if (code == 4) {
            m_format.setFontUnderline(true);
        } else if (code == 22) {
            m_format.clearProperty(QTextFormat::FontWeight);
        } else if (code == 23) {
            m_format.setFontItalic(false);
        } else if (code == 24) {
            m_format.setFontUnderline(false);
        } else if (code >= 30 && code <= 37) {
            m_format.setForeground(standardColour(code - 30));
        } else if (code >= 90 && code <= 97) {
            m_format.setForeground(standardColour(code - 90 + 8));
        } else if (code == 39) {
            m_format.clearForeground();
        } else if (code >= 40 && code <= 47) {
            m_format.setBackground(standardColour(code - 40));
        } else if (code >= 100 && code <= 107) {
            m_format.setBackground(standardColour(code - 100 + 8));
        } else if (code == 49) {
            m_format.clearBackground();
        } else if ((code == 38 || code == 48) && k + 2 < parts.size()
            && parts.at(k + 1) == QLatin1String("5")) {
            const QColor colour = colour256(parts.at(k + 2).toInt());
            if (code == 38)
                m_format.setForeground(colour);
            else
                m_format.setBackground(colour);
            k += 2;
        } else if ((code == 38 || code == 48) && k + 4 < parts.size()
            && parts.at(k + 1) == QLatin1String("2")) {
            const QColor colour(
                parts.at(k + 2).toInt(), parts.at(k + 3).toInt(), parts.at(k + 4).toInt());
            if (code == 38)
                m_format.setForeground(colour);
            else
                m_format.setBackground(colour);
            k += 4;
        }
    }
}

} // namespace nixtide
