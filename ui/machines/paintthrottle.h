#pragma once

#include <QElapsedTimer>
#include <QPointer>
#include <QTimer>
#include <QWidget>

namespace nixtide {

// Caps how often a terminal's display paints while output streams in.
// QTermWidget repaints its whole screen every 40 ms as long as bytes keep
// arriving; when the guest floods its console that painting (text shaping
// and glyph blitting of every row) was a fifth of the CPU time per byte
// (bench/terminal, 2026-12-01). While a burst lasts the display's updates are
// off and it is painted in one go every interval; the emulation, the
// scrollback, selection and search keep working on every byte meanwhile.
// Output that trickles in (a prompt, typed characters) paints at once.
class PaintThrottle : public QObject
{
    Q_OBJECT
public:
    PaintThrottle(QWidget *display, int intervalMs);
    ~PaintThrottle() override;

    // More output is waiting after this slice: the burst goes on.
    void burst();
    // Nothing is waiting any more: paint what came, and paint freely.
    void settle();
    bool isHolding() const { return m_holding; }

private:
    void paintNow();

    QPointer<QWidget> m_display;
    QTimer m_interval;
    bool m_holding = false;
};

} // namespace nixtide
