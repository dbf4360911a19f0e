#include "core/ocr/ocrwords.h"

#include <algorithm>
#include <cmath>

namespace nixtide {

QStringList OcrReading::lines() const
{
    QStringList lines;
    for (const OcrWord &word : words) {
        while (lines.size() <= word.line)
            lines.append(QString());
        QString &line = lines[word.line];
        if (!line.isEmpty())
            line += QLatin1Char(' ');
        line += word.text;
    }
    lines.removeAll(QString());
    return lines;
}

QList<OcrWord> OcrReading::wordsIn(const QRect &area) const
{
    QList<OcrWord> inside;
    for (const OcrWord &word : words) {
        if (word.box.intersects(area))
            inside.append(word);
    }
    return inside;
}

QList<OcrWord> groupOcrLines(QList<OcrWord> words)
{
    std::sort(words.begin(), words.end(),
        [](const OcrWord &a, const OcrWord &b) { return a.box.center().y() < b.box.center().y(); });
    struct Line
    {
        int top, bottom;
    };
    QList<Line> lines;
    for (OcrWord &word : words) {
        const int centre = word.box.center().y();
        if (!lines.isEmpty() && centre >= lines.last().top && centre <= lines.last().bottom) {
            lines.last().top = std::min(lines.last().top, word.box.top());
            lines.last().bottom = std::max(lines.last().bottom, word.box.bottom());
        } else {
            lines.append({word.box.top(), word.box.bottom()});
        }
        word.line = int(lines.size()) - 1;
    }
    std::stable_sort(words.begin(), words.end(), [](const OcrWord &a, const OcrWord &b) {
        return a.line != b.line ? a.line < b.line : a.box.left() < b.box.left();
    });
    return words;
}

QList<OcrWord> parseTesseractTsv(
    const QByteArray &tsv, const QPoint &offset, double scale, QString *error)
{
    QList<OcrWord> words;
    const QList<QByteArray> rows = tsv.split('\n');
    for (int i = 0; i < rows.size(); ++i) {
        const QByteArray row = rows.at(i).endsWith('\r') ? rows.at(i).chopped(1) : rows.at(i);
        if (row.isEmpty() || (i == 0 && row.startsWith("level")))
            continue;
        const QList<QByteArray> fields = row.split('\t');
        // level page block par line word left top width height conf [text]
        if (fields.size() < 11) {
            *error = QStringLiteral("tesseract's TSV output, line %1: %2 fields, expected 12")
                         .arg(i + 1)
                         .arg(fields.size());
            return {};
        }
        bool ok = true;
        int numbers[10];
        for (int f = 0; f < 10 && ok; ++f)
            numbers[f] = fields.at(f).toInt(&ok);
        bool confidenceOk = false;
        const double confidence = fields.at(10).toDouble(&confidenceOk);
        if (!ok || !confidenceOk) {
            *error = QStringLiteral("tesseract's TSV output, line %1: not a number in \"%2\"")
                         .arg(i + 1)
                         .arg(QString::fromUtf8(row));
            return {};
        }
        const QString text = fields.size() > 11
            ? QString::fromUtf8(fields.mid(11).join('\t')).trimmed()
            : QString();
        if (numbers[0] != 5 || text.isEmpty())
            continue;
        OcrWord word;
        word.box = QRect(offset.x() + int(std::floor(numbers[6] / scale)),
            offset.y() + int(std::floor(numbers[7] / scale)),
            std::max(1, int(std::ceil(numbers[8] / scale))),
            std::max(1, int(std::ceil(numbers[9] / scale))));
        word.text = text;
        word.confidence = confidence;
        words.append(word);
    }
    return groupOcrLines(words);
}

} // namespace nixtide
