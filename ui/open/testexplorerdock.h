#pragma once

#include "core/nix/testref.h"

#include <QDockWidget>

class QLabel;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace nixtide {

// The tests of the open flake, file or nixpkgs tree (TestInfo::listTests on
// a worker thread) with the last result `nixtide run-all` recorded for each
// (SuiteHistory): state, time, and why a failed one failed. "Debug this
// test" asks for the selected test to be opened and run under the
// debugger, where a failed script stops at its failing line.
class TestExplorerDock : public QDockWidget
{
    Q_OBJECT

public:
    explicit TestExplorerDock(QWidget *parent = nullptr);

    // Lists the tests of `source` (a flake with no attribute path: its
    // checks). The same source again only re-reads the results.
    void setSource(const TestRef &source);
    // Re-reads the recorded results (after a run-all).
    void refreshResults();
    // Where results are read from (tests); default SuiteHistory::path().
    void setHistoryFile(const QString &file) { m_historyFile = file; }

    QTreeWidget *tree() const { return m_tree; }
    QPushButton *debugButton() const { return m_debug; }
    // The reference of the test in `item` (TestRef::toString()).
    static QString referenceOf(const QTreeWidgetItem *item);

Q_SIGNALS:
    // `reference` as TestRef::toString(): what MainWindow::openTestArgument takes.
    void debugRequested(const QString &reference);
    // The list arrived (error: Nix's, when listing failed).
    void listed(const QString &error);

private:
    void showTests(const QStringList &attrs, const QString &error);
    void requestDebug();

    QTreeWidget *m_tree;
    QPushButton *m_debug;
    QLabel *m_status;
    TestRef m_source;
    QString m_sourceKey;
    QString m_historyFile;
    int m_generation = 0; // drops a late listing of an earlier source
};

} // namespace nixtide
