#pragma once

#include <QByteArray>
#include <QList>
#include <QPoint>
#include <QRect>
#include <QString>
#include <QStringList>

namespace nixtide {

// One word tesseract found, in the coordinates of the screen it was cut from.
struct OcrWord
{
    QRect box;
    QString text;
    double confidence = 0; // 0..100, tesseract's own
    int line = 0; // index of its text line, top to bottom
};

// What nixtide's own OCR read in a region of a screen.
struct OcrReading
{
    QRect region; // in screen pixels
    QList<OcrWord> words; // in reading order
    double seconds = 0; // preparing the image and running tesseract
    QString error; // empty when tesseract ran
    // Text-line bands of the region read by tesseract this time, and served
    // from the words of an earlier reading of the same pixels.
    int bandsRead = 0;
    int bandsCached = 0;
    // How many tesseract processes read those bands, side by side.
    int processes = 0;

    // The words of each line joined by spaces, top to bottom.
    QStringList lines() const;
    QString text() const { return lines().join(QLatin1Char('\n')); }
    // The words whose boxes meet `area` (screen pixels), in reading order.
    QList<OcrWord> wordsIn(const QRect &area) const;
};

// Sorts words into lines: a word belongs to a line when its vertical
// centre lies inside the line's extent. Returns them by line, then left to
// right, with `line` set.
QList<OcrWord> groupOcrLines(QList<OcrWord> words);

// Reads tesseract's TSV output (`tesseract … tsv`): the word rows (level 5)
// with text, their boxes divided by `scale` (the image was enlarged that
// much) and moved by `offset` (where the image was cut from the screen).
// Words are grouped into lines by their vertical overlap rather than by
// tesseract's own block/line numbers, which page segmentation modes for
// sparse text give one per word. A malformed row is an error naming its
// line number.
QList<OcrWord> parseTesseractTsv(
    const QByteArray &tsv, const QPoint &offset, double scale, QString *error);

} // namespace nixtide
