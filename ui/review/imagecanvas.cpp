#include "ui/review/imagecanvas.h"

#include <QMouseEvent>
#include <QPainter>

namespace nixtide {

ImageCanvas::ImageCanvas(QWidget *parent)
    : QWidget(parent)
{
    setMouseTracking(false);
}

void ImageCanvas::setImage(const QImage &image)
{
    m_image = image;
    updateMinimumSize();
    update();
}

void ImageCanvas::setOverlay(const QImage &overlay, double opacity)
{
    m_overlay = overlay;
    m_opacity = opacity;
    update();
}

void ImageCanvas::setMasks(const QList<QRect> &masks)
{
    m_masks = masks;
    update();
}

void ImageCanvas::setZoom(double zoom)
{
    m_zoom = zoom;
    updateMinimumSize();
    update();
}

void ImageCanvas::setMaskDrawing(bool on)
{
    m_maskDrawing = on;
    setCursor(on ? Qt::CrossCursor : Qt::ArrowCursor);
}

void ImageCanvas::updateMinimumSize()
{
    setMinimumSize(m_zoom > 0 && !m_image.isNull() ? (QSizeF(m_image.size()) * m_zoom).toSize()
                                                   : QSize(64, 48));
    updateGeometry();
}

QSize ImageCanvas::sizeHint() const
{
    if (m_image.isNull())
        return {320, 200};
    return (QSizeF(m_image.size()) * (m_zoom > 0 ? m_zoom : 0.5)).toSize();
}

double ImageCanvas::effectiveScale() const
{
    if (m_image.isNull())
        return 1;
    if (m_zoom > 0)
        return m_zoom;
    return std::min(double(width()) / m_image.width(), double(height()) / m_image.height());
}

QRectF ImageCanvas::imageArea() const
{
    const QSizeF size = QSizeF(m_image.size()) * effectiveScale();
    // Centred when smaller than the widget, from the corner when it scrolls.
    return QRectF(QPointF(std::max(0.0, (width() - size.width()) / 2),
                      std::max(0.0, (height() - size.height()) / 2)),
        size);
}

QPoint ImageCanvas::toImage(const QPointF &widgetPoint) const
{
    const QRectF area = imageArea();
    const double scale = effectiveScale();
    const QPointF p = (widgetPoint - area.topLeft()) / scale;
    return QPoint(
        std::clamp(int(p.x()), 0, m_image.width()), std::clamp(int(p.y()), 0, m_image.height()));
}

void ImageCanvas::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().window());
    if (m_image.isNull())
        return;
    const QRectF area = imageArea();
    const double scale = effectiveScale();
    // Pixels stay sharp when enlarged: a screenshot is read pixel by pixel.
    painter.setRenderHint(QPainter::SmoothPixmapTransform, scale < 1);
    painter.drawImage(area, m_image);
    if (!m_overlay.isNull() && m_opacity > 0) {
        painter.setOpacity(m_opacity);
        painter.drawImage(area, m_overlay);
        painter.setOpacity(1);
    }
    painter.translate(area.topLeft());
    painter.scale(scale, scale);
    QPen pen(QColor(80, 160, 255));
    pen.setCosmetic(true);
    pen.setWidth(2);
    painter.setPen(pen);
    painter.setBrush(QColor(80, 160, 255, 60));
    for (const QRect &mask : std::as_const(m_masks))
        painter.drawRect(mask);
    if (!m_dragRect.isNull()) {
        pen.setStyle(Qt::DashLine);
        painter.setPen(pen);
        painter.drawRect(m_dragRect);
    }
}

void ImageCanvas::mousePressEvent(QMouseEvent *event)
{
    if (!m_maskDrawing || event->button() != Qt::LeftButton || m_image.isNull())
        return QWidget::mousePressEvent(event);
    m_dragStart = toImage(event->position());
    m_dragRect = QRect(m_dragStart, QSize(1, 1));
    update();
}

void ImageCanvas::mouseMoveEvent(QMouseEvent *event)
{
    if (m_dragRect.isNull())
        return QWidget::mouseMoveEvent(event);
    m_dragRect = QRect(m_dragStart, toImage(event->position())).normalized();
    update();
}

void ImageCanvas::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_dragRect.isNull())
        return QWidget::mouseReleaseEvent(event);
    const QRect drawn
        = QRect(m_dragStart, toImage(event->position())).normalized().intersected(m_image.rect());
    m_dragRect = QRect();
    update();
    if (drawn.width() > 1 && drawn.height() > 1)
        Q_EMIT maskDrawn(drawn);
}

} // namespace nixtide
