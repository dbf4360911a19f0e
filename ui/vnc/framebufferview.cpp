#include "ui/vnc/framebufferview.h"

#include "core/vnc/keysyms.h"

#include <QCursor>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QPixmap>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace nixtide {

namespace {
constexpr int kWheelStep = 120; // one notch, in eighths of a degree
constexpr int kGrabBorder = 2;
constexpr double kMaxCursorPixels = 512;
} // namespace

FramebufferView::FramebufferView(QWidget *parent)
    : QWidget(parent)
{
    // Every pixel is painted by paintEvent: Qt need not clear the
    // background before each partial update.
    setAttribute(Qt::WA_OpaquePaintEvent);
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setMinimumSize(160, 100);
}

FramebufferView::~FramebufferView()
{
    if (m_connection)
        m_connection->setKeepAlive(false);
}

void FramebufferView::setConnection(VncConnection *connection)
{
    for (const auto &c : std::as_const(m_connections))
        disconnect(c);
    m_connections.clear();
    if (m_connection)
        m_connection->setKeepAlive(false);
    m_connection = connection;
    if (connection) {
        m_connections << connect(
            connection, &VncConnection::frameUpdated, this, &FramebufferView::onFrameUpdated);
        m_connections << connect(connection, &VncConnection::sizeChanged, this, [this] {
            updateCursor();
            update();
        });
        m_connections << connect(
            connection, &VncConnection::cursorChanged, this, &FramebufferView::updateCursor);
        m_connections << connect(
            connection, &VncConnection::stateChanged, this, &FramebufferView::onStateChanged);
        connection->setKeepAlive(isVisible());
    }
    updateCursor();
    update();
}

void FramebufferView::setScaleMode(ScaleMode mode)
{
    if (mode == m_scaleMode)
        return;
    m_scaleMode = mode;
    updateGeometry();
    updateCursor();
    update();
}

QImage FramebufferView::grabFrame() const
{
    // QImage is copy-on-write: the connection's next update detaches its
    // own image, so this one never changes under the caller.
    return m_connection ? m_connection->frame() : QImage();
}

bool FramebufferView::connected() const
{
    return m_connection && m_connection->state() == VncConnection::State::Connected
        && !m_connection->frame().isNull();
}

QRectF FramebufferView::frameRect() const
{
    if (!m_connection || m_connection->frame().isNull())
        return {};
    // 1:1 is one framebuffer pixel per device pixel: on a HiDPI screen
    // (device pixel ratio 2) the frame takes half as many logical pixels.
    const QSizeF frame = QSizeF(m_connection->frameSize()) / devicePixelRatioF();
    QSizeF shown = frame;
    if (m_scaleMode == ScaleMode::Fit)
        shown = frame.scaled(QSizeF(size()), Qt::KeepAspectRatio);
    const QPointF origin((width() - shown.width()) / 2.0, (height() - shown.height()) / 2.0);
    return QRectF(m_scaleMode == ScaleMode::Fit
            ? origin
            : QPointF(std::max(0.0, origin.x()), std::max(0.0, origin.y())),
        shown);
}

QPoint FramebufferView::toFramebuffer(const QPointF &widgetPos) const
{
    const QRectF target = frameRect();
    if (target.isEmpty())
        return {};
    const QSize frame = m_connection->frameSize();
    const double sx = frame.width() / target.width();
    const double sy = frame.height() / target.height();
    const int x = static_cast<int>(std::floor((widgetPos.x() - target.left()) * sx));
    const int y = static_cast<int>(std::floor((widgetPos.y() - target.top()) * sy));
    return {std::clamp(x, 0, frame.width() - 1), std::clamp(y, 0, frame.height() - 1)};
}

QSize FramebufferView::sizeHint() const
{
    if (m_connection && !m_connection->frame().isNull())
        return (QSizeF(m_connection->frameSize()) / devicePixelRatioF()).toSize();
    return {640, 400};
}

void FramebufferView::onFrameUpdated(const QRect &rect)
{
    Q_EMIT frameChanged(rect);
    const QRectF target = frameRect();
    if (target.isEmpty())
        return;
    const QSize frame = m_connection->frameSize();
    const double sx = target.width() / frame.width();
    const double sy = target.height() / frame.height();
    const QRectF mapped(target.left() + rect.x() * sx, target.top() + rect.y() * sy,
        rect.width() * sx, rect.height() * sy);
    // One pixel of margin: smooth scaling reads neighbours.
    update(mapped.toAlignedRect().adjusted(-1, -1, 1, 1));
}

void FramebufferView::onStateChanged()
{
    if (!connected())
        setInputGrab(false);
    updateCursor();
    update();
}

void FramebufferView::updateCursor()
{
    if (m_selecting) {
        m_cursorKey = 0;
        setCursor(Qt::CrossCursor);
        return;
    }
    const QRectF target = frameRect();
    const QImage shape = m_connection ? m_connection->cursorShape() : QImage();
    if (shape.isNull() || target.isEmpty()) {
        if (m_cursorKey != 0 || testAttribute(Qt::WA_SetCursor))
            setCursor(Qt::ArrowCursor);
        m_cursorKey = 0;
        return;
    }
    // As many logical pixels per framebuffer pixel as the frame is drawn
    // with, in device pixels for a sharp cursor on a HiDPI screen.
    // No side over kMaxCursorPixels device pixels though: a 256-pixel shape
    // on a small screen fitted into a large pane would be megabytes.
    const double dpr = devicePixelRatioF();
    const double scale = std::min(target.width() / m_connection->frameSize().width(),
        kMaxCursorPixels / (std::max(shape.width(), shape.height()) * dpr));
    const QSizeF size = QSizeF(shape.size()) * scale;
    if (shape.cacheKey() == m_cursorKey && size == m_cursorSize && dpr == m_cursorDpr)
        return;
    const QSize pixels = (size * dpr).toSize().expandedTo(QSize(1, 1));
    QPixmap pixmap = QPixmap::fromImage(pixels == shape.size()
            ? shape
            : shape.scaled(pixels, Qt::IgnoreAspectRatio, Qt::SmoothTransformation));
    pixmap.setDevicePixelRatio(dpr);
    // The hotspot is in logical pixels, at the hot pixel's top-left corner.
    const QPoint hotspot = m_connection->cursorHotspot();
    const int hotX = std::clamp(
        int(std::floor(hotspot.x() * scale)), 0, std::max(0, int(std::ceil(size.width())) - 1));
    const int hotY = std::clamp(
        int(std::floor(hotspot.y() * scale)), 0, std::max(0, int(std::ceil(size.height())) - 1));
    setCursor(QCursor(pixmap, hotX, hotY));
    m_cursorKey = shape.cacheKey();
    m_cursorSize = size;
    m_cursorDpr = dpr;
}

void FramebufferView::paintEvent(QPaintEvent *event)
{
    QPainter painter(this);
    const QRect area = event->rect();
    if (!connected()) {
        paintPlaceholder(painter, rect());
        return;
    }
    const QImage &frame = m_connection->frame();
    const QRectF target = frameRect();
    // Letterbox bands around the frame.
    const QRegion outside = QRegion(area) - QRegion(target.toAlignedRect());
    for (const QRect &band : outside)
        painter.fillRect(band, Qt::black);

    const QRectF visible = QRectF(area) & target;
    if (!visible.isEmpty()) {
        const double sx = frame.width() / target.width();
        const double sy = frame.height() / target.height();
        const QRectF source((visible.left() - target.left()) * sx,
            (visible.top() - target.top()) * sy, visible.width() * sx, visible.height() * sy);
        // Framebuffer pixels per device pixel: 1 at 1:1 whatever the ratio.
        const double dpr = devicePixelRatioF();
        if (!qFuzzyCompare(sx / dpr, 1.0) || !qFuzzyCompare(sy / dpr, 1.0))
            painter.setRenderHint(QPainter::SmoothPixmapTransform);
        painter.drawImage(visible, frame, source);
    }
    paintOverlay(painter);
    if (m_grabbed) {
        // Shows that keys go to the VM (and that Ctrl+Alt gets them back).
        QPen pen(palette().color(QPalette::Highlight), kGrabBorder);
        pen.setJoinStyle(Qt::MiterJoin);
        painter.setPen(pen);
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(QRectF(rect()).adjusted(1, 1, -1, -1));
    }
}

QRectF FramebufferView::toWidget(const QRect &framebufferRect) const
{
    const QRectF target = frameRect();
    if (target.isEmpty())
        return {};
    const QSize frame = m_connection->frameSize();
    const double sx = target.width() / frame.width();
    const double sy = target.height() / frame.height();
    return QRectF(target.left() + framebufferRect.x() * sx, target.top() + framebufferRect.y() * sy,
        framebufferRect.width() * sx, framebufferRect.height() * sy);
}

void FramebufferView::paintOverlay(QPainter &painter)
{
    if (!m_words.isEmpty()) {
        QFont font = painter.font();
        font.setPixelSize(11);
        painter.setFont(font);
        const QFontMetrics metrics(font);
        for (const OcrWord &word : std::as_const(m_words)) {
            const QRectF box = toWidget(word.box);
            painter.setPen(QPen(QColor(0, 200, 255), 1));
            painter.setBrush(QColor(0, 200, 255, 40));
            painter.drawRect(box);
            // The text read, on a label above the box (below at the top).
            // No wider than its box, so that the labels of neighbouring
            // words on a fitted (shrunk) screen do not cover each other.
            const int room = std::max(12, int(box.width()));
            const QString shown = metrics.elidedText(word.text, Qt::ElideRight, room - 4);
            const QRectF label(box.left(),
                box.top() >= metrics.height() + 2 ? box.top() - metrics.height() - 1
                                                  : box.bottom() + 1,
                std::min(room, metrics.horizontalAdvance(shown) + 4), metrics.height());
            painter.fillRect(label, QColor(255, 255, 200, 230));
            painter.setPen(Qt::black);
            painter.drawText(label, Qt::AlignCenter, shown);
        }
    }
    if (!m_region.isEmpty()) {
        QPen pen(QColor(255, 160, 0), 2, Qt::DashLine);
        painter.setPen(pen);
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(toWidget(m_region));
    }
}

void FramebufferView::setRegionSelecting(bool on)
{
    if (on == m_selecting)
        return;
    if (on)
        setInputGrab(false);
    m_selecting = on;
    m_dragging = false;
    updateCursor();
    update();
}

void FramebufferView::setWordBoxes(const QList<OcrWord> &words)
{
    m_words = words;
    update();
}

void FramebufferView::paintPlaceholder(QPainter &painter, const QRect &area)
{
    painter.fillRect(area, QColor(0x20, 0x20, 0x20));
    painter.setPen(QColor(0xb0, 0xb0, 0xb0));
    QString text = tr("not running");
    if (m_connection && !m_connection->stateReason().isEmpty())
        text += QLatin1Char('\n') + m_connection->stateReason();
    painter.drawText(area, Qt::AlignCenter | Qt::TextWordWrap, text);
}

void FramebufferView::setInputGrab(bool grab)
{
    grab = grab && connected() && m_inputEnabled;
    if (grab == m_grabbed)
        return;
    if (!grab)
        releaseKeys();
    m_grabbed = grab;
    if (grab)
        setFocus(Qt::MouseFocusReason);
    update();
    Q_EMIT inputGrabChanged(grab);
}

void FramebufferView::setInputEnabled(bool enabled)
{
    m_inputEnabled = enabled;
    if (!enabled)
        setInputGrab(false);
}

void FramebufferView::releaseKeys()
{
    // Keys still held in the guest would repeat forever there.
    if (m_connection) {
        for (auto it = m_pressed.cbegin(); it != m_pressed.cend(); ++it)
            m_connection->sendKey(it.value(), false);
        if (m_buttons != 0)
            m_connection->sendPointer(m_lastPointer, 0);
    }
    m_pressed.clear();
    m_buttons = 0;
}

void FramebufferView::keyPressEvent(QKeyEvent *event)
{
    if (!m_grabbed) {
        QWidget::keyPressEvent(event);
        return;
    }
    const auto mods = event->modifiers();
    const bool ctrlAlt = (mods & Qt::ControlModifier) && (mods & Qt::AltModifier);
    if (ctrlAlt && (event->key() == Qt::Key_Control || event->key() == Qt::Key_Alt)) {
        setInputGrab(false);
        return;
    }
    const quint32 keysym = keysymForKey(event->key(), mods, event->text());
    if (keysym == 0)
        return;
    m_pressed.insert(event->key(), keysym);
    m_connection->sendKey(keysym, true);
    Q_EMIT keyTyped(event->key(), mods, event->text());
}

void FramebufferView::keyReleaseEvent(QKeyEvent *event)
{
    if (!m_grabbed) {
        QWidget::keyReleaseEvent(event);
        return;
    }
    if (event->isAutoRepeat())
        return; // the guest repeats on its own while the key is down
    const auto it = m_pressed.find(event->key());
    if (it == m_pressed.end())
        return;
    m_connection->sendKey(it.value(), false);
    m_pressed.erase(it);
}

void FramebufferView::sendPointer(const QPointF &widgetPos)
{
    m_lastPointer = toFramebuffer(widgetPos);
    m_connection->sendPointer(m_lastPointer, m_buttons);
}

namespace {
int rfbButton(Qt::MouseButton button)
{
    switch (button) {
    case Qt::LeftButton:
        return VncConnection::LeftButton;
    case Qt::MiddleButton:
        return VncConnection::MiddleButton;
    case Qt::RightButton:
        return VncConnection::RightButton;
    default:
        return 0;
    }
}
} // namespace

void FramebufferView::mousePressEvent(QMouseEvent *event)
{
    if (m_selecting) {
        if (event->button() == Qt::LeftButton && connected()) {
            m_dragging = true;
            m_dragStart = toFramebuffer(event->position());
            m_region = {};
            update();
        }
        return;
    }
    if (!m_grabbed) {
        // The first click only takes the grab; it is not sent to the guest.
        setInputGrab(true);
        return;
    }
    m_buttons |= rfbButton(event->button());
    sendPointer(event->position());
}

void FramebufferView::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_selecting) {
        if (m_dragging && event->button() == Qt::LeftButton) {
            m_dragging = false;
            const QRect dragged = QRect(m_dragStart, toFramebuffer(event->position())).normalized();
            // A click (no real drag) reads the whole screen.
            m_region = dragged.width() < 4 || dragged.height() < 4 ? QRect() : dragged;
            update();
            Q_EMIT regionSelected(m_region);
        }
        return;
    }
    if (!m_grabbed)
        return;
    m_buttons &= ~rfbButton(event->button());
    sendPointer(event->position());
}

void FramebufferView::mouseMoveEvent(QMouseEvent *event)
{
    if (m_selecting && m_dragging) {
        m_region = QRect(m_dragStart, toFramebuffer(event->position())).normalized();
        update();
        return;
    }
    if (m_grabbed)
        sendPointer(event->position());
}

void FramebufferView::wheelEvent(QWheelEvent *event)
{
    if (!m_grabbed) {
        event->ignore();
        return;
    }
    m_lastPointer = toFramebuffer(event->position());
    // High-resolution wheels send small deltas: accumulate to whole notches,
    // each a press and release of button 4/5 (vertical) or 6/7.
    m_wheelY += event->angleDelta().y();
    m_wheelX += event->angleDelta().x();
    const auto click = [this](int button) {
        m_connection->sendPointer(m_lastPointer, m_buttons | button);
        m_connection->sendPointer(m_lastPointer, m_buttons);
    };
    while (std::abs(m_wheelY) >= kWheelStep) {
        click(m_wheelY > 0 ? VncConnection::WheelUp : VncConnection::WheelDown);
        m_wheelY += m_wheelY > 0 ? -kWheelStep : kWheelStep;
    }
    while (std::abs(m_wheelX) >= kWheelStep) {
        click(m_wheelX > 0 ? VncConnection::WheelLeft : VncConnection::WheelRight);
        m_wheelX += m_wheelX > 0 ? -kWheelStep : kWheelStep;
    }
    event->accept();
}

void FramebufferView::focusOutEvent(QFocusEvent *event)
{
    setInputGrab(false);
    QWidget::focusOutEvent(event);
}

void FramebufferView::showEvent(QShowEvent *event)
{
    if (m_connection)
        m_connection->setKeepAlive(true);
    QWidget::showEvent(event);
}

void FramebufferView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    updateCursor(); // the fitted scale changes with the size
}

bool FramebufferView::event(QEvent *event)
{
    // Moved to a screen with another device pixel ratio.
    if (event->type() == QEvent::DevicePixelRatioChange)
        updateCursor();
    return QWidget::event(event);
}

void FramebufferView::hideEvent(QHideEvent *event)
{
    if (m_connection)
        m_connection->setKeepAlive(false);
    QWidget::hideEvent(event);
}

bool FramebufferView::focusNextPrevChild(bool next)
{
    // While grabbed, Tab belongs to the guest.
    return m_grabbed ? false : QWidget::focusNextPrevChild(next);
}

} // namespace nixtide
