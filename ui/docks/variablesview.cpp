#include "ui/docks/variablesview.h"

#include "ui/docks/variablesmodel.h"

#include <QAction>
#include <QHeaderView>
#include <QLineEdit>
#include <QSplitter>
#include <QTreeView>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace nixtide {

VariablesView::VariablesView(VariablesModel *model, QWidget *parent)
    : QWidget(parent)
    , m_variables(new QTreeView(this))
    , m_watches(new QTreeWidget(this))
    , m_newWatch(new QLineEdit(this))
{
    m_variables->setModel(model);
    m_variables->setUniformRowHeights(true);
    m_variables->header()->setSectionResizeMode(VariablesModel::ValueColumn, QHeaderView::Stretch);
    m_variables->header()->setStretchLastSection(false);

    m_watches->setColumnCount(2);
    m_watches->setHeaderLabels({tr("Watch"), tr("Value")});
    m_watches->setRootIsDecorated(false);
    m_watches->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *remove = new QAction(tr("Remove Watch"), m_watches);
    remove->setShortcut(QKeySequence::Delete);
    remove->setShortcutContext(Qt::WidgetShortcut);
    m_watches->addAction(remove);
    connect(remove, &QAction::triggered, this, [this] {
        qDeleteAll(m_watches->selectedItems());
        Q_EMIT watchesChanged();
    });
    m_newWatch->setPlaceholderText(tr("Add watch expression"));
    connect(m_newWatch, &QLineEdit::returnPressed, this, [this] {
        addWatch(m_newWatch->text());
        m_newWatch->clear();
    });

    auto *watchPane = new QWidget(this);
    auto *watchLayout = new QVBoxLayout(watchPane);
    watchLayout->setContentsMargins(0, 0, 0, 0);
    watchLayout->addWidget(m_watches, 1);
    watchLayout->addWidget(m_newWatch);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_variables);
    splitter->addWidget(watchPane);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(splitter);
}

QStringList VariablesView::watches() const
{
    QStringList list;
    for (int i = 0; i < m_watches->topLevelItemCount(); ++i)
        list.append(m_watches->topLevelItem(i)->text(0));
    return list;
}

void VariablesView::setWatches(const QStringList &expressions)
{
    m_watches->clear();
    for (const QString &expression : expressions)
        addWatch(expression);
}

void VariablesView::addWatch(const QString &expression)
{
    const QString trimmed = expression.trimmed();
    if (trimmed.isEmpty() || watches().contains(trimmed))
        return;
    new QTreeWidgetItem(m_watches, {trimmed, QString()});
    Q_EMIT watchesChanged();
    Q_EMIT watchEvaluateRequested(trimmed);
}

void VariablesView::setWatchResult(const QString &expression, const QString &value, bool error)
{
    for (int i = 0; i < m_watches->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_watches->topLevelItem(i);
        if (item->text(0) != expression)
            continue;
        item->setText(1, value);
        item->setForeground(1, error ? QBrush(QColor(0xc0, 0x10, 0x10)) : QBrush());
    }
}

void VariablesView::clearWatchValues()
{
    for (int i = 0; i < m_watches->topLevelItemCount(); ++i) {
        m_watches->topLevelItem(i)->setText(1, QString());
        m_watches->topLevelItem(i)->setForeground(1, QBrush());
    }
}

QString VariablesView::watchValue(const QString &expression) const
{
    for (int i = 0; i < m_watches->topLevelItemCount(); ++i) {
        if (m_watches->topLevelItem(i)->text(0) == expression)
            return m_watches->topLevelItem(i)->text(1);
    }
    return {};
}

void VariablesView::refreshWatches()
{
    for (const QString &expression : watches())
        Q_EMIT watchEvaluateRequested(expression);
}

} // namespace nixtide
