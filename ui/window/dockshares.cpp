#include "ui/window/dockshares.h"

#include <QDockWidget>
#include <QEvent>
#include <QMainWindow>
#include <QTimer>

#include <algorithm>

namespace nixtide {

namespace {

bool sideArea(Qt::DockWidgetArea area)
{
    return area == Qt::LeftDockWidgetArea || area == Qt::RightDockWidgetArea;
}

} // namespace

QVariantMap DockShares::save(const QMainWindow *window)
{
    QVariantMap shares;
    if (window->width() <= 0 || window->height() <= 0)
        return shares;
    for (QDockWidget *dock : window->findChildren<QDockWidget *>()) {
        if (!dock->isVisible() || dock->isFloating() || dock->objectName().isEmpty())
            continue;
        const Qt::DockWidgetArea area = window->dockWidgetArea(dock);
        if (area == Qt::NoDockWidgetArea)
            continue;
        shares.insert(dock->objectName(),
            sideArea(area) ? double(dock->width()) / window->width()
                           : double(dock->height()) / window->height());
    }
    return shares;
}

namespace {

// Docks of a window not shown yet have no geometry to resize: the shares
// are applied once it is shown and laid out.
class ApplyWhenShown : public QObject
{
public:
    ApplyWhenShown(QMainWindow *window, QVariantMap shares, int centreMinimum)
        : QObject(window)
        , m_window(window)
        , m_shares(std::move(shares))
        , m_centreMinimum(centreMinimum)
    {
        window->installEventFilter(this);
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (watched == m_window && event->type() == QEvent::Show) {
            m_window->removeEventFilter(this);
            QTimer::singleShot(0, this, [this] {
                DockShares::restore(m_window, m_shares, m_centreMinimum);
                deleteLater();
            });
        }
        return QObject::eventFilter(watched, event);
    }

private:
    QMainWindow *m_window;
    QVariantMap m_shares;
    int m_centreMinimum;
};

} // namespace

void DockShares::restore(QMainWindow *window, const QVariantMap &shares, int centreMinimum)
{
    if (shares.isEmpty())
        return;
    if (!window->isVisible()) {
        new ApplyWhenShown(window, shares, centreMinimum);
        return;
    }
    QList<QDockWidget *> across, down;
    QList<int> widths, heights;
    // The widest dock of each side is what the side takes from the centre.
    int left = 0, right = 0;
    for (QDockWidget *dock : window->findChildren<QDockWidget *>()) {
        const double share = shares.value(dock->objectName()).toDouble();
        if (share <= 0 || share >= 1 || dock->isFloating())
            continue;
        const Qt::DockWidgetArea area = window->dockWidgetArea(dock);
        if (sideArea(area)) {
            const int width = int(share * window->width());
            across << dock;
            widths << width;
            int &side = area == Qt::LeftDockWidgetArea ? left : right;
            side = std::max(side, width);
        } else if (area != Qt::NoDockWidgetArea) {
            down << dock;
            heights << int(share * window->height());
        }
    }
    const int room = window->width() - centreMinimum;
    if (left + right > room && left + right > 0) {
        const double scale = std::max(0, room) / double(left + right);
        for (int &width : widths)
            width = int(width * scale);
    }
    if (!across.isEmpty())
        window->resizeDocks(across, widths, Qt::Horizontal);
    if (!down.isEmpty())
        window->resizeDocks(down, heights, Qt::Vertical);
}

} // namespace nixtide
