#include "ui/editor/findbar.h"

#include <QGridLayout>
#include <QKeyEvent>
#include <QLineEdit>
#include <QPushButton>
#include <QToolButton>
#include <Qsci/qsciscintilla.h>

namespace nixtide {

FindBar::FindBar(QWidget *parent)
    : QWidget(parent)
    , m_find(new QLineEdit(this))
    , m_replace(new QLineEdit(this))
    , m_caseSensitive(new QToolButton(this))
    , m_wholeWord(new QToolButton(this))
    , m_regexp(new QToolButton(this))
    , m_replaceButton(new QPushButton(tr("Replace"), this))
    , m_replaceAllButton(new QPushButton(tr("Replace All"), this))
{
    // The options as short toggles (as VS Code and Qt Creator show them),
    // so the field keeps its width next to a narrow editor.
    const auto option = [](QToolButton *button, const QString &text, const QString &tip) {
        button->setText(text);
        button->setToolTip(tip);
        button->setCheckable(true);
        button->setAutoRaise(true);
    };
    option(m_caseSensitive, QStringLiteral("Aa"), tr("Match case"));
    option(m_wholeWord, QStringLiteral("\u2039ab\u203a"), tr("Whole words"));
    option(m_regexp, QStringLiteral(".*"), tr("Regular expression"));
    m_find->setMinimumWidth(m_find->fontMetrics().averageCharWidth() * 24);
    m_replace->setMinimumWidth(m_find->minimumWidth());
    m_find->setPlaceholderText(tr("Find"));
    m_find->setClearButtonEnabled(true);
    m_replace->setPlaceholderText(tr("Replace with"));
    auto *next = new QPushButton(tr("Next"), this);
    auto *previous = new QPushButton(tr("Previous"), this);
    auto *close = new QToolButton(this);
    close->setText(QStringLiteral("×"));
    close->setAutoRaise(true);
    close->setToolTip(tr("Close (Esc)"));

    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->addWidget(m_find, 0, 0);
    layout->addWidget(next, 0, 1);
    layout->addWidget(previous, 0, 2);
    layout->addWidget(m_caseSensitive, 0, 3);
    layout->addWidget(m_wholeWord, 0, 4);
    layout->addWidget(m_regexp, 0, 5);
    layout->addWidget(close, 0, 6);
    layout->addWidget(m_replace, 1, 0);
    layout->addWidget(m_replaceButton, 1, 1);
    layout->addWidget(m_replaceAllButton, 1, 2);
    layout->setColumnStretch(0, 1);

    connect(m_find, &QLineEdit::returnPressed, this, &FindBar::findNext);
    connect(m_replace, &QLineEdit::returnPressed, this, &FindBar::replaceCurrent);
    connect(next, &QPushButton::clicked, this, &FindBar::findNext);
    connect(previous, &QPushButton::clicked, this, &FindBar::findPrevious);
    connect(m_replaceButton, &QPushButton::clicked, this, &FindBar::replaceCurrent);
    connect(m_replaceAllButton, &QPushButton::clicked, this, &FindBar::replaceAll);
    connect(close, &QToolButton::clicked, this, &QWidget::hide);
    setReplaceVisible(false);
    hide();
}

void FindBar::setReplaceVisible(bool visible)
{
    m_replace->setVisible(visible);
    m_replaceButton->setVisible(visible);
    m_replaceAllButton->setVisible(visible);
}

void FindBar::showFind()
{
    if (m_editor && m_editor->hasSelectedText() && !m_editor->selectedText().contains(u'\n'))
        m_find->setText(m_editor->selectedText());
    setReplaceVisible(false);
    show();
    m_find->setFocus();
    m_find->selectAll();
}

void FindBar::showReplace()
{
    showFind();
    setReplaceVisible(true);
}

bool FindBar::find(bool forward)
{
    if (!m_editor || m_find->text().isEmpty())
        return false;
    int line = 0;
    int index = 0;
    if (forward) {
        m_editor->getCursorPosition(&line, &index);
    } else {
        // Start before the current match, or it is found again.
        int lineTo = 0;
        int indexTo = 0;
        m_editor->getSelection(&line, &index, &lineTo, &indexTo);
        if (line < 0)
            m_editor->getCursorPosition(&line, &index);
    }
    return m_editor->findFirst(m_find->text(), m_regexp->isChecked(), m_caseSensitive->isChecked(),
        m_wholeWord->isChecked(),
        /*wrap=*/true, forward, line, index, /*show=*/true);
}

bool FindBar::findNext()
{
    return find(true);
}

bool FindBar::findPrevious()
{
    return find(false);
}

void FindBar::replaceCurrent()
{
    if (!m_editor)
        return;
    if (m_editor->hasSelectedText())
        m_editor->replace(m_replace->text());
    findNext();
}

int FindBar::replaceAll()
{
    if (!m_editor || m_find->text().isEmpty())
        return 0;
    int count = 0;
    m_editor->beginUndoAction();
    // No wrapping: each search starts after the previous replacement, so a
    // replacement that contains the search text is not replaced again.
    bool found = m_editor->findFirst(m_find->text(), m_regexp->isChecked(),
        m_caseSensitive->isChecked(), m_wholeWord->isChecked(),
        /*wrap=*/false, /*forward=*/true, 0, 0, /*show=*/false);
    while (found) {
        m_editor->replace(m_replace->text());
        ++count;
        found = m_editor->findNext();
    }
    m_editor->endUndoAction();
    return count;
}

void FindBar::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Escape) {
        hide();
        if (m_editor)
            m_editor->setFocus();
        return;
    }
    QWidget::keyPressEvent(event);
}

} // namespace nixtide
