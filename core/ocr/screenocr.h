#pragma once

#include "core/ocr/ocrbandcache.h"
#include "core/ocr/ocrwords.h"
#include "core/ocr/ocrworker.h"

#include <QImage>
#include <QObject>
#include <QTimer>

#include <memory>

namespace nixtide {

// nixtide's own OCR of a machine's screen: tesseract with TSV output (word
// boxes, confidences), run on a worker thread so the GUI never waits.
// Tesseract runs in nixtide-ocr processes (OcrWorker) that keep its model
// loaded between readings, not in the IDE: a crash or a hang of the
// recogniser cannot take the IDE down (a reading past its deadline kills
// its process). Against the tesseract command for each reading, a kept
// process saves the model's loading (0.15 to 0.3 s of CPU), which is most
// of a reading that finds one line changed.
//
// One reading at a time: a request while one runs replaces the waiting
// one, so following a changing screen never builds a queue. Each reading
// keeps the words of the screen's text-line bands (OcrBandCache), so the
// next one runs tesseract on the lines that changed only. The processes
// end after a minute without a reading: each holds its model in memory.
class ScreenOcr : public QObject
{
    Q_OBJECT

public:
    explicit ScreenOcr(QObject *parent = nullptr);
    ~ScreenOcr() override;

    // Reads `region` of `screen` (an empty region: the whole screen).
    void recognise(const QImage &screen, const QRect &region = {});
    // Starts the workers a reading of a screen of text would use, in the
    // background, so that the first reading finds its model loaded.
    void prepare();
    bool isBusy() const { return m_busy; }
    // The workers kept between readings, and how long they are kept idle.
    const OcrWorkerPool &workers() const { return *m_workers; }
    void setIdleWorkersTimeout(int ms) { m_idle->setInterval(ms); }

    // The blocking reading itself, for the worker thread and for benchmarks.
    // cache: the bands of the last reading, updated (nullptr: read all).
    // workers: the nixtide-ocr processes to use (and to start, up to
    // `processes`), each kept there for the next reading.
    // scale: how much the cut is enlarged first (tesseract reads the
    // 8x16 console font far better at twice its size).
    // processes: how many workers share the bands to read, each a run of
    // adjacent bands (0: as many as there are cores, at most four, and one
    // per 128 rows of ink or so).
    static OcrReading read(const QImage &screen, const QRect &region, OcrBandCache *cache,
        OcrWorkerPool &workers, double scale = 2.0, int processes = 0);

    // How long idle workers are kept by default.
    static constexpr int kIdleWorkersMs = 60000;

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
    std::shared_ptr<OcrWorkerPool> m_workers;
    QTimer *m_idle;
};

} // namespace nixtide

Q_DECLARE_METATYPE(nixtide::OcrReading)
