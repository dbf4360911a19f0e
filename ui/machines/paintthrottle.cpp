#include "ui/machines/paintthrottle.h"

namespace nixtide {

PaintThrottle::PaintThrottle(QWidget *display, int intervalMs)
    : m_display(display)
{
    m_interval.setInterval(intervalMs);
    connect(&m_interval, &QTimer::timeout, this, &PaintThrottle::paintNow);
}

PaintThrottle::~PaintThrottle()
{
    settle();
}

void PaintThrottle::burst()
{
    if (m_holding || !m_display)
        return;
    m_holding = true;
    m_display->setUpdatesEnabled(false);
    m_interval.start();
}

void PaintThrottle::settle()
{
    m_interval.stop();
    if (!m_holding)
        return;
    m_holding = false;
    // Turning updates back on schedules a paint of the whole display.
    if (m_display)
        m_display->setUpdatesEnabled(true);
}

void PaintThrottle::paintNow()
{
    if (!m_display)
        return;
    // A synchronous paint of everything the display's updates skipped
    // since the last one, then hold again.
    m_display->setUpdatesEnabled(true);
    m_display->repaint();
    m_display->setUpdatesEnabled(false);
}

} // namespace nixtide
