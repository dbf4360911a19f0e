#pragma once

#include "core/ocr/ocrwords.h"

#include <QImage>
#include <QObject>
#include <QPointer>

#include <memory>

class QAction;

namespace nixtide {

class FramebufferView;
class KeyRecorder;
class ScreenOcr;

// Code from a machine's screen. "Read Text": a region marked on the screen
// (a click: the whole screen) is read by nixtide's own OCR, its word boxes
// drawn over the picture; "Follow" reads the region again whenever the
// screen changes inside it (ScreenOcr keeps one reading waiting at most and
// reads only the text lines that changed); "Insert wait_for_text" turns the region's text
// into a line of test script; "Save as Reference" keeps the screen with
// everything outside the region masked, for screenshot review; "Record
// Keys": what is typed into the grabbed screen becomes send_chars and
// send_key lines. The code goes out as signals: this tool knows no editor.
class ScreenTextTool : public QObject
{
    Q_OBJECT

public:
    ScreenTextTool(const QString &machine, FramebufferView *view, QObject *parent);
    ~ScreenTextTool() override;

    QAction *readTextAction() const { return m_read; }
    QAction *followAction() const { return m_follow; }
    QAction *insertWaitAction() const { return m_insertWait; }
    QAction *saveReferenceAction() const { return m_saveReference; }
    QAction *recordKeysAction() const { return m_recordKeys; }

    // The last reading (empty words and no region before the first).
    const OcrReading &reading() const { return m_reading; }
    // The line Insert wait_for_text would insert, empty when nothing was read.
    QString waitForTextLine() const;
    // Reads `region` of the current screen (empty: all of it), as a drag does.
    void readRegion(const QRect &region);

Q_SIGNALS:
    void codeReady(const QStringList &lines);
    // The screen and the region to keep as a reference (the rest masked).
    void referenceRequested(const QImage &screen, const QRect &region);
    void readingFinished(const nixtide::OcrReading &reading);
    void message(const QString &text);

private:
    void onReading(const OcrReading &reading);
    void onFrameChanged(const QRect &rect);
    void updateActions();

    QString m_machine;
    QPointer<FramebufferView> m_view;
    ScreenOcr *m_ocr;
    std::unique_ptr<KeyRecorder> m_keys;
    OcrReading m_reading;
    QImage m_readScreen; // the screen the reading was made on
    bool m_hasRegion = false; // a region was marked since Read Text went on
    QRect m_region; // the last one marked (empty: the whole screen)
    QAction *m_read;
    QAction *m_follow;
    QAction *m_insertWait;
    QAction *m_saveReference;
    QAction *m_recordKeys;
};

} // namespace nixtide
