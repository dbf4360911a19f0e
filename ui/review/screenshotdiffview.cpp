#include "ui/review/screenshotdiffview.h"

#include "core/review/screenshotreview.h"
#include "ui/review/background.h"
#include "ui/review/imagecanvas.h"
#include "ui/review/imageviewer.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QSplitter>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace nixtide {

namespace {

struct Loaded
{
    QImage run;
    QImage reference;
    Reference settings;
    Comparison comparison;
    QString error;
};

Loaded load(const RunScreenshot &shot, const QString &dir)
{
    Loaded loaded;
    const std::optional<Reference> reference = ReferenceStore(dir).load(shot.name, &loaded.error);
    if (!reference)
        return loaded;
    loaded.settings = *reference;
    loaded.run = QImage(shot.path);
    if (loaded.run.isNull()) {
        loaded.error = QStringLiteral("cannot read the image %1").arg(shot.path);
        return loaded;
    }
    if (!reference->hasImage)
        return loaded;
    loaded.reference = QImage(reference->imagePath);
    if (loaded.reference.isNull()) {
        loaded.error = QStringLiteral("cannot read the image %1").arg(reference->imagePath);
        return loaded;
    }
    loaded.comparison = compareScreenshots(
        loaded.run, loaded.reference, reference->masks, reference->tolerancePercent);
    return loaded;
}

} // namespace

ScreenshotDiffView::ScreenshotDiffView(QWidget *parent)
    : QWidget(parent)
    , m_mode(new QComboBox(this))
    , m_slider(new QSlider(Qt::Horizontal, this))
    , m_score(new QLabel(this))
    , m_status(new QLabel(this))
    , m_accept(new QPushButton(tr("Accept"), this))
    , m_reject(new QPushButton(tr("Reject"), this))
    , m_drawMasks(new QPushButton(tr("Draw Masks"), this))
    , m_clearMasks(new QPushButton(tr("Clear Masks"), this))
    , m_pages(new QStackedWidget(this))
    , m_runViewer(new ImageViewer(this))
    , m_referenceViewer(new ImageViewer(this))
    , m_singleViewer(new ImageViewer(this))
{
    m_mode->addItems({tr("Side by Side"), tr("Overlay"), tr("Blink"), tr("Difference")});
    m_mode->setObjectName(QStringLiteral("diffMode"));
    m_slider->setRange(0, 100);
    m_slider->setValue(50);
    m_slider->setMaximumWidth(160);
    m_slider->setToolTip(tr("Reference ← → this run"));
    m_accept->setToolTip(tr("Make this screenshot the reference (masks and tolerance stay)"));
    m_reject->setToolTip(tr("Keep the reference; this screenshot is wrong"));
    m_drawMasks->setCheckable(true);
    m_drawMasks->setToolTip(
        tr("Drag rectangles over parts that change from run to run (clocks, cursors)"));
    m_score->setObjectName(QStringLiteral("diffScore"));
    m_score->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_score->setWordWrap(true);

    auto *controls = new QHBoxLayout;
    controls->addWidget(m_mode);
    controls->addWidget(m_slider);
    controls->addWidget(m_drawMasks);
    controls->addWidget(m_clearMasks);
    controls->addStretch(1);
    controls->addWidget(m_status);
    controls->addWidget(m_reject);
    controls->addWidget(m_accept);

    auto *sideBySide = new QSplitter(Qt::Horizontal, this);
    sideBySide->addWidget(m_runViewer);
    sideBySide->addWidget(m_referenceViewer);
    m_pages->addWidget(sideBySide);
    m_pages->addWidget(m_singleViewer);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(m_score);
    layout->addWidget(m_pages, 1);

    m_blink.setInterval(500);
    connect(&m_blink, &QTimer::timeout, this, [this] {
        m_blinkShowsRun = !m_blinkShowsRun;
        m_singleViewer->canvas()->setImage(m_blinkShowsRun ? m_run : m_ref);
    });
    connect(m_mode, &QComboBox::currentIndexChanged, this, &ScreenshotDiffView::updateMode);
    connect(m_slider, &QSlider::valueChanged, this, &ScreenshotDiffView::updateMode);
    connect(m_accept, &QPushButton::clicked, this, &ScreenshotDiffView::accept);
    connect(m_reject, &QPushButton::clicked, this, &ScreenshotDiffView::reject);
    connect(m_clearMasks, &QPushButton::clicked, this, &ScreenshotDiffView::clearMasks);
    connect(m_drawMasks, &QPushButton::toggled, this, [this](bool on) {
        m_referenceViewer->canvas()->setMaskDrawing(on);
        m_singleViewer->canvas()->setMaskDrawing(on);
    });
    for (ImageViewer *viewer : {m_referenceViewer, m_singleViewer})
        connect(viewer->canvas(), &ImageCanvas::maskDrawn, this, &ScreenshotDiffView::addMask);
    showResult();
}

void ScreenshotDiffView::setScreenshot(const RunScreenshot &shot, const QString &referenceDir)
{
    m_shot = shot;
    m_referenceDir = referenceDir;
    compare();
}

void ScreenshotDiffView::compare()
{
    m_hasResult = false;
    m_status->clear();
    m_score->setText(tr("Comparing %1…").arg(m_shot.name));
    const int generation = ++m_generation;
    const RunScreenshot shot = m_shot;
    const QString dir = m_referenceDir;
    runInBackground<Loaded>(
        this, [shot, dir] { return load(shot, dir); },
        [this, generation](const Loaded &loaded) {
            if (generation != m_generation)
                return;
            if (!loaded.error.isEmpty()) {
                m_score->setText(loaded.error);
                Q_EMIT errorOccurred(loaded.error);
                return;
            }
            m_run = loaded.run;
            m_ref = loaded.reference;
            m_reference = loaded.settings;
            m_comparison = loaded.comparison;
            m_hasResult = true;
            showResult();
            Q_EMIT compared();
        });
}

QString ScreenshotDiffView::scoreText() const
{
    if (!m_hasResult)
        return {};
    ScreenshotVerdict verdict;
    verdict.name = m_shot.name;
    verdict.reference = m_reference;
    verdict.comparison = m_comparison;
    verdict.kind = !m_reference.hasImage                     ? ScreenshotVerdict::Kind::New
        : m_comparison.verdict == Comparison::Verdict::Match ? ScreenshotVerdict::Kind::Match
                                                             : ScreenshotVerdict::Kind::Differs;
    return verdict.describe().simplified();
}

void ScreenshotDiffView::showResult()
{
    const bool ready = m_hasResult;
    m_accept->setEnabled(ready);
    m_reject->setEnabled(ready && m_reference.hasImage);
    m_drawMasks->setEnabled(ready && m_reference.hasImage);
    m_clearMasks->setEnabled(ready && !m_reference.masks.isEmpty());
    if (!ready)
        return;
    const bool match = m_reference.hasImage && m_comparison.verdict == Comparison::Verdict::Match;
    m_score->setText(QStringLiteral("<span style=\"color:%1\"><b>%2</b></span>")
            .arg(!m_reference.hasImage ? QStringLiteral("#a60")
                    : match            ? QStringLiteral("#070")
                                       : QStringLiteral("#b00"),
                scoreText().toHtmlEscaped()));
    m_runViewer->canvas()->setImage(m_run);
    m_referenceViewer->canvas()->setImage(m_ref);
    m_referenceViewer->canvas()->setMasks(m_reference.masks);
    updateMode();
}

void ScreenshotDiffView::setMode(Mode mode)
{
    m_mode->setCurrentIndex(int(mode));
}

ScreenshotDiffView::Mode ScreenshotDiffView::mode() const
{
    return Mode(m_mode->currentIndex());
}

void ScreenshotDiffView::setOverlayOpacity(int percent)
{
    m_slider->setValue(percent);
}

void ScreenshotDiffView::updateMode()
{
    const Mode current = mode();
    m_slider->setVisible(current == Mode::Overlay);
    m_pages->setCurrentIndex(current == Mode::SideBySide ? 0 : 1);
    ImageCanvas *single = m_singleViewer->canvas();
    single->setOverlay({}, 0);
    single->setMasks(m_reference.masks);
    if (current == Mode::Blink) {
        if (!m_blink.isActive())
            m_blink.start();
        single->setImage(m_blinkShowsRun ? m_run : m_ref);
        return;
    }
    m_blink.stop();
    if (current == Mode::Overlay) {
        single->setImage(m_ref.isNull() ? m_run : m_ref);
        single->setOverlay(m_run, m_slider->value() / 100.0);
    } else if (current == Mode::Difference) {
        single->setImage(m_comparison.difference.isNull() ? m_run : m_comparison.difference);
    }
}

void ScreenshotDiffView::addMask(const QRect &rect)
{
    if (!m_reference.hasImage)
        return;
    m_reference.masks.append(rect);
    saveMasks();
}

void ScreenshotDiffView::clearMasks()
{
    m_reference.masks.clear();
    saveMasks();
}

void ScreenshotDiffView::saveMasks()
{
    QString error;
    if (!ReferenceStore(m_referenceDir).saveSettings(m_reference, &error)) {
        m_status->setText(error);
        Q_EMIT errorOccurred(error);
        return;
    }
    compare();
}

void ScreenshotDiffView::accept()
{
    QString error;
    if (!ReferenceStore(m_referenceDir).accept(m_shot.name, m_shot.path, &error)) {
        m_status->setText(error);
        Q_EMIT errorOccurred(error);
        return;
    }
    Q_EMIT accepted(m_shot.name);
    compare();
    m_status->setText(tr("Accepted as the reference"));
}

void ScreenshotDiffView::reject()
{
    m_status->setText(tr("Rejected: the reference stays"));
    Q_EMIT rejected(m_shot.name);
}

} // namespace nixtide
