#pragma once

#include <QWidget>

#include <functional>

class QTabWidget;

namespace nixtide {

class BreakpointStore;
class FindBar;
class RecoveryStore;
class ScriptEditor;

// The open files: one ScriptEditor per tab, and the find bar under them.
class EditorArea : public QWidget
{
    Q_OBJECT

public:
    explicit EditorArea(RecoveryStore *recovery, QWidget *parent = nullptr);

    // Opens path (or shows it when open already). When a recovery copy newer
    // than the file exists, askRestore decides whether it replaces the text.
    ScriptEditor *openFile(const QString &path, QString *error);
    using RestorePrompt = std::function<bool(const QString &path)>;
    void setRestorePrompt(RestorePrompt prompt) { m_askRestore = std::move(prompt); }
    // Where the editors opened from now on keep their breakpoints.
    void setBreakpointStore(BreakpointStore *store) { m_breakpointStore = store; }

    ScriptEditor *currentEditor() const;
    ScriptEditor *editorFor(const QString &path) const;
    QList<ScriptEditor *> editors() const;
    QStringList openFiles() const;
    void setCurrentEditor(ScriptEditor *editor);

    bool saveCurrent(QString *error);
    bool saveAll(QString *error);
    // Closes a tab; asks about unsaved changes. Returns false if cancelled.
    bool closeEditor(ScriptEditor *editor);
    // Asks about every unsaved buffer; false when the user cancels.
    bool closeAll();

    FindBar *findBar() const { return m_findBar; }

Q_SIGNALS:
    void currentEditorChanged(nixtide::ScriptEditor *editor);
    void openFilesChanged();
    // The pointer rests on `expression` in `editor` (its ExpressionHover
    // shows the answer).
    void expressionHovered(nixtide::ScriptEditor *editor, const QString &expression);

private:
    void updateTabTitles();

    RecoveryStore *m_recovery;
    QTabWidget *m_tabs;
    FindBar *m_findBar;
    RestorePrompt m_askRestore;
    BreakpointStore *m_breakpointStore = nullptr;
};

} // namespace nixtide
