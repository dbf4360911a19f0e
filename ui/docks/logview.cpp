#include "ui/docks/logview.h"

#include "ui/docks/logtreemodel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QScrollBar>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

namespace nixtide {

LogView::LogView(LogTreeModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_filter(new LogFilterModel(this))
    , m_machine(new QComboBox(this))
    , m_text(new QLineEdit(this))
    , m_tree(new QTreeView(this))
{
    m_filter->setSourceModel(model);
    m_machine->addItem(tr("All machines"), QString());
    for (const QString &machine : model->machines())
        m_machine->addItem(machine, machine);
    m_text->setPlaceholderText(tr("Filter log"));
    m_text->setClearButtonEnabled(true);

    m_tree->setModel(m_filter);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(LogTreeModel::MessageColumn, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(
        LogTreeModel::MachineColumn, QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(
        LogTreeModel::DurationColumn, QHeaderView::ResizeToContents);

    auto *filters = new QHBoxLayout;
    filters->addWidget(m_machine);
    filters->addWidget(m_text, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(filters);
    layout->addWidget(m_tree, 1);

    connect(m_machine, &QComboBox::currentIndexChanged, this,
        [this] { m_filter->setMachine(m_machine->currentData().toString()); });
    connect(m_text, &QLineEdit::textChanged, m_filter, &LogFilterModel::setText);
    connect(model, &LogTreeModel::machineSeen, this,
        [this](const QString &machine) { m_machine->addItem(machine, machine); });
    connect(model, &LogTreeModel::modelReset, this, [this] {
        m_machine->setCurrentIndex(0);
        while (m_machine->count() > 1)
            m_machine->removeItem(1);
    });
    connect(m_tree, &QTreeView::activated, this, [this](const QModelIndex &index) {
        const int line = index.data(LogTreeModel::ScriptLineRole).toInt();
        if (line > 0)
            Q_EMIT scriptLineActivated(line, index.data(LogTreeModel::ScriptPathRole).toString());
        const QString image = index.data(LogTreeModel::ImageRole).toString();
        if (!image.isEmpty())
            Q_EMIT imageActivated(image, index.siblingAtColumn(0).data().toString());
    });
    // Follow the run: new steps are expanded and scrolled to while the view
    // is at the bottom, so reading older steps is not disturbed.
    connect(m_filter, &QAbstractItemModel::rowsInserted, this,
        [this](const QModelIndex &where, int, int last) {
            QScrollBar *bar = m_tree->verticalScrollBar();
            const bool atBottom = bar->value() >= bar->maximum() - 2;
            if (where.isValid())
                m_tree->expand(where);
            // A new run's section opens and the earlier ones fold away.
            const QModelIndex inserted = m_filter->index(last, 0, where);
            if (!where.isValid() && inserted.data(LogTreeModel::RunRole).toBool()) {
                for (int row = 0; row < m_filter->rowCount(); ++row) {
                    const QModelIndex section = m_filter->index(row, 0);
                    if (section.data(LogTreeModel::RunRole).toBool())
                        m_tree->setExpanded(section, row == last);
                }
            }
            if (atBottom) {
                const QModelIndex added = m_filter->index(last, 0, where);
                QTimer::singleShot(
                    0, m_tree, [tree = m_tree, added = QPersistentModelIndex(added)] {
                        if (added.isValid())
                            tree->scrollTo(added);
                    });
            }
        });
}

} // namespace nixtide
