#pragma once

#include "core/ocr/ocrwords.h"

#include <QByteArray>
#include <QHash>
#include <QImage>
#include <QList>

namespace nixtide {

// A band of a grey screen cut: a run of rows holding ink (a text line, or
// a whole window) between rows of plain background, and a key made of its
// pixels.
struct OcrBand
{
    int top = 0;
    int height = 0;
    QByteArray key;
};

// The words tesseract read in each band of the last screen, by the band's
// pixels. Tesseract's time grows with the text it reads, so a screen that
// changed in one line is read again in that line only, and a terminal that
// scrolled finds its lines under their new rows. Holds the bands of the
// last reading only: it never grows beyond one screen, and a band that left
// the screen is not kept on the chance that it comes back.
//
// Not thread-safe: ScreenOcr hands it to one reading at a time.
class OcrBandCache
{
public:
    using BandWords = QHash<QByteArray, QList<OcrWord>>;

    // Splits `grey` (Format_Grayscale8) into bands: rows whose pixels all
    // lie within a tolerance of `background` separate them. `salt` goes into
    // every key (what else decides the words: the scale they were read at).
    static QList<OcrBand> split(const QImage &grey, int background, const QByteArray &salt);

    // The words read in a band with this key, their boxes relative to the
    // band's top row (x as in the cut); nullptr when it was not read.
    const QList<OcrWord> *find(const QByteArray &key) const;
    // The words of the screen just read, by band key: all that is kept.
    void replace(BandWords words) { m_words = std::move(words); }
    qsizetype size() const { return m_words.size(); }

private:
    BandWords m_words;
};

} // namespace nixtide
