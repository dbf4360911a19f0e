#include "ui/docks/breakpointsview.h"

#include "core/breakpoints/breakpointstore.h"

#include <QAction>
#include <QFileInfo>
#include <QHeaderView>
#include <QSignalBlocker>
#include <QStyle>
#include <QStyledItemDelegate>

namespace nixtide {

namespace {
constexpr int kPathRole = Qt::UserRole + 1;
constexpr int kLineRole = Qt::UserRole + 2;

// Only the condition, hit count and log message cells take an editor.
class EditableColumns : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option,
        const QModelIndex &index) const override
    {
        const int column = index.column();
        if (column < BreakpointsView::ConditionColumn || column > BreakpointsView::LogColumn)
            return nullptr;
        return QStyledItemDelegate::createEditor(parent, option, index);
    }
};
} // namespace

BreakpointsView::BreakpointsView(QWidget *parent)
    : QTreeWidget(parent)
{
    setColumnCount(5);
    setHeaderLabels(
        {tr("Location"), tr("Condition"), tr("Hit count"), tr("Log message"), tr("Problem")});
    headerItem()->setToolTip(ConditionColumn, tr("Stop only when this Python expression is true"));
    headerItem()->setToolTip(
        HitsColumn, tr("Stop from this hit on: 5, >= 5, == 5 or % 5 (every fifth)"));
    headerItem()->setToolTip(
        LogColumn, tr("Print this instead of stopping; {expression} is replaced by its value"));
    setItemDelegate(new EditableColumns(this));
    setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed
        | QAbstractItemView::SelectedClicked);
    setRootIsDecorated(false);
    setSortingEnabled(false);
    header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *remove = new QAction(tr("Remove Breakpoint"), this);
    remove->setShortcut(QKeySequence::Delete);
    remove->setShortcutContext(Qt::WidgetShortcut);
    addAction(remove);
    connect(remove, &QAction::triggered, this, [this] {
        // Each removal may rebuild the rows: read them all first.
        QList<std::pair<QString, int>> chosen;
        for (const QTreeWidgetItem *item : selectedItems())
            chosen.append({item->data(0, kPathRole).toString(), item->data(0, kLineRole).toInt()});
        for (const auto &[path, line] : std::as_const(chosen)) {
            if (m_store)
                m_store->removeBreakpoint(path, line);
            Q_EMIT removeRequested(path, line);
        }
    });
    connect(this, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item, int column) {
        if (column == LocationColumn || column == ProblemColumn)
            Q_EMIT breakpointActivated(
                item->data(0, kPathRole).toString(), item->data(0, kLineRole).toInt());
    });
    connect(this, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem *item, int column) {
        if (m_filling || column < ConditionColumn || column > LogColumn)
            return;
        Breakpoint bp {item->data(0, kLineRole).toInt(), item->text(ConditionColumn).trimmed(),
            item->text(HitsColumn).trimmed(), item->text(LogColumn)};
        const QString path = item->data(0, kPathRole).toString();
        // The store's change rebuilds the rows: `item` is gone after it.
        if (m_store)
            m_store->setBreakpoint(path, bp);
        Q_EMIT editRequested(path, bp);
    });
}

void BreakpointsView::setBreakpoints(const QString &path, const BreakpointList &breakpoints)
{
    for (int i = topLevelItemCount() - 1; i >= 0; --i) {
        if (topLevelItem(i)->data(0, kPathRole).toString() == path)
            delete takeTopLevelItem(i);
    }
    const QString name = QFileInfo(path).fileName();
    m_filling = true;
    for (const Breakpoint &bp : breakpoints) {
        auto *item = new QTreeWidgetItem(this,
            {QStringLiteral("%1:%2").arg(name).arg(bp.line), bp.condition, bp.hitCondition,
                bp.logMessage});
        item->setFlags(item->flags() | Qt::ItemIsEditable);
        item->setData(0, kPathRole, path);
        item->setData(0, kLineRole, bp.line);
        item->setToolTip(0, path);
    }
    m_filling = false;
}

void BreakpointsView::setStore(BreakpointStore *store)
{
    if (m_store)
        disconnect(m_store, nullptr, this, nullptr);
    m_store = store;
    if (!store)
        return;
    connect(store, &BreakpointStore::breakpointsChanged, this, &BreakpointsView::showFile);
    for (const QString &path : store->files())
        showFile(path);
}

void BreakpointsView::showFile(const QString &path)
{
    const QList<StoredBreakpoint> entries = m_store->entries(path);
    BreakpointList shown;
    for (const StoredBreakpoint &entry : entries) {
        if (entry.oneShot)
            continue;
        Breakpoint bp = entry.request;
        bp.line = entry.line();
        shown.append(bp);
    }
    setBreakpoints(path, shown);
    for (const StoredBreakpoint &entry : entries) {
        if (!entry.oneShot && !entry.verified && !entry.message.isEmpty())
            setRefusal(path, entry.line(), entry.message);
    }
}

void BreakpointsView::setRefusal(const QString &path, int line, const QString &reason)
{
    for (int i = 0; i < topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = topLevelItem(i);
        if (item->data(0, kPathRole).toString() != path || item->data(0, kLineRole).toInt() != line)
            continue;
        const QSignalBlocker quiet(this);
        item->setText(ProblemColumn, reason);
        item->setToolTip(ProblemColumn, reason);
        item->setIcon(LocationColumn,
            reason.isEmpty() ? QIcon() : style()->standardIcon(QStyle::SP_MessageBoxWarning));
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
            return item->text(ProblemColumn);
    }
    return {};
}

} // namespace nixtide
