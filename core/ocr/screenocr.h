#pragma once

#include "core/ocr/ocrbandcache.h"
#include "core/ocr/ocrwords.h"

#include <QImage>
#include <QObject>

#include <memory>

namespace nixtide {

// nixtide's own OCR of a machine's screen: the tesseract command with TSV
// output (word boxes, confidences), run on a worker thread so the GUI
// never waits. Why the command and not libtesseract: the platform already
// has it (the driver's OCR uses it), no new build dependency; a crash or a
// hang in the recogniser cannot take the IDE down (the process is killed
// after a deadline). Its start-up (loading the model, about 0.3 s on a busy
// machine) is small beside recognising a screen, but it is most of a
// reading that finds one line changed (bench/README.md, "following a
// screen"): what one TessBaseAPI kept alive would save.
//
// One reading at a time: a request while one runs replaces the waiting
// one, so following a changing screen never builds a queue. Each reading
// keeps the words of the screen's text-line bands (OcrBandCache), so the
// next one runs tesseract on the lines that changed only.
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
    // cache: the bands of the last reading, updated (nullptr: read all).
    // scale: how much the cut is enlarged first (tesseract reads the
    // 8x16 console font far better at twice its size).
    // processes: how many tesseract processes share the bands to read, each
    // a run of adjacent bands (0: as many as there are cores, at most
    // four, and one per 128 rows of ink or so: each pays the model's
    // start-up).
    static OcrReading read(const QImage &screen, const QRect &region, OcrBandCache *cache = nullptr,
        double scale = 2.0, const QString &program = QStringLiteral("tesseract"),
        int timeoutMs = 30000, int processes = 0);

Q_SIGNALS:
    void finished(const nixtide::OcrReading &reading);

private:
    void startNext();

    bool m_busy = false;
    bool m_pending = false;
    QImage m_nextScreen;
    QRect m_nextRegion;
    // Shared with the worker of the reading in progress, which may outlive
    // this object (runOnWorker drops its result then).
    std::shared_ptr<OcrBandCache> m_cache = std::make_shared<OcrBandCache>();
};

} // namespace nixtide

Q_DECLARE_METATYPE(nixtide::OcrReading)
