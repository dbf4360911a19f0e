#pragma once

#include <QMainWindow>

class QsciScintilla;

namespace nixtide {

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);

    // Loads a test file into the editor; returns false with a message in
    // *error naming the file when it cannot be read.
    bool openTest(const QString &path, QString *error);

private:
    QsciScintilla *m_editor = nullptr;
};

} // namespace nixtide
