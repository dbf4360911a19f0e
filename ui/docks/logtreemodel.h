#pragma once

#include <QAbstractItemModel>
#include <QHash>
#include <QSortFilterProxyModel>

#include <memory>
#include <vector>

namespace nixtide {

// The driver's nested log as a tree: each step has a message, the machine it
// concerns (empty for the test itself), a duration once it ended, a failed
// flag and, when known, the script line that started it. Fed by the session
// with beginStep/endStep (the driver's nesting is a stack) and addMessage.
class LogTreeModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column { MessageColumn, MachineColumn, DurationColumn, ColumnCount };
    enum Role {
        ScriptLineRole = Qt::UserRole + 1, // int, 0 when unknown
        FailedRole, // bool
        MachineRole, // QString
        DurationRole, // double seconds, -1 while running
        ScriptPathRole, // QString: the file ScriptLineRole is in; empty: the window's test
        RunRole, // bool: the section of one script run
        ImageRole, // QString: a picture the step is about (an OCR attempt's screen)
    };

    explicit LogTreeModel(QObject *parent = nullptr);
    ~LogTreeModel() override;

    // Opens a step under the innermost open one.
    void beginStep(const QString &message, const QString &machine = {}, int scriptLine = 0);
    // Closes the innermost open step. Does nothing when none is open.
    void endStep(double seconds, bool failed = false);
    // A leaf line under the innermost open step.
    void addMessage(const QString &message, const QString &machine = {}, int scriptLine = 0,
        bool failed = false);
    // The session's entries carry explicit ids: an entry goes under
    // parentId (top level when 0 or unknown), whatever else is open, because
    // the driver's steps from several threads interleave. open: a step that
    // finishEntry() will close; otherwise a plain line.
    void addEntry(int id, int parentId, const QString &message, const QString &machine, bool open,
        int scriptLine = 0, bool failed = false, const QString &scriptPath = {});
    void finishEntry(int id, double seconds, bool failed);
    // A picture for the entry (ImageRole) and its seconds, for entries that
    // arrive finished (an OCR attempt).
    void setEntryImage(int id, const QString &imagePath);
    // A leaf line under the entry, such as a text OCR read.
    void addDetail(int id, const QString &text);
    // One section per script run: entries without a known parent go under
    // the newest run's section until the next begins. finishRun() gives the
    // section its result and duration.
    void beginRun(const QString &title);
    void finishRun(const QString &result, double seconds, bool failed);
    int runCount() const { return m_runs; }
    void clear();
    int openDepth() const { return static_cast<int>(m_open.size()); }
    QStringList machines() const { return m_machines; }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString formatDuration(double seconds);

Q_SIGNALS:
    void machineSeen(const QString &machine);

private:
    struct Node;
    Node *nodeFor(const QModelIndex &index) const;
    Node *append(const QString &message, const QString &machine, int scriptLine);
    Node *appendTo(Node *parent, const QString &message, const QString &machine, int scriptLine,
        bool run = false);
    QModelIndex indexFor(Node *node, int column) const;

    std::unique_ptr<Node> m_root;
    std::vector<Node *> m_open;
    QHash<int, Node *> m_byId;
    Node *m_run = nullptr; // the newest run's section
    int m_runs = 0;
    QStringList m_machines;
};

// Filters the log by machine (exact) and text (case-insensitive, in the
// message); a parent stays visible when a descendant matches.
class LogFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit LogFilterModel(QObject *parent = nullptr);

    void setMachine(const QString &machine); // empty: all machines
    void setText(const QString &text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_machine;
    QString m_text;
};

} // namespace nixtide
