#include "ui/editor/lintcontroller.h"

#include "core/nix/driversymbols.h"
#include "core/worker.h"
#include "ui/editor/scripteditor.h"

#include <QRegularExpression>
#include <QTimer>

#include <algorithm>
#include <utility>

namespace nixtide {

LintController::LintController(ScriptEditor *editor)
    : QObject(editor)
    , m_editor(editor)
    , m_timer(new QTimer(this))
    , m_typeTimer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    m_timer->setInterval(kDebounceMs);
    connect(m_timer, &QTimer::timeout, this, &LintController::lintNow);
    connect(m_editor, &QsciScintilla::textChanged, m_timer, qOverload<>(&QTimer::start));
    connect(m_editor, &QsciScintilla::textChanged, this, [this] {
        ++m_generation;
        m_typeTimer->stop();
    });
    m_typeTimer->setSingleShot(true);
    m_typeTimer->setInterval(kTypeCheckDebounceMs);
    connect(m_typeTimer, &QTimer::timeout, this, &LintController::startTypeCheck);
    m_editor->indicatorDefine(QsciScintilla::SquiggleIndicator, kIndicator);
    m_editor->setIndicatorForegroundColor(QColor(0xc0, 0x80, 0x00), kIndicator);
}

LintController::~LintController() = default;

QList<LintMessage> LintController::analyse()
{
    const QString text = m_editor->text();
    m_checks = m_editor->isNix() ? BuildChecks::of(text) : BuildChecks {};
    QList<LintMessage> messages = m_linter.lint(text, m_editor->isNix(), m_editor->filePath());
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
    const bool syntaxError = std::any_of(
        m_messages.cbegin(), m_messages.cend(), [](const LintMessage &m) { return m.syntaxError; });
    if (m_typeCheckEnabled && m_checks.typeCheck && !syntaxError)
        m_typeTimer->start();
    Q_EMIT linted();
}

void LintController::setTypeCheckEnabled(bool on)
{
    m_typeCheckEnabled = on;
    if (!on)
        m_typeTimer->stop();
}

bool LintController::isTypeCheckScheduled() const
{
    return m_typeTimer->isActive() || m_typeCheckRunning;
}

void LintController::startTypeCheck()
{
    if (m_typeCheckRunning) {
        m_typeCheckAgain = true;
        return;
    }
    const QString text = m_editor->text();
    const bool nix = m_editor->isNix();
    const QString path = m_editor->filePath();
    const quint64 generation = m_generation;
    // The built driver's types once a build told which driver runs.
    QString package = DriverSymbols::active().packageDir;
    if (package.isEmpty())
        package = ScriptTypeChecker::bundledDriverPackageDir();
    m_typeCheckRunning = true;
    struct Result
    {
        QList<LintMessage> found;
        QString error;
    };
    runOnWorker(
        this,
        [text, nix, path, package] {
            Result r;
            r.found = ScriptTypeChecker(package).checkFile(text, nix, path, &r.error);
            return r;
        },
        [this, generation](Result r) {
            m_typeCheckRunning = false;
            applyTypeCheck(generation, r.found, r.error);
            if (std::exchange(m_typeCheckAgain, false))
                startTypeCheck();
        });
}

void LintController::applyTypeCheck(
    quint64 generation, const QList<LintMessage> &found, const QString &error)
{
    if (generation != m_generation)
        return; // the text changed meanwhile: its own check follows
    m_typeCheckError = error;
    for (const LintMessage &message : found) {
        m_messages.append(message);
        mark(message);
    }
    Q_EMIT typeChecked();
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
