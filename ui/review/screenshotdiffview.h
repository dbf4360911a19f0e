#pragma once

#include "core/review/referencestore.h"
#include "core/review/runreader.h"
#include "core/review/screenshotcompare.h"

#include <QImage>
#include <QTimer>
#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QSlider;
class QStackedWidget;

namespace nixtide {

class ImageViewer;

// A run's screenshot against its reference: side by side, overlaid with a
// slider, blinking between the two, or as the difference image; the score
// (masked regions left out); Accept makes the screenshot the reference,
// Reject keeps the reference; Draw Masks adds rectangles to the reference's
// JSON and compares again. Decoding and comparing run off the GUI thread.
class ScreenshotDiffView : public QWidget
{
    Q_OBJECT

public:
    enum class Mode { SideBySide, Overlay, Blink, Difference };

    explicit ScreenshotDiffView(QWidget *parent = nullptr);

    // Compares `shot` with the reference of its name in `referenceDir`.
    void setScreenshot(const RunScreenshot &shot, const QString &referenceDir);
    void setMode(Mode mode);
    Mode mode() const;
    void setOverlayOpacity(int percent);

    bool hasResult() const { return m_hasResult; }
    bool hasReference() const { return m_reference.hasImage; }
    const Comparison &comparison() const { return m_comparison; }
    const Reference &reference() const { return m_reference; }
    QString scoreText() const;
    // The mask rectangle as if drawn on the reference (tests, scripts).
    void addMask(const QRect &rect);
    void clearMasks();
    void accept();
    void reject();

    QPushButton *acceptButton() const { return m_accept; }
    QPushButton *rejectButton() const { return m_reject; }
    QPushButton *drawMasksButton() const { return m_drawMasks; }
    ImageViewer *runViewer() const { return m_runViewer; }
    ImageViewer *referenceViewer() const { return m_referenceViewer; }
    ImageViewer *singleViewer() const { return m_singleViewer; }

Q_SIGNALS:
    // After each comparison (a new screenshot, an accept, a mask).
    void compared();
    void accepted(const QString &name);
    void rejected(const QString &name);
    void errorOccurred(const QString &message);

private:
    void compare();
    void showResult();
    void updateMode();
    void saveMasks();

    RunScreenshot m_shot;
    QString m_referenceDir;
    Reference m_reference;
    QImage m_run;
    QImage m_ref;
    Comparison m_comparison;
    bool m_hasResult = false;
    int m_generation = 0;
    bool m_blinkShowsRun = true;

    QComboBox *m_mode;
    QSlider *m_slider;
    QLabel *m_score;
    QLabel *m_status;
    QPushButton *m_accept;
    QPushButton *m_reject;
    QPushButton *m_drawMasks;
    QPushButton *m_clearMasks;
    QStackedWidget *m_pages;
    ImageViewer *m_runViewer;
    ImageViewer *m_referenceViewer;
    ImageViewer *m_singleViewer;
    QTimer m_blink;
};

} // namespace nixtide
