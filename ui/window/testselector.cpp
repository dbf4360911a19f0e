#include "ui/window/testselector.h"

#include "core/nix/scriptsource.h"
#include "ui/editor/editorarea.h"
#include "ui/editor/scripteditor.h"
#include "ui/window/sessionwindow.h"

#include <QFileInfo>
#include <QMessageBox>
#include <QSignalBlocker>

namespace nixtide {

TestSelector::TestSelector(SessionWindow *window)
    : QComboBox(window)
    , m_window(window)
{
    setObjectName(QStringLiteral("TestSelector"));
    setSizeAdjustPolicy(QComboBox::AdjustToContents);
    setMinimumContentsLength(12);
    setToolTip(tr("The test F5 builds and runs"));
    connect(window->editorArea(), &EditorArea::openFilesChanged, this, &TestSelector::refresh);
    connect(window->editorArea(), &EditorArea::currentEditorChanged, this,
        &TestSelector::onCurrentEditor);
    connect(this, &QComboBox::activated, this, &TestSelector::onActivated);
    refresh();
}

bool TestSelector::holdsTest(const ScriptEditor *editor)
{
    return editor && editor->isNix() && extractEditorScript(editor->text(), true).found;
}

void TestSelector::refresh()
{
    const QSignalBlocker blocker(this);
    clear();
    const QString test = m_window->testPath();
    if (!test.isEmpty()) {
        // A test chosen in a flake is known by its reference, not its file.
        const QString argument = m_window->testArgument();
        addItem(argument == test ? QFileInfo(test).fileName() : argument, test);
        setItemData(0, argument, Qt::ToolTipRole);
    }
    for (ScriptEditor *editor : m_window->editorArea()->editors()) {
        const QString path = editor->filePath();
        if (path == test || !holdsTest(editor))
            continue;
        addItem(QFileInfo(path).fileName(), path);
        setItemData(count() - 1, path, Qt::ToolTipRole);
    }
    if (count() == 0)
        addItem(tr("No test open"));
    setCurrentIndex(0);
}

void TestSelector::onCurrentEditor(ScriptEditor *editor)
{
    if (!m_followTabs || !isEnabled() || !editor || editor->filePath() == m_window->testPath()
        || !holdsTest(editor))
        return;
    QString error;
    if (!m_window->openTest(editor->filePath(), &error))
        m_window->showStatus(error);
}

void TestSelector::onActivated(int index)
{
    const QString path = itemData(index).toString();
    if (path.isEmpty() || path == m_window->testPath())
        return;
    QString error;
    if (!m_window->openTest(path, &error))
        QMessageBox::warning(m_window, tr("Test"), error);
}

} // namespace nixtide
