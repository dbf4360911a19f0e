#pragma once

#include <QAbstractItemModel>

#include <memory>
#include <vector>

namespace nixtide {

// One row of the variables tree as the debug adapter describes it. A
// non-zero reference means the value has children, fetched on demand.
struct VariableEntry
{
    QString name;
    QString value;
    QString type;
    int reference = 0;
};

// Variables of the selected frame: scopes at the top, children requested
// lazily when a row is expanded (childrenRequested), answered by setChildren.
class VariablesModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column { NameColumn, ValueColumn, TypeColumn, ColumnCount };
    enum Role { ReferenceRole = Qt::UserRole + 1 };

    explicit VariablesModel(QObject *parent = nullptr);
    ~VariablesModel() override;

    // Replaces everything (a new stop or another frame).
    void setScopes(const QList<VariableEntry> &scopes);
    // Fills the rows whose reference is `reference`; stale answers (for a
    // reference no longer shown) are ignored.
    void setChildren(int reference, const QList<VariableEntry> &children);
    void clear() { setScopes({}); }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void childrenRequested(int reference);

private:
    struct Node;
    Node *nodeFor(const QModelIndex &index) const;
    Node *findByReference(Node *node, int reference) const;

    std::unique_ptr<Node> m_root;
};

} // namespace nixtide
