#include "ui/docks/breakpointsview.h"

#include <QAction>
#include <QFileInfo>
#include <QHeaderView>
#include <QStyle>

namespace nixtide {

namespace {
constexpr int kPathRole = Qt::UserRole + 1;
constexpr int kLineRole = Qt::UserRole + 2;
} // namespace

BreakpointsView::BreakpointsView(QWidget *parent)
    : QTreeWidget(parent)
{
    setColumnCount(3);
    setHeaderLabels({tr("Location"), tr("Condition"), tr("Problem")});
    setRootIsDecorated(false);
    setSortingEnabled(false);
    header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *remove = new QAction(tr("Remove Breakpoint"), this);
    remove->setShortcut(QKeySequence::Delete);
    remove->setShortcutContext(Qt::WidgetShortcut);
    addAction(remove);
    connect(remove, &QAction::triggered, this, [this] {
        for (QTreeWidgetItem *item : selectedItems())
            Q_EMIT removeRequested(
                item->data(0, kPathRole).toString(), item->data(0, kLineRole).toInt());
    });
    connect(this, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        Q_EMIT breakpointActivated(
            item->data(0, kPathRole).toString(), item->data(0, kLineRole).toInt());
    });
}

void BreakpointsView::setBreakpoints(const QString &path, const BreakpointList &breakpoints)
{
    for (int i = topLevelItemCount() - 1; i >= 0; --i) {
        if (topLevelItem(i)->data(0, kPathRole).toString() == path)
            delete takeTopLevelItem(i);
    }
    const QString name = QFileInfo(path).fileName();
    for (const Breakpoint &bp : breakpoints) {
        auto *item = new QTreeWidgetItem(
            this, {QStringLiteral("%1:%2").arg(name).arg(bp.line), bp.condition});
        item->setData(0, kPathRole, path);
        item->setData(0, kLineRole, bp.line);
        item->setToolTip(0, path);
    }
}

void BreakpointsView::setRefusal(const QString &path, int line, const QString &reason)
{
    for (int i = 0; i < topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = topLevelItem(i);
        if (item->data(0, kPathRole).toString() != path || item->data(0, kLineRole).toInt() != line)
            continue;
        item->setText(2, reason);
        item->setToolTip(2, reason);
        item->setIcon(
            0, reason.isEmpty() ? QIcon() : style()->standardIcon(QStyle::SP_MessageBoxWarning));
        for (int column = 0; column < columnCount(); ++column)
            item->setForeground(column,
                reason.isEmpty() ? palette().brush(QPalette::Text) : QBrush(QColor(0xa3, 0x52, 0)));
    }
}

QString BreakpointsView::refusal(const QString &path, int line) const
{
    for (int i = 0; i < topLevelItemCount(); ++i) {
        const QTreeWidgetItem *item = topLevelItem(i);
        if (item->data(0, kPathRole).toString() == path && item->data(0, kLineRole).toInt() == line)
            return item->text(2);
    }
    return {};
}

} // namespace nixtide
