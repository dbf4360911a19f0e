#pragma once

#include <QWidget>

class QToolButton;
class QLineEdit;
class QPushButton;
class QsciScintilla;

namespace nixtide {

// Find and replace below the editor (Ctrl+F, F3 / Shift+F3, Ctrl+H, Esc).
class FindBar : public QWidget
{
    Q_OBJECT

public:
    explicit FindBar(QWidget *parent = nullptr);

    void setEditor(QsciScintilla *editor) { m_editor = editor; }
    // Shows the bar with the selection (or the last search) in the find field.
    void showFind();
    void showReplace();

    bool findNext();
    bool findPrevious();
    void replaceCurrent();
    int replaceAll();

    QLineEdit *findField() const { return m_find; }
    QLineEdit *replaceField() const { return m_replace; }
    QToolButton *caseSensitiveButton() const { return m_caseSensitive; }

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    bool find(bool forward);
    void setReplaceVisible(bool visible);

    QsciScintilla *m_editor = nullptr;
    QLineEdit *m_find;
    QLineEdit *m_replace;
    QToolButton *m_caseSensitive;
    QToolButton *m_wholeWord;
    QToolButton *m_regexp;
    QPushButton *m_replaceButton;
    QPushButton *m_replaceAllButton;
};

} // namespace nixtide
