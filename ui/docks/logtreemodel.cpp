#include "ui/docks/logtreemodel.h"

#include <QBrush>
#include <QColor>

namespace nixtide {

struct LogTreeModel::Node
{
    Node *parent = nullptr;
    int row = 0;
    QString message;
    QString machine;
    int scriptLine = 0;
    QString scriptPath;
    QString image;
    double seconds = -1;
    bool failed = false;
    bool open = false;
    bool run = false;
    std::vector<std::unique_ptr<Node>> children;
};

LogTreeModel::LogTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
    , m_root(std::make_unique<Node>())
{ }

LogTreeModel::~LogTreeModel() = default;

LogTreeModel::Node *LogTreeModel::nodeFor(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<Node *>(index.internalPointer()) : m_root.get();
}

QModelIndex LogTreeModel::indexFor(Node *node, int column) const
{
    if (node == m_root.get())
        return {};
    return createIndex(node->row, column, node);
}

LogTreeModel::Node *LogTreeModel::append(
    const QString &message, const QString &machine, int scriptLine)
{
    return appendTo(m_open.empty() ? m_root.get() : m_open.back(), message, machine, scriptLine);
}

LogTreeModel::Node *LogTreeModel::appendTo(
    Node *parent, const QString &message, const QString &machine, int scriptLine, bool run)
{
    const int row = static_cast<int>(parent->children.size());
    beginInsertRows(indexFor(parent, 0), row, row);
    auto node = std::make_unique<Node>();
    node->parent = parent;
    node->row = row;
    node->message = message;
    node->machine = machine;
    node->scriptLine = scriptLine;
    node->run = run;
    node->open = run;
    Node *raw = node.get();
    parent->children.push_back(std::move(node));
    endInsertRows();
    if (!machine.isEmpty() && !m_machines.contains(machine)) {
        m_machines.append(machine);
        Q_EMIT machineSeen(machine);
    }
    return raw;
}

void LogTreeModel::beginStep(const QString &message, const QString &machine, int scriptLine)
{
    Node *node = append(message, machine, scriptLine);
    node->open = true;
    m_open.push_back(node);
}

void LogTreeModel::endStep(double seconds, bool failed)
{
    if (m_open.empty())
        return;
    Node *node = m_open.back();
    m_open.pop_back();
    node->open = false;
    node->seconds = seconds;
    node->failed = failed;
    Q_EMIT dataChanged(indexFor(node, 0), indexFor(node, ColumnCount - 1));
}

void LogTreeModel::addMessage(
    const QString &message, const QString &machine, int scriptLine, bool failed)
{
    Node *node = append(message, machine, scriptLine);
    node->failed = failed;
}

void LogTreeModel::addEntry(int id, int parentId, const QString &message, const QString &machine,
    bool open, int scriptLine, bool failed, const QString &scriptPath)
{
    Node *parent = m_byId.value(parentId, m_run ? m_run : m_root.get());
    Node *node = appendTo(parent, message, machine, scriptLine);
    node->scriptPath = scriptPath;
    node->open = open;
    node->failed = failed;
    m_byId.insert(id, node);
}

void LogTreeModel::finishEntry(int id, double seconds, bool failed)
{
    Node *node = m_byId.value(id);
    if (!node)
        return;
    node->open = false;
    node->seconds = seconds;
    node->failed = failed;
    Q_EMIT dataChanged(indexFor(node, 0), indexFor(node, ColumnCount - 1));
}

void LogTreeModel::setEntryImage(int id, const QString &imagePath)
{
    Node *node = m_byId.value(id);
    if (!node)
        return;
    node->image = imagePath;
    Q_EMIT dataChanged(indexFor(node, 0), indexFor(node, ColumnCount - 1));
}

void LogTreeModel::addDetail(int id, const QString &text)
{
    if (Node *node = m_byId.value(id))
        appendTo(node, text, node->machine, 0);
}

void LogTreeModel::beginRun(const QString &title)
{
    m_run = appendTo(m_root.get(), title, {}, 0, true);
    ++m_runs;
}

void LogTreeModel::finishRun(const QString &result, double seconds, bool failed)
{
    if (!m_run)
        return;
    m_run->message = QStringLiteral("%1: %2").arg(m_run->message, result);
    m_run->open = false;
    m_run->seconds = seconds;
    m_run->failed = failed;
    Q_EMIT dataChanged(indexFor(m_run, 0), indexFor(m_run, ColumnCount - 1));
}

void LogTreeModel::clear()
{
    beginResetModel();
    m_open.clear();
    m_run = nullptr;
    m_runs = 0;
    m_byId.clear();
    m_root = std::make_unique<Node>();
    m_machines.clear();
    endResetModel();
}

QModelIndex LogTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    const Node *p = nodeFor(parent);
    if (row < 0 || column < 0 || column >= ColumnCount
        || row >= static_cast<int>(p->children.size()))
        return {};
    return createIndex(row, column, p->children[static_cast<std::size_t>(row)].get());
}

QModelIndex LogTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    return indexFor(nodeFor(child)->parent, 0);
}

int LogTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return static_cast<int>(nodeFor(parent)->children.size());
}

int LogTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QString LogTreeModel::formatDuration(double seconds)
{
    if (seconds < 0)
        return QStringLiteral("…");
    if (seconds < 1)
        return QStringLiteral("%1 ms").arg(qRound(seconds * 1000));
    if (seconds < 60)
        return QStringLiteral("%1 s").arg(seconds, 0, 'f', 2);
    const int whole = qRound(seconds);
    return QStringLiteral("%1 min %2 s").arg(whole / 60).arg(whole % 60);
}

QVariant LogTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const Node *node = nodeFor(index);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case MessageColumn:
            return node->message;
        case MachineColumn:
            return node->machine;
        case DurationColumn:
            // Plain lines have no duration; open steps show that they run.
            if (node->open || node->seconds >= 0)
                return formatDuration(node->seconds);
            return {};
        }
        return {};
    case Qt::ForegroundRole:
        if (node->failed)
            return QBrush(QColor(0xc0, 0x10, 0x10));
        return {};
    case Qt::ToolTipRole:
        if (index.column() == MessageColumn && !node->image.isEmpty())
            return tr("%1\nDouble-click to see the screen it read").arg(node->message);
        if (index.column() == MessageColumn && node->scriptLine > 0)
            return tr("%1\n(script line %2)").arg(node->message).arg(node->scriptLine);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == DurationColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case ScriptLineRole:
        return node->scriptLine;
    case ScriptPathRole:
        return node->scriptPath;
    case FailedRole:
        return node->failed;
    case RunRole:
        return node->run;
    case MachineRole:
        return node->machine;
    case DurationRole:
        return node->seconds;
    case ImageRole:
        return node->image;
    }
    return {};
}

QVariant LogTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case MessageColumn:
        return tr("Step");
    case MachineColumn:
        return tr("Machine");
    case DurationColumn:
        return tr("Duration");
    }
    return {};
}

LogFilterModel::LogFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setRecursiveFilteringEnabled(true);
}

void LogFilterModel::setMachine(const QString &machine)
{
    m_machine = machine;
    invalidateFilter();
}

void LogFilterModel::setText(const QString &text)
{
    m_text = text;
    invalidateFilter();
}

bool LogFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_machine.isEmpty() && index.data(LogTreeModel::MachineRole).toString() != m_machine)
        return false;
    return m_text.isEmpty() || index.data().toString().contains(m_text, Qt::CaseInsensitive);
}

} // namespace nixtide
