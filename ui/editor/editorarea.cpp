#include "ui/editor/editorarea.h"

#include "core/nix/driversymbols.h"
#include "ui/editor/expressionhover.h"
#include "ui/editor/findbar.h"
#include "ui/editor/lintcontroller.h"
#include "ui/editor/recoverystore.h"
#include "ui/editor/scripteditor.h"
#include "ui/editor/tabtitles.h"

#include <QFileInfo>
#include <QMessageBox>
#include <QTabWidget>
#include <QVBoxLayout>

namespace nixtide {

EditorArea::EditorArea(RecoveryStore *recovery, QWidget *parent)
    : QWidget(parent)
    , m_recovery(recovery)
    , m_tabs(new QTabWidget(this))
    , m_findBar(new FindBar(this))
{
    m_tabs->setTabsClosable(true);
    m_tabs->setMovable(true);
    m_tabs->setDocumentMode(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(m_findBar);

    m_askRestore = [this](const QString &path) {
        return QMessageBox::question(this, tr("Recover Unsaved Changes"),
                   tr("nixtide kept unsaved changes to %1 from an earlier session that did "
                      "not close normally. Restore them?")
                       .arg(QFileInfo(path).fileName()),
                   QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes)
            == QMessageBox::Yes;
    };

    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        m_findBar->setEditor(currentEditor());
        Q_EMIT currentEditorChanged(currentEditor());
    });
    connect(m_tabs, &QTabWidget::tabCloseRequested, this,
        [this](int index) { closeEditor(qobject_cast<ScriptEditor *>(m_tabs->widget(index))); });
}

ScriptEditor *EditorArea::openFile(const QString &path, QString *error)
{
    const QString abs = QFileInfo(path).absoluteFilePath();
    if (ScriptEditor *open = editorFor(abs)) {
        setCurrentEditor(open);
        return open;
    }
    auto *editor = new ScriptEditor(this);
    if (!editor->load(abs, error)) {
        delete editor;
        return nullptr;
    }
    if (m_recovery) {
        if (const auto recovered = m_recovery->pending(abs)) {
            if (m_askRestore && m_askRestore(abs))
                editor->restoreText(*recovered);
            else
                m_recovery->remove(abs);
        }
    }
    editor->setRecoveryStore(m_recovery);
    // After the recovered text replaced the buffer: that moves every marker.
    if (m_breakpointStore)
        editor->setBreakpointStore(m_breakpointStore);
    // The build's mypy check, as the user will meet it minutes into a build.
    editor->lint()->setTypeCheckEnabled(true);
    connect(editor, &ScriptEditor::modificationChanged, this, &EditorArea::updateTabTitles);
    connect(editor, &ScriptEditor::filePathChanged, this, [this] {
        updateTabTitles();
        Q_EMIT openFilesChanged();
    });
    auto *hover = new ExpressionHover(editor);
    connect(
        hover, &ExpressionHover::hovered, this, [this, editor, hover](const QString &expression) {
            // A driver method (`machine.succeed`) shows its signature and
            // docstring from the driver's source, session or not; any other
            // name goes to whoever can evaluate it.
            const QString name = expression.section(u'.', -1);
            const DriverSymbols symbols = DriverSymbols::active();
            const DriverMethod *method = symbols.method(name);
            if (expression.contains(u'.') && method) {
                hover->show(expression,
                    QStringLiteral("%1%2%3").arg(name, method->signature,
                        method->doc.isEmpty() ? QString() : QStringLiteral("\n\n") + method->doc));
                return;
            }
            Q_EMIT expressionHovered(editor, expression);
        });
    const int index = m_tabs->addTab(editor, QFileInfo(abs).fileName());
    updateTabTitles();
    m_tabs->setCurrentIndex(index);
    Q_EMIT openFilesChanged();
    return editor;
}

// Every tab: opening, closing or renaming one file can change whether
// another's name needs its directory.
void EditorArea::updateTabTitles()
{
    const QList<ScriptEditor *> open = editors();
    QStringList paths;
    for (const ScriptEditor *editor : open)
        paths.append(editor->filePath());
    const QStringList titles = tabTitles(paths);
    for (qsizetype i = 0; i < open.size(); ++i) {
        const int index = m_tabs->indexOf(open.at(i));
        m_tabs->setTabText(
            index, open.at(i)->isModified() ? titles.at(i) + QStringLiteral(" ●") : titles.at(i));
        m_tabs->setTabToolTip(index, paths.at(i));
    }
}

ScriptEditor *EditorArea::currentEditor() const
{
    return qobject_cast<ScriptEditor *>(m_tabs->currentWidget());
}

ScriptEditor *EditorArea::editorFor(const QString &path) const
{
    const QString abs = QFileInfo(path).absoluteFilePath();
    for (ScriptEditor *editor : editors()) {
        if (editor->filePath() == abs)
            return editor;
    }
    // The same file by another name (a symlink, the demo installed and in
    // the source tree) is the same tab, never a second one.
    const QString canonical = QFileInfo(path).canonicalFilePath();
    if (canonical.isEmpty())
        return nullptr;
    for (ScriptEditor *editor : editors()) {
        if (QFileInfo(editor->filePath()).canonicalFilePath() == canonical)
            return editor;
    }
    return nullptr;
}

QList<ScriptEditor *> EditorArea::editors() const
{
    QList<ScriptEditor *> list;
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (auto *editor = qobject_cast<ScriptEditor *>(m_tabs->widget(i)))
            list.append(editor);
    }
    return list;
}

QStringList EditorArea::openFiles() const
{
    QStringList files;
    for (ScriptEditor *editor : editors())
        files.append(editor->filePath());
    return files;
}

void EditorArea::setCurrentEditor(ScriptEditor *editor)
{
    m_tabs->setCurrentWidget(editor);
}

bool EditorArea::saveCurrent(QString *error)
{
    ScriptEditor *editor = currentEditor();
    return !editor || editor->save(error);
}

bool EditorArea::saveAll(QString *error)
{
    for (ScriptEditor *editor : editors()) {
        if (editor->isModified() && !editor->save(error))
            return false;
    }
    return true;
}

bool EditorArea::closeEditor(ScriptEditor *editor)
{
    if (!editor)
        return true;
    if (editor->isModified()) {
        setCurrentEditor(editor);
        const auto answer = QMessageBox::question(this, tr("Unsaved Changes"),
            tr("Save the changes to %1?").arg(QFileInfo(editor->filePath()).fileName()),
            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
        if (answer == QMessageBox::Cancel)
            return false;
        if (answer == QMessageBox::Save) {
            QString error;
            if (!editor->save(&error)) {
                QMessageBox::warning(this, tr("Save Failed"), error);
                return false;
            }
        }
    }
    editor->discardRecovery();
    m_tabs->removeTab(m_tabs->indexOf(editor));
    editor->deleteLater();
    updateTabTitles();
    Q_EMIT openFilesChanged();
    return true;
}

bool EditorArea::closeAll()
{
    for (ScriptEditor *editor : editors()) {
        if (!closeEditor(editor))
            return false;
    }
    return true;
}

} // namespace nixtide
