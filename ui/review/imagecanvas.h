#pragma once

#include <QImage>
#include <QList>
#include <QRect>
#include <QWidget>

namespace nixtide {

// Paints one image (optionally a second one over it, half see-through) at
// a zoom, with mask rectangles outlined; in mask mode a drag draws a new
// rectangle in image pixels. Meant to sit in a resizable QScrollArea: at a
// fixed zoom its minimum size is the scaled image, so the area scrolls.
class ImageCanvas : public QWidget
{
    Q_OBJECT

public:
    explicit ImageCanvas(QWidget *parent = nullptr);

    void setImage(const QImage &image);
    QImage image() const { return m_image; }
    // Drawn over the image with `opacity` (0 hides it, 1 covers).
    void setOverlay(const QImage &overlay, double opacity);
    void setMasks(const QList<QRect> &masks);
    // 0: fit the widget; else the scale (1 is one screen pixel per pixel).
    void setZoom(double zoom);
    double zoom() const { return m_zoom; }
    double effectiveScale() const;
    void setMaskDrawing(bool on);

    QSize sizeHint() const override;

Q_SIGNALS:
    void maskDrawn(const QRect &imageRect);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;

private:
    QRectF imageArea() const;
    QPoint toImage(const QPointF &widgetPoint) const;
    void updateMinimumSize();

    QImage m_image;
    QImage m_overlay;
    double m_opacity = 0;
    QList<QRect> m_masks;
    double m_zoom = 0;
    bool m_maskDrawing = false;
    QPoint m_dragStart;
    QRect m_dragRect;
};

} // namespace nixtide
