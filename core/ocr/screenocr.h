#pragma once

#include "core/ocr/ocrwords.h"

#include <QImage>
#include <QObject>

namespace nixtide {

// nixtide's own OCR of a machine's screen: the tesseract command with TSV
// output (word boxes, confidences), run on a worker thread so the GUI
// never waits. Why the command and not libtesseract: the platform already
// has it (the driver's OCR uses it), no new build dependency; a crash or a
// hang in the recogniser cannot take the IDE down (the process is killed
// after a deadline); and its start-up (loading the model, about 0.1 s) is
// small beside recognising a screen (measured in bench/screen-ocr).
//
// One reading at a time: a request while one runs replaces the waiting
// one, so following a changing screen never builds a queue.
class ScreenOcr : public QObject
{
    Q_OBJECT

public:
    explicit ScreenOcr(QObject *parent = nullptr);
    ~ScreenOcr() override;

    // Reads `region` of `screen` (an empty region: the whole screen).
    void recognise(const QImage &screen, const QRect &region = {});
    bool isBusy() const { return m_busy; }

    // The blocking reading itself, for the worker and for benchmarks.
    // scale: how much the cut is enlarged first (tesseract reads the
    // 8x16 console font far better at twice its size).
    static OcrReading read(const QImage &screen, const QRect &region, double scale = 2.0,
        const QString &program = QStringLiteral("tesseract"), int timeoutMs = 30000);

Q_SIGNALS:
    void finished(const nixtide::OcrReading &reading);

private:
    void startNext();

    bool m_busy = false;
    bool m_pending = false;
    QImage m_nextScreen;
    QRect m_nextRegion;
};

} // namespace nixtide

Q_DECLARE_METATYPE(nixtide::OcrReading)
