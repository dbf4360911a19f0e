#pragma once

#include <QWidget>

class QScrollArea;
class QToolBar;

namespace nixtide {

class ImageCanvas;

// An ImageCanvas in a scroll area with Fit, Zoom In, Zoom Out and 1:1.
class ImageViewer : public QWidget
{
    Q_OBJECT

public:
    explicit ImageViewer(QWidget *parent = nullptr);

    ImageCanvas *canvas() const { return m_canvas; }
    QToolBar *toolBar() const { return m_toolBar; }
    void setZoom(double zoom); // 0 fits

private:
    QToolBar *m_toolBar;
    QScrollArea *m_scroll;
    ImageCanvas *m_canvas;
};

} // namespace nixtide
