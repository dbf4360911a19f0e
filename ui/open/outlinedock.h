#pragma once

#include "core/nix/testref.h"

#include <QDockWidget>

class QTreeWidget;
class QTreeWidgetItem;

namespace nixtide {

// The open test at a glance: its nodes and VLANs (TestInfo::outline, a
// `nix eval` on a worker thread), then the testScript's subtests and
// top-level statements, read from the .nix text itself (no build needed:
// antiquotations stand in as placeholders) and mapped to .nix lines, or
// from the script file a `readFile ./x.py` names. A `.py` script opened on
// its own has the same script part. Activating a statement emits jumpTo
// with the file and line it is written at.
class OutlineDock : public QDockWidget
{
    Q_OBJECT

public:
    explicit OutlineDock(QWidget *parent = nullptr);

    // A new test: evaluates its nodes and VLANs and reads the script from
    // `nixSource` (the editor's text of `path`, the file holding the testScript).
    void setTest(const TestRef &ref, const QString &path, const QString &nixSource);
    // A Python script file with no test around it: the script part only.
    void setScriptFile(const QString &path, const QString &script);
    // After an edit: re-reads the script part only (no Nix call); `source`
    // is the text of `path`, a .nix file or a Python script.
    void setScriptSource(const QString &path, const QString &source);

    QTreeWidget *tree() const { return m_tree; }

Q_SIGNALS:
    void jumpTo(const QString &path, int line);
    // Nodes and VLANs arrived; `error` is Nix's when the evaluation failed.
    // On success the nodes are EvaluatedNodes of the test's file by then.
    void machinesReady(const QString &error);
    // Evaluating the test failed at a place in a file (Nix's own message).
    void evaluationFailed(const QString &file, int line, int column, const QString &message);

private:
    void showMachines(const QStringList &nodes, const QList<int> &vlans, const QString &error);

    QTreeWidget *m_tree;
    QTreeWidgetItem *m_nodes;
    QTreeWidgetItem *m_vlans;
    QTreeWidgetItem *m_script;
    QString m_path; // the file the script part was read from
    int m_generation = 0; // drops a late evaluation of an earlier test
};

} // namespace nixtide
