#pragma once

#include "core/breakpoints/breakpoint.h"

#include <QHash>
#include <Qsci/qsciscintilla.h>
#include <Qsci/qscistyle.h>

class QTimer;

namespace nixtide {

class BreakpointMarkers;
class BreakpointStore;
class LintController;
class RecoveryStore;
class ScriptCompleter;

// The editor for a test file (.nix or .py): line numbers, a breakpoint margin,
// current-line and exception markers, error annotations, and autosave of
// unsaved text to a RecoveryStore. All line numbers in this API are 1-based,
// as in the debug protocol; 0 means "none".
class ScriptEditor : public QsciScintilla
{
    Q_OBJECT

public:
    enum Marker {
        BreakpointMarker = 1,
        ConditionalBreakpointMarker,
        CurrentLineArrowMarker,
        CurrentLineBackgroundMarker,
        ExceptionMarker,
        ExceptionBackgroundMarker,
        LintMarker,
    };
    enum Margin { LineNumberMargin = 0, BreakpointMargin = 1 };

    explicit ScriptEditor(QWidget *parent = nullptr);
    ~ScriptEditor() override;

    // Loads the file and picks the highlighting by its suffix (.nix: Nix with
    // the test script as Python; otherwise Python).
    bool load(const QString &path, QString *error);
    bool save(QString *error);
    bool saveAs(const QString &path, QString *error);
    QString filePath() const { return m_path; }
    bool isNix() const { return m_nix; }

    // Replaces the buffer with recovered text, keeping it modified (unsaved).
    void restoreText(const QString &text);

    // The breakpoints live in a BreakpointStore (the window's; a store of
    // the editor's own until then): the margin shows them, the calls below
    // edit them there.
    void setBreakpointStore(BreakpointStore *store);
    BreakpointStore *breakpointStore() const;
    // As the markers show them: on the lines they are on now.
    BreakpointList breakpoints() const;
    // Replaces the file's breakpoints (lines past the end are left out).
    void setBreakpoints(const BreakpointList &breakpoints);
    bool hasBreakpoint(int line) const;
    void toggleBreakpoint(int line);
    // Sets (or replaces) the breakpoint on line; an empty condition makes it
    // unconditional.
    void setBreakpoint(int line, const QString &condition = {});
    // The same with a hit count and a log message.
    void setBreakpoint(const Breakpoint &breakpoint);
    void removeBreakpoint(int line);

    // Comments the selected lines (or the cursor's) out with "# " at their
    // common indentation, or back in when all of them are comments: `#`
    // starts a comment in Nix and in Python alike.
    void toggleComment();
    // 1-based; the line is shown and the cursor put at its start.
    void goToLine(int line);

    void setCurrentLine(int line);
    int currentLine() const { return m_currentLine; }
    void setExceptionLine(int line, const QString &message);
    void clearExceptionLine();

    // A Nix evaluation error: squiggle from column (1-based) to the end of the
    // word and the message shown under the line.
    void showError(int line, int column, const QString &message);
    void clearErrors();

    // True when the 0-based line carries an error or exception annotation of
    // the editor's own (lint annotations give way to those).
    bool hasEditorAnnotation(int line0) const { return m_annotatedLines.contains(line0); }
    // The annotation text under the 0-based line. Use this, not
    // QsciScintilla::annotation(): QScintilla 2.14 returns a buffer it never
    // filled with the text, i.e. garbage bytes.
    QString annotationText(int line0) const;
    LintController *lint() const { return m_lint; }
    // The style lint annotations use; its colours follow the theme.
    const QsciStyle &lintStyle() const { return m_lintStyle; }
    ScriptCompleter *completer() const { return m_completer; }

    // 1-based line of the text cursor.
    int cursorLine() const;

    void setRecoveryStore(RecoveryStore *store) { m_recovery = store; }
    // Writes the recovery copy now if the buffer changed since the last one.
    void autosaveNow();
    // Drops the recovery copy: the buffer was saved or deliberately closed.
    void discardRecovery();
    static constexpr int kAutosaveIntervalMs = 3000;

Q_SIGNALS:
    void breakpointsChanged();
    void filePathChanged(const QString &path);

private:
    void setupMargins();
    void setupLexer();
    // Colours from EditorTheme: text (through the lexer), background,
    // margins, caret line, selection, annotations and line markers.
    void applyTheme();
    void onMarginClicked(int margin, int line, Qt::KeyboardModifiers modifiers);
    void onMarginRightClicked(int margin, int line);
    void editCondition(int line);
    void applyTabWidth();

    QString m_path;
    bool m_nix = false;
    BreakpointMarkers *m_breakpoints = nullptr;
    int m_currentLine = 0;
    int m_exceptionLine = 0;
    QList<int> m_annotatedLines; // 0-based lines carrying error annotations
    RecoveryStore *m_recovery = nullptr;
    QTimer *m_autosaveTimer = nullptr;
    bool m_changedSinceAutosave = false;
    bool m_loading = false;
    QsciStyle m_errorStyle;
    QsciStyle m_exceptionStyle;
    QsciStyle m_lintStyle;
    LintController *m_lint = nullptr;
    ScriptCompleter *m_completer = nullptr;
};

} // namespace nixtide
