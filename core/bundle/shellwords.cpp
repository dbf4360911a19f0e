#include "core/bundle/shellwords.h"

namespace nixtide {

bool splitShellWords(const QString &line, QStringList *words)
{
    words->clear();
    QString current;
    bool inWord = false;
    const qsizetype n = line.size();
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = line.at(i);
        if (c == QLatin1Char('\'')) {
            const qsizetype end = line.indexOf(QLatin1Char('\''), i + 1);
            if (end < 0)
                return false;
            current += line.mid(i + 1, end - i - 1);
            inWord = true;
            i = end;
        } else if (c == QLatin1Char('"')) {
            qsizetype j = i + 1;
            for (; j < n && line.at(j) != QLatin1Char('"'); ++j) {
                const QChar d = line.at(j);
                if (d == QLatin1Char('\\') && j + 1 < n
                    && QStringLiteral("\"\\$`").contains(line.at(j + 1))) {
                    current += line.at(++j);
                } else {
                    current += d;
                }
            }
            if (j >= n)
                return false;
            inWord = true;
            i = j;
        } else if (c == QLatin1Char('\\')) {
            if (i + 1 < n)
                current += line.at(++i);
            inWord = true;
        } else if (c == QLatin1Char('#') && !inWord) {
            break; // a comment runs to the end of the line
        } else if (c.isSpace()) {
            if (inWord)
                words->append(current);
            current.clear();
            inWord = false;
        } else {
            current += c;
            inWord = true;
        }
    }
    if (inWord)
        words->append(current);
    return true;
}

} // namespace nixtide
