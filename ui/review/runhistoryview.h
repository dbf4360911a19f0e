#pragma once

#include "core/review/runreader.h"

#include <QList>
#include <QSet>
#include <QString>
#include <QWidget>

class QSpinBox;
class QTreeWidget;

namespace nixtide {

// Past runs per test, from the run records: start, result, duration and
// the SHA-256 of the file that ran. Old runs go by the settings (keep the
// newest N, drop older than D days), never one that is open or running.
class RunHistoryView : public QWidget
{
    Q_OBJECT

public:
    explicit RunHistoryView(const QString &base, QWidget *parent = nullptr);

    // Re-reads the records (off the GUI thread), pruning first.
    void refresh();
    // A run directory the window shows: pruning leaves it alone.
    void setOpenRun(const QString &dir) { m_openRun = dir; }
    // Selects the run in `dir` once the list holds it.
    bool selectRun(const QString &dir);
    QTreeWidget *tree() const { return m_tree; }
    int runCount() const;

Q_SIGNALS:
    void refreshed();
    void runSelected(const nixtide::RunInfo &run);

private:
    QString m_base;
    QString m_openRun;
    QTreeWidget *m_tree;
    QSpinBox *m_keep;
    QSpinBox *m_days;
    QList<RunInfo> m_runs;
    int m_generation = 0;
};

} // namespace nixtide
