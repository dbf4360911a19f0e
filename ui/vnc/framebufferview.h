#pragma once

#include "core/ocr/ocrwords.h"
#include "core/vnc/vncconnection.h"

#include <QHash>
#include <QImage>
#include <QPointer>
#include <QWidget>

namespace nixtide {

// Shows a VncConnection's screen and, while it holds the input grab, sends
// it keys and mouse. Clicking grabs; Ctrl+Alt or leaving focus releases.
// Paints only damaged rectangles (the frame is opaque), scaled to fit with
// its aspect ratio kept, or 1:1.
class FramebufferView : public QWidget
{
    Q_OBJECT
public:
    enum class ScaleMode { Fit, OneToOne };
    Q_ENUM(ScaleMode)

    explicit FramebufferView(QWidget *parent = nullptr);
    ~FramebufferView() override;

    // Not owned; the view follows it until it is destroyed or replaced.
    void setConnection(VncConnection *connection);
    VncConnection *connection() const { return m_connection; }

    void setScaleMode(ScaleMode mode);
    ScaleMode scaleMode() const { return m_scaleMode; }

    // The current screen (an independent copy), null if none has arrived.
    QImage grabFrame() const;
    bool hasInputGrab() const { return m_grabbed; }
    void setInputGrab(bool grab);
    // A machine that is off takes no input: no grab, no keys.
    void setInputEnabled(bool enabled);
    bool isInputEnabled() const { return m_inputEnabled; }

    // Where the frame is drawn in the widget, and the mapping back.
    QRectF frameRect() const;
    QPoint toFramebuffer(const QPointF &widgetPos) const;

    QSize sizeHint() const override;

    // Region mode: a drag marks a rectangle of the screen instead of going
    // to the VM (a click without a drag: the whole screen).
    void setRegionSelecting(bool on);
    bool isRegionSelecting() const { return m_selecting; }
    QRect selectedRegion() const { return m_region; } // framebuffer pixels
    // Word boxes (framebuffer pixels) drawn over the screen with their text.
    void setWordBoxes(const QList<OcrWord> &words);
    QList<OcrWord> wordBoxes() const { return m_words; }

Q_SIGNALS:
    void inputGrabChanged(bool grabbed);
    void regionSelected(const QRect &framebufferRect);
    // The guest's screen changed in `framebufferRect` (pixels of the frame).
    void frameChanged(const QRect &framebufferRect);
    // A key pressed while grabbed, as sent to the VM.
    void keyTyped(int key, Qt::KeyboardModifiers modifiers, const QString &text);

protected:
    void paintEvent(QPaintEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void keyReleaseEvent(QKeyEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void focusOutEvent(QFocusEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    bool event(QEvent *event) override;
    void hideEvent(QHideEvent *event) override;
    bool focusNextPrevChild(bool next) override;

private:
    void onFrameUpdated(const QRect &rect);
    void onStateChanged();
    // The server's pointer shape while there is one (scaled as the frame
    // is drawn), the crosshair while selecting a region, else the arrow.
    void updateCursor();
    void sendPointer(const QPointF &widgetPos);
    void releaseKeys();
    void paintPlaceholder(QPainter &painter, const QRect &area);
    void paintOverlay(QPainter &painter);
    QRectF toWidget(const QRect &framebufferRect) const;
    bool connected() const;

    QPointer<VncConnection> m_connection;
    QList<QMetaObject::Connection> m_connections;
    ScaleMode m_scaleMode = ScaleMode::Fit;
    bool m_grabbed = false;
    bool m_inputEnabled = true;
    int m_buttons = 0;
    QPoint m_lastPointer;
    int m_wheelX = 0;
    int m_wheelY = 0;
    // Keysym sent for each pressed Qt key, so the release sends the same one
    // even if modifiers changed in between.
    QHash<int, quint32> m_pressed;
    bool m_selecting = false;
    bool m_dragging = false;
    QPoint m_dragStart; // framebuffer pixels
    QRect m_region;
    QList<OcrWord> m_words;
    // What the current remote cursor was made from, to skip remaking it.
    qint64 m_cursorKey = 0;
    QSizeF m_cursorSize;
    double m_cursorDpr = 0;
};

} // namespace nixtide
