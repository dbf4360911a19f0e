#include "ui/review/imageviewer.h"

#include "ui/review/imagecanvas.h"

#include <QScrollArea>
#include <QToolBar>
#include <QVBoxLayout>

namespace nixtide {

ImageViewer::ImageViewer(QWidget *parent)
    : QWidget(parent)
    , m_toolBar(new QToolBar(this))
    , m_scroll(new QScrollArea(this))
    , m_canvas(new ImageCanvas)
{
    m_scroll->setWidget(m_canvas);
    m_scroll->setWidgetResizable(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_toolBar);
    layout->addWidget(m_scroll, 1);
    m_toolBar->addAction(tr("Fit"), this, [this] { setZoom(0); })->setObjectName("fit");
    m_toolBar->addAction(tr("Zoom In"), this, [this] { setZoom(m_canvas->effectiveScale() * 1.5); })
        ->setObjectName("zoomIn");
    m_toolBar
        ->addAction(tr("Zoom Out"), this,
            [this] { setZoom(std::max(0.05, m_canvas->effectiveScale() / 1.5)); })
        ->setObjectName("zoomOut");
    m_toolBar->addAction(tr("1:1"), this, [this] { setZoom(1); })->setObjectName("actualSize");
}

void ImageViewer::setZoom(double zoom)
{
    m_canvas->setZoom(zoom);
}

} // namespace nixtide
