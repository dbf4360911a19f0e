#pragma once

#include "core/review/runreader.h"

#include <QList>
#include <QWidget>

class QListWidget;
class QLabel;
class QPushButton;

namespace nixtide {

class ImageViewer;

// A run's screen images in the order they were taken (screenshots and the
// screens the driver's OCR read): a strip of thumbnails, each captioned with
// what took it, its name and the script line, and the selected one in full
// (fit, zoom, 1:1). Images are decoded off the GUI thread.
class ScreenshotTimeline : public QWidget
{
    Q_OBJECT

public:
    explicit ScreenshotTimeline(QWidget *parent = nullptr);

    void setScreenshots(const QList<RunScreenshot> &shots);
    QList<RunScreenshot> screenshots() const { return m_shots; }
    void select(int index);
    int currentIndex() const;
    QListWidget *list() const { return m_list; }
    ImageViewer *viewer() const { return m_viewer; }
    int thumbnailsLoaded() const { return m_thumbnailsLoaded; }

Q_SIGNALS:
    void compareRequested(const nixtide::RunScreenshot &shot);
    void locationActivated(const QString &path, int line);

private:
    void showCurrent();

    QList<RunScreenshot> m_shots;
    QListWidget *m_list;
    QLabel *m_caption;
    ImageViewer *m_viewer;
    QPushButton *m_compare;
    int m_generation = 0;
    int m_thumbnailsLoaded = 0;
};

} // namespace nixtide
