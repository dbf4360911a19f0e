#include "ui/docks/callstackview.h"

#include <QFileInfo>
#include <QHeaderView>

#include <algorithm>

namespace nixtide {

CallStackView::CallStackView(QWidget *parent)
    : QTreeWidget(parent)
{
    setColumnCount(2);
    setHeaderLabels({tr("Function"), tr("Location")});
    setRootIsDecorated(false);
    setUniformRowHeights(true);
    header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    connect(this, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        const int row = item ? indexOfTopLevelItem(item) : -1;
        if (row >= 0 && row < m_frames.size())
            Q_EMIT frameSelected(m_frames.at(row));
    });
}

void CallStackView::setFrames(const QList<StackFrameEntry> &frames, int current)
{
    const QSignalBlocker blocker(this);
    clear();
    m_frames = frames;
    for (const StackFrameEntry &frame : frames) {
        auto *item = new QTreeWidgetItem(this,
            {frame.name,
                QStringLiteral("%1:%2").arg(QFileInfo(frame.path).fileName()).arg(frame.line)});
        item->setToolTip(1, frame.path);
    }
    if (topLevelItemCount() > 0)
        setCurrentItem(topLevelItem(std::clamp(current, 0, topLevelItemCount() - 1)));
}

int CallStackView::currentFrameIndex() const
{
    return currentItem() ? indexOfTopLevelItem(currentItem()) : -1;
}

} // namespace nixtide
