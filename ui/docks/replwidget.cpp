#include "ui/docks/replwidget.h"

#include "ui/editor/editkeys.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QFontDatabase>
#include <QKeyEvent>
#include <QScrollBar>
#include <QStringListModel>
#include <QTextBlock>
#include <QTextCharFormat>
#include <QVBoxLayout>

namespace nixtide {

ReplInput::ReplInput(QWidget *parent)
    : QPlainTextEdit(parent)
    , m_completer(new QCompleter(this))
    , m_completions(new QStringListModel(this))
{
    m_completer->setModel(m_completions);
    m_completer->setWidget(this);
    m_completer->setCompletionMode(QCompleter::UnfilteredPopupCompletion);
    connect(m_completer, qOverload<const QString &>(&QCompleter::activated), this,
        &ReplInput::insertCompletion);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setTabChangesFocus(false);
    setPlaceholderText(tr("Python in the test's namespace — Enter runs, Shift+Enter adds a line"));
    setMaximumHeight(fontMetrics().lineSpacing() * 6);
}

void ReplInput::setHistory(const QStringList &history)
{
    m_history = history;
    m_historyIndex = static_cast<int>(m_history.size());
}

void ReplInput::showHistoryEntry(int index)
{
    if (m_historyIndex == m_history.size())
        m_draft = toPlainText();
    m_historyIndex = index;
    setPlainText(index < m_history.size() ? m_history.at(index) : m_draft);
    moveCursor(QTextCursor::End);
}

void ReplInput::showCompletions(int replaced, const QStringList &names)
{
    if (names.isEmpty())
        return;
    m_replaced = replaced;
    if (names.size() == 1) {
        insertCompletion(names.first());
        return;
    }
    m_completions->setStringList(names);
    QRect where = cursorRect();
    where.setWidth(m_completer->popup()->sizeHintForColumn(0) + 24);
    m_completer->complete(where);
}

void ReplInput::insertCompletion(const QString &name)
{
    QTextCursor cursor = textCursor();
    cursor.movePosition(QTextCursor::Left, QTextCursor::KeepAnchor, m_replaced);
    cursor.insertText(name);
    setTextCursor(cursor);
    m_replaced = 0;
}

bool ReplInput::event(QEvent *event)
{
    // The window's Redo takes the key unless this field claims it first.
    if (event->type() == QEvent::ShortcutOverride
        && QKeySequence(static_cast<QKeyEvent *>(event)->keyCombination()) == redoKey()) {
        event->accept();
        return true;
    }
    return QPlainTextEdit::event(event);
}

void ReplInput::keyPressEvent(QKeyEvent *event)
{
    // The popup's own keys (it filters the events of this widget).
    if (m_completer->popup()->isVisible()) {
        switch (event->key()) {
        case Qt::Key_Return:
        case Qt::Key_Enter:
        case Qt::Key_Escape:
        case Qt::Key_Tab:
        case Qt::Key_Backtab:
            event->ignore();
            return;
        default:
            m_completer->popup()->hide();
            break;
        }
    }
    if (QKeySequence(event->keyCombination()) == redoKey()) {
        redo();
        return;
    }
    const bool shift = event->modifiers() & Qt::ShiftModifier;
    switch (event->key()) {
    case Qt::Key_Tab: {
        // After a name or a dot: complete it; else indent.
        const QString before = textCursor().block().text().left(textCursor().positionInBlock());
        if (!before.isEmpty()
            && (before.back().isLetterOrNumber() || before.back() == u'_'
                || before.back() == u'.')) {
            Q_EMIT completionRequested(toPlainText().left(textCursor().position()));
            return;
        }
        textCursor().insertText(QStringLiteral("    "));
        return;
    }
    case Qt::Key_Return:
    case Qt::Key_Enter:
        if (!shift) {
            const QString code = toPlainText();
            if (code.trimmed().isEmpty())
                return;
            if (m_history.isEmpty() || m_history.last() != code)
                m_history.append(code);
            m_historyIndex = static_cast<int>(m_history.size());
            m_draft.clear();
            clear();
            Q_EMIT submitted(code);
            return;
        }
        // Shift+Enter: a plain new line, not Qt's line separator.
        textCursor().insertText(QStringLiteral("\n"));
        return;
    case Qt::Key_Up:
        if (textCursor().blockNumber() == 0 && m_historyIndex > 0) {
            showHistoryEntry(m_historyIndex - 1);
            return;
        }
        break;
    case Qt::Key_Down:
        if (textCursor().blockNumber() == document()->blockCount() - 1
            && m_historyIndex < m_history.size()) {
            showHistoryEntry(m_historyIndex + 1);
            return;
        }
        break;
    default:
        break;
    }
    QPlainTextEdit::keyPressEvent(event);
}

ReplWidget::ReplWidget(QWidget *parent)
    : QWidget(parent)
    , m_output(new QPlainTextEdit(this))
    , m_input(new ReplInput(this))
{
    m_output->setReadOnly(true);
    m_output->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_output->setMaximumBlockCount(20000);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_output, 1);
    layout->addWidget(m_input);
    connect(m_input, &ReplInput::completionRequested, this, &ReplWidget::completionRequested);
    connect(m_input, &ReplInput::submitted, this, [this](const QString &code) {
        append(Kind::Input, code);
        if (m_ready)
            Q_EMIT evaluateRequested(code);
        else
            append(Kind::Error, tr("No test is running: start it (F5) to evaluate."));
    });
}

void ReplWidget::setReady(bool ready)
{
    m_ready = ready;
}

void ReplWidget::append(Kind kind, const QString &text)
{
    QTextCharFormat format;
    QString shown = text;
    switch (kind) {
    case Kind::Input:
        format.setForeground(QColor(0x1a, 0x4f, 0xa0));
        shown = QStringLiteral(">>> ") + QString(text).replace(u'\n', QStringLiteral("\n... "));
        break;
    case Kind::Result:
        break;
    case Kind::Output:
        format.setForeground(QColor(0x55, 0x55, 0x55));
        break;
    case Kind::Error:
        format.setForeground(QColor(0xc0, 0x10, 0x10));
        break;
    }
    if (shown.endsWith(u'\n'))
        shown.chop(1);
    QScrollBar *bar = m_output->verticalScrollBar();
    const bool atBottom = bar->value() >= bar->maximum() - 2;
    QTextCursor cursor(m_output->document());
    cursor.movePosition(QTextCursor::End);
    if (!m_output->document()->isEmpty())
        cursor.insertBlock();
    const int first = cursor.blockNumber();
    cursor.insertText(shown, format);
    // The kind is kept per block so that copying, searching and tests can
    // tell results from errors without looking at colours.
    for (QTextBlock block = m_output->document()->findBlockByNumber(first); block.isValid();
        block = block.next())
        block.setUserState(static_cast<int>(kind));
    if (atBottom)
        bar->setValue(bar->maximum());
}

void ReplWidget::clear()
{
    m_output->clear();
}

} // namespace nixtide
