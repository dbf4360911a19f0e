#include "ui/editor/lintcontroller.h"

#include "ui/editor/scripteditor.h"

#include <QRegularExpression>
#include <QTimer>

#include <algorithm>

namespace nixtide {

LintController::LintController(ScriptEditor *editor)
    : QObject(editor)
    , m_editor(editor)
    , m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    m_timer->setInterval(kDebounceMs);
    connect(m_timer, &QTimer::timeout, this, &LintController::lintNow);
    connect(m_editor, &QsciScintilla::textChanged, m_timer, qOverload<>(&QTimer::start));
    m_editor->indicatorDefine(QsciScintilla::SquiggleIndicator, kIndicator);
    m_editor->setIndicatorForegroundColor(QColor(0xc0, 0x80, 0x00), kIndicator);
}

LintController::~LintController() = default;

QList<LintMessage> LintController::analyse()
{
    QList<LintMessage> messages
        = m_linter.lint(m_editor->text(), m_editor->isNix(), m_editor->filePath());
    if (!m_linter.unavailableReason().isEmpty() && !m_warned) {
        // No interpreter or no pyflakes: editing goes on without lint.
        qWarning("nixtide: script lint disabled: %s", qPrintable(m_linter.unavailableReason()));
        m_warned = true;
    }
    return messages;
}

void LintController::lintNow()
{
    m_timer->stop();
    clearMarks();
    m_messages = analyse();
    for (const LintMessage &message : std::as_const(m_messages))
        mark(message);
    Q_EMIT linted();
}

void LintController::clearMarks()
{
    const int last = std::max(0, m_editor->lines() - 1);
    m_editor->clearIndicatorRange(0, 0, last, m_editor->lineLength(last), kIndicator);
    m_editor->markerDeleteAll(ScriptEditor::LintMarker);
    for (int line0 : std::as_const(m_annotatedLines)) {
        if (!m_editor->hasEditorAnnotation(line0))
            m_editor->clearAnnotations(line0);
    }
    m_annotatedLines.clear();
}

void LintController::mark(const LintMessage &message)
{
    const int line0 = message.line - 1;
    if (line0 < 0 || line0 >= m_editor->lines())
        return;
    const QString lineText = m_editor->text(line0);
    // Script columns do not survive Nix's indentation stripping: underline the
    // name the message is about, else the line's text.
    static const QRegularExpression quoted(QStringLiteral("'([A-Za-z_]\\w*)'"));
    int from = -1;
    int length = 0;
    const auto m = quoted.match(message.message);
    if (m.hasMatch()) {
        static const QString word = QStringLiteral("(?<!\\w)%1(?!\\w)");
        const auto hit = QRegularExpression(word.arg(QRegularExpression::escape(m.captured(1))))
                             .match(lineText);
        if (hit.hasMatch()) {
            from = int(hit.capturedStart());
            length = int(hit.capturedLength());
        }
    }
    if (from < 0) {
        from = 0;
        while (from < lineText.size() && lineText.at(from).isSpace())
            ++from;
        length = std::max(1, int(lineText.trimmed().size()));
    }
    m_editor->fillIndicatorRange(line0, from, line0, from + length, kIndicator);
    m_editor->markerAdd(line0, ScriptEditor::LintMarker);
    if (m_editor->hasEditorAnnotation(line0))
        return; // a Nix error or the exception says more
    if (m_annotatedLines.contains(line0)) {
        m_editor->annotate(line0, m_editor->annotationText(line0) + u'\n' + message.message,
            m_editor->lintStyle());
    } else {
        m_editor->annotate(line0, message.message, m_editor->lintStyle());
        m_annotatedLines.append(line0);
    }
}

} // namespace nixtide
