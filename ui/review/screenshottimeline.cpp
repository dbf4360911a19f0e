#include "ui/review/screenshottimeline.h"

#include "ui/review/background.h"
#include "ui/review/imagecanvas.h"
#include "ui/review/imageviewer.h"

#include <QFileInfo>
#include <QImageReader>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSplitter>
#include <QToolBar>
#include <QVBoxLayout>

namespace nixtide {

namespace {

constexpr int kThumbnailWidth = 200;

// What took the image: the driver's OCR, nixtide on a failure, nixtide's
// own screen grab, or (no word) machine.screenshot().
QString kind(const RunScreenshot &shot)
{
    if (shot.ocr)
        return QObject::tr("OCR");
    if (shot.failure)
        return QObject::tr("failure");
    return shot.byDriver ? QString() : QObject::tr("nixtide");
}

// The name, then what took it and its line: each line stays within a
// thumbnail's width.
QString caption(const RunScreenshot &shot)
{
    QStringList second;
    if (const QString what = kind(shot); !what.isEmpty())
        second << what;
    if (shot.line > 0)
        second << QObject::tr("line %1").arg(shot.line);
    return second.isEmpty()
        ? shot.name
        : QStringLiteral("%1\n%2").arg(shot.name, second.join(QStringLiteral(", ")));
}

} // namespace

ScreenshotTimeline::ScreenshotTimeline(QWidget *parent)
    : QWidget(parent)
    , m_list(new QListWidget(this))
    , m_caption(new QLabel(this))
    , m_viewer(new ImageViewer(this))
    , m_compare(new QPushButton(tr("Compare with Reference"), this))
{
    m_list->setObjectName(QStringLiteral("timelineList"));
    m_list->setViewMode(QListView::IconMode);
    m_list->setFlow(QListView::LeftToRight);
    m_list->setWrapping(false);
    m_list->setMovement(QListView::Static);
    m_list->setIconSize(QSize(kThumbnailWidth, kThumbnailWidth * 10 / 16));
    m_list->setSpacing(6);
    // A cell per image, so a caption wider than its thumbnail is elided in
    // its own cell rather than drawn over the next one.
    m_list->setGridSize(QSize(kThumbnailWidth + 16, kThumbnailWidth * 10 / 16 + 48));
    m_list->setTextElideMode(Qt::ElideMiddle);
    m_list->setFixedHeight(kThumbnailWidth * 10 / 16 + 80);
    m_caption->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::LinksAccessibleByMouse);
    connect(m_caption, &QLabel::linkActivated, this, [this](const QString &) {
        const int index = currentIndex();
        if (index >= 0 && m_shots[index].line > 0)
            Q_EMIT locationActivated(m_shots[index].scriptPath, m_shots[index].line);
    });
    m_compare->setObjectName(QStringLiteral("compareButton"));
    connect(m_compare, &QPushButton::clicked, this, [this] {
        const int index = currentIndex();
        if (index >= 0 && !m_shots[index].ocr)
            Q_EMIT compareRequested(m_shots[index]);
    });
    connect(m_list, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        const RunScreenshot &shot = m_shots[m_list->row(item)];
        if (!shot.ocr)
            Q_EMIT compareRequested(shot);
    });
    m_viewer->toolBar()->addSeparator();
    m_viewer->toolBar()->addWidget(m_compare);

    auto *full = new QWidget(this);
    auto *fullLayout = new QVBoxLayout(full);
    fullLayout->setContentsMargins(0, 0, 0, 0);
    fullLayout->addWidget(m_caption);
    fullLayout->addWidget(m_viewer, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_list);
    layout->addWidget(full, 1);
    connect(m_list, &QListWidget::currentRowChanged, this, &ScreenshotTimeline::showCurrent);
}

void ScreenshotTimeline::setScreenshots(const QList<RunScreenshot> &shots)
{
    m_shots = shots;
    const int generation = ++m_generation;
    m_thumbnailsLoaded = 0;
    m_list->clear();
    for (const RunScreenshot &shot : shots) {
        auto *item = new QListWidgetItem(caption(shot), m_list);
        QString tip = shot.line > 0
            ? tr("%1\n%2:%3\n%4").arg(shot.path, shot.scriptPath).arg(shot.line).arg(shot.step)
            : tr("%1\ntaken by nixtide").arg(shot.path);
        if (shot.ocr)
            tip += tr("\nthe screen the driver's OCR read (%n time(s))", nullptr, shot.reads);
        item->setToolTip(tip);
        item->setTextAlignment(Qt::AlignHCenter);
    }
    for (int i = 0; i < shots.size(); ++i) {
        const QString path = shots[i].path;
        runInBackground<QImage>(
            this,
            [path] {
                QImageReader reader(path);
                const QSize size = reader.size();
                if (size.isValid())
                    reader.setScaledSize(
                        size.scaled(kThumbnailWidth, kThumbnailWidth, Qt::KeepAspectRatio));
                return reader.read();
            },
            [this, generation, i](const QImage &thumbnail) {
                if (generation != m_generation)
                    return;
                ++m_thumbnailsLoaded;
                if (QListWidgetItem *item = m_list->item(i)) {
                    // Untinted when selected: the thumbnail is what is reviewed.
                    const QPixmap pixmap = QPixmap::fromImage(thumbnail);
                    QIcon icon(pixmap);
                    icon.addPixmap(pixmap, QIcon::Selected);
                    item->setIcon(icon);
                }
            });
    }
    if (shots.isEmpty()) {
        m_caption->setText(tr("This run took no screenshots."));
        m_viewer->canvas()->setImage({});
    } else {
        m_list->setCurrentRow(0);
    }
}

void ScreenshotTimeline::select(int index)
{
    m_list->setCurrentRow(index);
}

int ScreenshotTimeline::currentIndex() const
{
    return m_list->currentRow();
}

void ScreenshotTimeline::showCurrent()
{
    const int index = currentIndex();
    if (index < 0 || index >= m_shots.size())
        return;
    const RunScreenshot &shot = m_shots[index];
    // An OCR image is no screenshot a reference is kept for.
    m_compare->setEnabled(!shot.ocr);
    const QString what = kind(shot);
    const QString name = what.isEmpty()
        ? shot.name.toHtmlEscaped()
        : QStringLiteral("%1: %2").arg(what, shot.name.toHtmlEscaped());
    m_caption->setText(shot.line > 0
            ? tr("<b>%1</b> (%2 of %3) — <a href=\"line\">%4:%5</a>: %6")
                  .arg(name)
                  .arg(index + 1)
                  .arg(m_shots.size())
                  .arg(QFileInfo(shot.scriptPath).fileName().toHtmlEscaped())
                  .arg(shot.line)
                  .arg(shot.step.toHtmlEscaped())
            : tr("<b>%1</b> (%2 of %3)%4")
                  .arg(name)
                  .arg(index + 1)
                  .arg(m_shots.size())
                  .arg(shot.byDriver || shot.ocr ? QString() : tr(" — taken by nixtide")));
    const int generation = m_generation;
    const QString path = shot.path;
    runInBackground<QImage>(
        this, [path] { return QImage(path); },
        [this, generation, index](const QImage &image) {
            if (generation == m_generation && index == currentIndex())
                m_viewer->canvas()->setImage(image);
        });
}

} // namespace nixtide
