#pragma once

#include "core/review/runreader.h"

#include <QWidget>

class QLabel;
class QListWidget;
class QPlainTextEdit;
class QTabWidget;

namespace nixtide {

class RunHistoryView;
class ScreenshotDiffView;
class ScreenshotTimeline;

// Run history and screenshot review in one window (View > Run History and
// Screenshots): the runs per test on the left; for the selected run its
// screenshot timeline, the diff of a screenshot against its reference, the
// log steps (activating one shows its script line), serial output and the
// driver's output.
class ReviewWindow : public QWidget
{
    Q_OBJECT

public:
    explicit ReviewWindow(const QString &runsBase, QWidget *parent = nullptr);

    RunHistoryView *history() const { return m_history; }
    ScreenshotTimeline *timeline() const { return m_timeline; }
    ScreenshotDiffView *diffView() const { return m_diff; }
    QTabWidget *tabs() const { return m_tabs; }
    QListWidget *logList() const { return m_log; }
    QPlainTextEdit *serialText() const { return m_serial; }
    RunInfo currentRun() const { return m_run; }

    // Shows the window and reads the records again.
    void showAndRefresh();
    // Opens the diff tab on `shot` of the current run.
    void compare(const RunScreenshot &shot);

Q_SIGNALS:
    void runLoaded(const nixtide::RunInfo &run);
    void locationActivated(const QString &path, int line);

private:
    void loadRun(const RunInfo &run);

    RunHistoryView *m_history;
    QLabel *m_summary;
    QTabWidget *m_tabs;
    ScreenshotTimeline *m_timeline;
    ScreenshotDiffView *m_diff;
    QListWidget *m_log;
    QPlainTextEdit *m_serial;
    QPlainTextEdit *m_driverLog;
    RunInfo m_run;
    int m_generation = 0;
};

} // namespace nixtide
