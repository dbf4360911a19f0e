#include "ui/mainwindow.h"

#include <QFile>
#include <QFileInfo>
#include <QFontDatabase>
#include <QStatusBar>

#include <Qsci/qscilexerpython.h>
#include <Qsci/qsciscintilla.h>

namespace nixtide {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_editor(new QsciScintilla(this))
{
    setWindowTitle(QStringLiteral("nixtide"));
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    auto *lexer = new QsciLexerPython(m_editor);
    lexer->setDefaultFont(mono);
    m_editor->setLexer(lexer);
    m_editor->setMarginLineNumbers(0, true);
    m_editor->setMarginWidth(0, QStringLiteral("00000"));
    setCentralWidget(m_editor);
    statusBar()->showMessage(tr("No test open"));
    resize(1100, 750);
}

bool MainWindow::openTest(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        *error = tr("Cannot open test %1: %2").arg(path, file.errorString());
        return false;
    }
    m_editor->setText(QString::fromUtf8(file.readAll()));
    setWindowTitle(QStringLiteral("%1 — nixtide").arg(QFileInfo(path).fileName()));
    statusBar()->showMessage(QFileInfo(path).absoluteFilePath());
    return true;
}

} // namespace nixtide
