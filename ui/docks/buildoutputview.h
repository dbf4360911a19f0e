#pragma once

#include "ui/docks/ansitextwriter.h"

#include <QWidget>

class QPlainTextEdit;
class QProgressBar;

namespace nixtide {

// Output of `nix build` (and evaluation errors): the text as it arrives, a
// progress bar, and locations (file:line:column) that jump to the editor on
// double-click.
class BuildOutputView : public QWidget
{
    Q_OBJECT

public:
    explicit BuildOutputView(QWidget *parent = nullptr);

    // Text with ANSI colours (Nix's, the driver logger's) shown in colour.
    void appendText(const QString &text);
    void setProgress(int done, int expected); // expected 0: busy indicator
    void finish(bool success);
    void clear();

    QPlainTextEdit *text() const { return m_text; }
    QProgressBar *progressBar() const { return m_progress; }
    // The first file:line[:column] in line of text, for activation.
    static bool parseLocation(const QString &line, QString *path, int *lineNo, int *column);

Q_SIGNALS:
    void locationActivated(const QString &path, int line, int column);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QPlainTextEdit *m_text;
    QProgressBar *m_progress;
    AnsiTextWriter m_writer;
};

} // namespace nixtide
