#pragma once

#include <QPlainTextEdit>
#include <QWidget>

class QCompleter;
class QPlainTextEdit;
class QStringListModel;

namespace nixtide {

// The input line of the REPL: Enter submits, Shift+Enter adds a line, Up and
// Down walk the history when the cursor is on the first or last line.
class ReplInput : public QPlainTextEdit
{
    Q_OBJECT

public:
    explicit ReplInput(QWidget *parent = nullptr);

    QStringList history() const { return m_history; }
    void setHistory(const QStringList &history);
    // The answer to completionRequested: names that replace the last
    // `replaced` characters before the cursor. One is inserted; several
    // are offered in a popup.
    void showCompletions(int replaced, const QStringList &names);
    QCompleter *completer() const { return m_completer; }

Q_SIGNALS:
    void submitted(const QString &code);
    // Tab after a name: the text before the cursor, to complete.
    void completionRequested(const QString &textBeforeCursor);

protected:
    bool event(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    void showHistoryEntry(int index);
    void insertCompletion(const QString &name);

    QStringList m_history;
    int m_historyIndex = 0; // == m_history.size() when editing a new entry
    QString m_draft; // what was typed before walking the history
    QCompleter *m_completer;
    QStringListModel *m_completions;
    int m_replaced = 0;
};

// REPL console in the test's namespace. What the user evaluates, results,
// output of the test and errors are shown apart, each in its own colour.
class ReplWidget : public QWidget
{
    Q_OBJECT

public:
    explicit ReplWidget(QWidget *parent = nullptr);

    ReplInput *input() const { return m_input; }
    QPlainTextEdit *transcript() const { return m_output; }
    // When disabled (no stopped or running session) input is kept but not sent.
    void setReady(bool ready);

    enum class Kind { Input, Result, Output, Error };
    void append(Kind kind, const QString &text);

public Q_SLOTS:
    void showResult(const QString &text) { append(Kind::Result, text); }
    void showOutput(const QString &text) { append(Kind::Output, text); }
    void showError(const QString &text) { append(Kind::Error, text); }
    void clear();

Q_SIGNALS:
    void evaluateRequested(const QString &code);
    void completionRequested(const QString &textBeforeCursor);

private:
    QPlainTextEdit *m_output;
    ReplInput *m_input;
    bool m_ready = true;
};

} // namespace nixtide
