#pragma once

#include "core/nix/testref.h"

#include <QDockWidget>
#include <QHash>

class QLabel;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace nixtide {

// The tests of the open flake, file or nixpkgs tree (TestInfo::listTests on
// a worker thread) with each one's last result: the newer of what `nixtide
// run-all` recorded (SuiteHistory) and of its last run in the IDE or with
// `nixtide run` (the run records, RunHistory): state, time, and why a
// failed one failed. "Debug this test" asks for the selected test to be
// opened and run under the debugger, where a failed script stops at its
// failing line.
class TestExplorerDock : public QDockWidget
{
    Q_OBJECT

public:
    explicit TestExplorerDock(QWidget *parent = nullptr);

    // Lists the tests of `source` (a flake with no attribute path: its
    // checks). The same source again only re-reads the results.
    void setSource(const TestRef &source);
    // Re-reads the recorded results (after a run), on a worker thread.
    void refreshResults();
    // Where results are read from (tests); default SuiteHistory::path().
    void setHistoryFile(const QString &file) { m_historyFile = file; }
    // Where run records are read from; default RunHistory::defaultBase().
    void setRunBase(const QString &base) { m_runBase = base; }

    QTreeWidget *tree() const { return m_tree; }
    QPushButton *debugButton() const { return m_debug; }
    // The reference of the test in `item` (TestRef::toString()).
    static QString referenceOf(const QTreeWidgetItem *item);

Q_SIGNALS:
    // `reference` as TestRef::toString(): what MainWindow::openTestArgument takes.
    void debugRequested(const QString &reference);
    // The list arrived (error: Nix's, when listing failed).
    void listed(const QString &error);
    // The results shown were read again.
    void resultsShown();

private:
    struct LastResult;
    void showTests(const QStringList &attrs, const QString &error);
    void showResults(const QHash<QString, LastResult> &results);
    static QHash<QString, LastResult> readResults(
        const QString &historyFile, const QString &runBase);
    void requestDebug();

    QTreeWidget *m_tree;
    QPushButton *m_debug;
    QLabel *m_status;
    TestRef m_source;
    QString m_sourceKey;
    QString m_historyFile;
    QString m_runBase;
    int m_generation = 0; // drops a late listing of an earlier source
    int m_resultsGeneration = 0; // drops a late reading of the results
};

} // namespace nixtide
