#include "ui/docks/variablesmodel.h"

namespace nixtide {

struct VariablesModel::Node
{
    Node *parent = nullptr;
    int row = 0;
    VariableEntry entry;
    enum class Fetch { NotYet, Requested, Done } fetch = Fetch::NotYet;
    std::vector<std::unique_ptr<Node>> children;
};

VariablesModel::VariablesModel(QObject *parent)
    : QAbstractItemModel(parent)
    , m_root(std::make_unique<Node>())
{ }

VariablesModel::~VariablesModel() = default;

VariablesModel::Node *VariablesModel::nodeFor(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<Node *>(index.internalPointer()) : m_root.get();
}

void VariablesModel::setScopes(const QList<VariableEntry> &scopes)
{
    beginResetModel();
    m_root = std::make_unique<Node>();
    m_root->fetch = Node::Fetch::Done;
    for (const VariableEntry &scope : scopes) {
        auto node = std::make_unique<Node>();
        node->parent = m_root.get();
        node->row = static_cast<int>(m_root->children.size());
        node->entry = scope;
        m_root->children.push_back(std::move(node));
    }
    endResetModel();
}

VariablesModel::Node *VariablesModel::findByReference(Node *node, int reference) const
{
    if (node != m_root.get() && node->entry.reference == reference)
        return node;
    for (const auto &child : node->children) {
        if (Node *found = findByReference(child.get(), reference))
            return found;
    }
    return nullptr;
}

void VariablesModel::setChildren(int reference, const QList<VariableEntry> &children)
{
    if (reference <= 0)
        return;
    Node *node = findByReference(m_root.get(), reference);
    if (!node || node->fetch == Node::Fetch::Done)
        return;
    node->fetch = Node::Fetch::Done;
    const QModelIndex parent = createIndex(node->row, 0, node);
    if (children.isEmpty()) {
        // hasChildren() said yes; let views drop the expander.
        Q_EMIT dataChanged(parent, parent);
        return;
    }
    beginInsertRows(parent, 0, static_cast<int>(children.size()) - 1);
    for (const VariableEntry &entry : children) {
        auto child = std::make_unique<Node>();
        child->parent = node;
        child->row = static_cast<int>(node->children.size());
        child->entry = entry;
        node->children.push_back(std::move(child));
    }
    endInsertRows();
}

QModelIndex VariablesModel::index(int row, int column, const QModelIndex &parent) const
{
    const Node *p = nodeFor(parent);
    if (row < 0 || column < 0 || column >= ColumnCount
        || row >= static_cast<int>(p->children.size()))
        return {};
    return createIndex(row, column, p->children[static_cast<std::size_t>(row)].get());
}

QModelIndex VariablesModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    Node *p = nodeFor(child)->parent;
    if (!p || p == m_root.get())
        return {};
    return createIndex(p->row, 0, p);
}

int VariablesModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return static_cast<int>(nodeFor(parent)->children.size());
}

int VariablesModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

bool VariablesModel::hasChildren(const QModelIndex &parent) const
{
    const Node *node = nodeFor(parent);
    if (node == m_root.get())
        return !node->children.empty();
    if (parent.column() != 0)
        return false;
    if (node->fetch == Node::Fetch::Done)
        return !node->children.empty();
    return node->entry.reference > 0;
}

bool VariablesModel::canFetchMore(const QModelIndex &parent) const
{
    const Node *node = nodeFor(parent);
    return node != m_root.get() && node->entry.reference > 0 && node->fetch == Node::Fetch::NotYet;
}

void VariablesModel::fetchMore(const QModelIndex &parent)
{
    Node *node = nodeFor(parent);
    if (!canFetchMore(parent))
        return;
    node->fetch = Node::Fetch::Requested;
    Q_EMIT childrenRequested(node->entry.reference);
}

QVariant VariablesModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const Node *node = nodeFor(index);
    if (role == ReferenceRole)
        return node->entry.reference;
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (index.column()) {
        case NameColumn:
            return node->entry.name;
        case ValueColumn:
            return node->entry.value;
        case TypeColumn:
            return node->entry.type;
        }
    }
    return {};
}

QVariant VariablesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Name");
    case ValueColumn:
        return tr("Value");
    case TypeColumn:
        return tr("Type");
    }
    return {};
}

} // namespace nixtide
