#include "ui/docks/buildoutputview.h"

#include <QEvent>
#include <QFontDatabase>
#include <QMouseEvent>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QRegularExpression>
#include <QTextBlock>
#include <QVBoxLayout>

namespace nixtide {

BuildOutputView::BuildOutputView(QWidget *parent)
    : QWidget(parent)
    , m_text(new QPlainTextEdit(this))
    , m_progress(new QProgressBar(this))
{
    m_text->setReadOnly(true);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setMaximumBlockCount(50000);
    m_text->viewport()->installEventFilter(this);
    m_progress->setTextVisible(true);
    m_progress->hide();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_progress);
    layout->addWidget(m_text, 1);
}

void BuildOutputView::appendText(const QString &text)
{
    QTextCursor cursor(m_text->document());
    cursor.movePosition(QTextCursor::End);
    m_writer.write(cursor, text);
    m_text->ensureCursorVisible();
}

void BuildOutputView::setProgress(int done, int expected)
{
    m_progress->show();
    m_progress->setRange(0, expected);
    m_progress->setValue(done);
    m_progress->setFormat(expected > 0 ? tr("%v of %m built") : tr("Building…"));
}

void BuildOutputView::finish(bool success)
{
    m_progress->setRange(0, 1);
    m_progress->setValue(1);
    m_progress->setFormat(success ? tr("Build finished") : tr("Build failed"));
}

void BuildOutputView::clear()
{
    m_text->clear();
    m_writer.reset();
    m_progress->hide();
}

bool BuildOutputView::parseLocation(const QString &line, QString *path, int *lineNo, int *column)
{
    static const QRegularExpression location(
        QStringLiteral(R"(((?:/|\./|\.\./)[^\s:'"]+):(\d+)(?::(\d+))?)"));
    const QRegularExpressionMatch match = location.match(line);
    if (!match.hasMatch())
        return false;
    *path = match.captured(1);
    *lineNo = match.captured(2).toInt();
    *column = match.captured(3).isEmpty() ? 0 : match.captured(3).toInt();
    return true;
}

bool BuildOutputView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_text->viewport() && event->type() == QEvent::MouseButtonDblClick) {
        const auto *mouse = static_cast<QMouseEvent *>(event);
        const QString line = m_text->cursorForPosition(mouse->position().toPoint()).block().text();
        QString path;
        int lineNo = 0;
        int column = 0;
        if (parseLocation(line, &path, &lineNo, &column)) {
            Q_EMIT locationActivated(path, lineNo, column);
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace nixtide
