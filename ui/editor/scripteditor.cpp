#include "ui/editor/scripteditor.h"

#include "core/breakpoints/breakpointstore.h"
#include "ui/editor/breakpointmarkers.h"
#include "ui/editor/editkeys.h"
#include "ui/editor/editortheme.h"
#include "ui/editor/lintcontroller.h"
#include "ui/editor/recoverystore.h"
#include "ui/editor/scriptcompleter.h"
#include "ui/editor/syntaxlexer.h"

#include <QCursor>
#include <QFile>
#include <QFileInfo>
#include <QFontDatabase>
#include <QInputDialog>
#include <QMenu>
#include <QSaveFile>
#include <QTimer>
#include <Qsci/qscicommand.h>
#include <Qsci/qscicommandset.h>
#include <Qsci/qscistyle.h>

#include <algorithm>
#include <limits>

namespace nixtide {

namespace {

constexpr int kErrorIndicator = 8;

// Annotation styles by number, per editor: QsciStyle's own numbering is one
// count for the whole process that runs out after eight editors. SyntaxLexer
// leaves 40 to 63 free.
enum AnnotationStyle { ErrorAnnotation = 40, ExceptionAnnotation, LintAnnotation };

QsciStyle annotationStyle(int number)
{
    QsciStyle style(number);
    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    font.setItalic(true);
    style.setFont(font);
    return style;
}

} // namespace

ScriptEditor::ScriptEditor(QWidget *parent)
    : QsciScintilla(parent)
    , m_autosaveTimer(new QTimer(this))
    , m_errorStyle(annotationStyle(ErrorAnnotation))
    , m_exceptionStyle(annotationStyle(ExceptionAnnotation))
    , m_lintStyle(annotationStyle(LintAnnotation))
{
    setUtf8(true);
    if (QsciCommand *redo = standardCommands()->find(QsciCommand::Redo)) {
        redo->setKey(redoKey()[0].toCombined());
        redo->setAlternateKey(0);
    }
    setupMargins();
    setAutoIndent(true);
    setIndentationsUseTabs(false);
    setTabWidth(2);
    setBraceMatching(SloppyBraceMatch);
    setCaretLineVisible(true);
    setAnnotationDisplay(AnnotationBoxed);

    indicatorDefine(SquiggleIndicator, kErrorIndicator);
    setIndicatorForegroundColor(QColor(0xd0, 0x10, 0x10), kErrorIndicator);

    connect(this, &QsciScintilla::marginClicked, this, &ScriptEditor::onMarginClicked);
    connect(this, &QsciScintilla::marginRightClicked, this,
        [this](
            int margin, int line, Qt::KeyboardModifiers) { onMarginRightClicked(margin, line); });
    connect(this, &QsciScintilla::textChanged, this, [this] { m_changedSinceAutosave = true; });
    connect(this, &QsciScintilla::modificationChanged, this, [this](bool modified) {
        if (!modified && !m_loading)
            discardRecovery(); // back at the saved text (save or undo)
    });
    m_autosaveTimer->setInterval(kAutosaveIntervalMs);
    connect(m_autosaveTimer, &QTimer::timeout, this, &ScriptEditor::autosaveNow);
    m_autosaveTimer->start();
    m_breakpoints = new BreakpointMarkers(this);
    connect(m_breakpoints, &BreakpointMarkers::changed, this, &ScriptEditor::breakpointsChanged);
    connect(this, &ScriptEditor::filePathChanged, m_breakpoints, &BreakpointMarkers::reload);
    m_lint = new LintController(this);
    m_completer = new ScriptCompleter(this);
    applyTheme();
    connect(EditorTheme::instance(), &EditorTheme::changed, this, &ScriptEditor::applyTheme);
}

ScriptEditor::~ScriptEditor() = default;

void ScriptEditor::setupMargins()
{
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    setMarginsFont(mono);
    setMarginType(LineNumberMargin, NumberMargin);
    setMarginLineNumbers(LineNumberMargin, true);
    setMarginWidth(LineNumberMargin, QStringLiteral("00000"));
    setMarginMarkerMask(LineNumberMargin, 0);
    setMarginSensitivity(LineNumberMargin, true);

    setMarginType(BreakpointMargin, SymbolMargin);
    setMarginWidth(BreakpointMargin, 18);
    setMarginSensitivity(BreakpointMargin, true);
    setMarginMarkerMask(BreakpointMargin,
        (1 << BreakpointMarker) | (1 << ConditionalBreakpointMarker) | (1 << CurrentLineArrowMarker)
            | (1 << ExceptionMarker) | (1 << LintMarker));

    markerDefine(Circle, BreakpointMarker);
    setMarkerBackgroundColor(QColor(0xe5, 0x14, 0x00), BreakpointMarker);
    setMarkerForegroundColor(QColor(0x90, 0x00, 0x00), BreakpointMarker);
    // Conditional breakpoints: a diamond in orange, visibly not a plain stop.
    markerDefine(Rectangle, ConditionalBreakpointMarker);
    setMarkerBackgroundColor(QColor(0xf0, 0x90, 0x00), ConditionalBreakpointMarker);
    setMarkerForegroundColor(QColor(0x90, 0x50, 0x00), ConditionalBreakpointMarker);
    markerDefine(RightArrow, CurrentLineArrowMarker);
    setMarkerBackgroundColor(QColor(0xff, 0xd0, 0x00), CurrentLineArrowMarker);
    setMarkerForegroundColor(QColor(0x80, 0x60, 0x00), CurrentLineArrowMarker);
    markerDefine(Background, CurrentLineBackgroundMarker);
    markerDefine(ThreeRightArrows, ExceptionMarker);
    setMarkerBackgroundColor(QColor(0xd0, 0x10, 0x10), ExceptionMarker);
    setMarkerForegroundColor(QColor(0xd0, 0x10, 0x10), ExceptionMarker);
    markerDefine(Background, ExceptionBackgroundMarker);
    // Lint findings: a small square, below breakpoints and the exception.
    markerDefine(SmallRectangle, LintMarker);
    setMarkerBackgroundColor(QColor(0xe0, 0xa0, 0x00), LintMarker);
    setMarkerForegroundColor(QColor(0x80, 0x50, 0x00), LintMarker);
}

void ScriptEditor::setupLexer()
{
    QsciLexer *old = lexer();
    setLexer(new SyntaxLexer(m_nix ? SyntaxLexer::Mode::NixTest : SyntaxLexer::Mode::Python,
        EditorTheme::instance()->theme(), this));
    delete old;
    applyTabWidth();
}

void ScriptEditor::applyTabWidth()
{
    const int chosen = EditorTheme::instance()->tabWidth();
    setTabWidth(chosen > 0 ? chosen : (m_nix ? 2 : 4));
}

void ScriptEditor::applyTheme()
{
    const KSyntaxHighlighting::Theme theme = EditorTheme::instance()->theme();
    const EditorColours c = EditorColours::from(theme);
    if (auto *syntax = qobject_cast<SyntaxLexer *>(lexer())) {
        syntax->setTheme(theme);
        // The margins' numbers follow the text's size.
        setMarginsFont(EditorTheme::instance()->font());
    } else {
        setPaper(c.background);
        setColor(c.text);
    }
    applyTabWidth();
    setCaretForegroundColor(c.text);
    setCaretLineBackgroundColor(c.caretLine);
    setSelectionBackgroundColor(c.selection);
    setMatchedBraceBackgroundColor(c.matchedBrace);
    setMatchedBraceForegroundColor(c.text);
    setMarginsBackgroundColor(c.marginBackground);
    setMarginsForegroundColor(c.lineNumbers);
    setMarkerBackgroundColor(c.currentLine, CurrentLineBackgroundMarker);
    setMarkerBackgroundColor(c.exceptionLine, ExceptionBackgroundMarker);
    m_errorStyle.setColor(c.error);
    m_errorStyle.setPaper(c.errorPaper);
    m_exceptionStyle.setColor(c.error);
    m_exceptionStyle.setPaper(c.exceptionPaper);
    m_lintStyle.setColor(c.warning);
    m_lintStyle.setPaper(c.warningPaper);
    for (QsciStyle *style : {&m_errorStyle, &m_exceptionStyle, &m_lintStyle})
        style->apply(this);
}

bool ScriptEditor::load(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = tr("Cannot open %1: %2").arg(path, file.errorString());
        return false;
    }
    m_path = QFileInfo(path).absoluteFilePath();
    m_nix = m_path.endsWith(QLatin1String(".nix"));
    setupLexer();
    // Loading is not saving: a recovery copy must survive until the user
    // has been asked about it.
    m_loading = true;
    setText(QString::fromUtf8(file.readAll()));
    setModified(false);
    m_loading = false;
    m_changedSinceAutosave = false;
    Q_EMIT filePathChanged(m_path);
    return true;
}

bool ScriptEditor::save(QString *error)
{
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text().toUtf8()) < 0 || !file.commit()) {
        *error = tr("Cannot save %1: %2").arg(m_path, file.errorString());
        return false;
    }
    setModified(false);
    discardRecovery();
    return true;
}

bool ScriptEditor::saveAs(const QString &path, QString *error)
{
    const QString old = m_path;
    // The breakpoints go with the text to its new file.
    const BreakpointList breakpoints = m_breakpoints->breakpoints();
    m_path = QFileInfo(path).absoluteFilePath();
    if (!save(error)) {
        m_path = old;
        return false;
    }
    if (m_recovery && !old.isEmpty())
        m_recovery->remove(old);
    breakpointStore()->setBreakpoints(m_path, breakpoints);
    Q_EMIT filePathChanged(m_path);
    return true;
}

void ScriptEditor::restoreText(const QString &text)
{
    // One undoable replacement, so that Undo brings back the file's text.
    beginUndoAction();
    selectAll();
    replaceSelectedText(text);
    endUndoAction();
    setCursorPosition(0, 0);
    setModified(true);
}

void ScriptEditor::setBreakpointStore(BreakpointStore *store)
{
    m_breakpoints->setStore(store);
}

BreakpointStore *ScriptEditor::breakpointStore() const
{
    return m_breakpoints->store();
}

BreakpointList ScriptEditor::breakpoints() const
{
    return m_breakpoints->breakpoints();
}

void ScriptEditor::setBreakpoints(const BreakpointList &breakpoints)
{
    BreakpointList list = breakpoints;
    list.removeIf([this](const Breakpoint &bp) { return bp.line > lines(); });
    breakpointStore()->setBreakpoints(m_path, list);
}

bool ScriptEditor::hasBreakpoint(int line) const
{
    return m_breakpoints->at(line).has_value();
}

void ScriptEditor::toggleComment()
{
    int fromLine = 0, fromIndex = 0, toLine = 0, toIndex = 0;
    getSelection(&fromLine, &fromIndex, &toLine, &toIndex);
    if (fromLine < 0) {
        getCursorPosition(&fromLine, &fromIndex);
        toLine = fromLine;
    } else if (toIndex == 0 && toLine > fromLine) {
        --toLine; // a selection ending at a line's start leaves that line be
    }
    const auto body = [](const QString &line) {
        QString t = line;
        while (t.endsWith(u'\n') || t.endsWith(u'\r'))
            t.chop(1);
        return t;
    };
    bool allComments = true;
    int indent = std::numeric_limits<int>::max();
    for (int l = fromLine; l <= toLine; ++l) {
        const QString t = body(text(l));
        if (t.trimmed().isEmpty())
            continue;
        int lead = 0;
        while (t.at(lead).isSpace())
            ++lead;
        indent = std::min(indent, lead);
        allComments = allComments && t.trimmed().startsWith(u'#');
    }
    if (indent == std::numeric_limits<int>::max())
        return; // only blank lines
    beginUndoAction();
    for (int l = fromLine; l <= toLine; ++l) {
        const QString t = body(text(l));
        if (t.trimmed().isEmpty())
            continue;
        if (allComments) {
            const int hash = int(t.indexOf(u'#'));
            const int length = t.mid(hash + 1).startsWith(u' ') ? 2 : 1;
            setSelection(l, hash, l, hash + length);
            removeSelectedText();
        } else {
            insertAt(QStringLiteral("# "), l, indent);
        }
    }
    endUndoAction();
    if (fromLine != toLine)
        setSelection(fromLine, 0, toLine + 1, 0);
}

void ScriptEditor::goToLine(int line)
{
    const int line0 = std::clamp(line - 1, 0, std::max(0, lines() - 1));
    setCursorPosition(line0, 0);
    ensureLineVisible(line0);
    setFocus();
}

void ScriptEditor::toggleBreakpoint(int line)
{
    if (hasBreakpoint(line))
        removeBreakpoint(line);
    else
        setBreakpoint(line);
}

void ScriptEditor::setBreakpoint(int line, const QString &condition)
{
    // A new condition keeps the line's hit count and log message.
    Breakpoint bp = m_breakpoints->at(line).value_or(Breakpoint {});
    bp.line = line;
    bp.condition = condition;
    setBreakpoint(bp);
}

void ScriptEditor::setBreakpoint(const Breakpoint &breakpoint)
{
    if (breakpoint.line < 1 || breakpoint.line > lines())
        return;
    breakpointStore()->setBreakpoint(m_path, breakpoint);
}

void ScriptEditor::removeBreakpoint(int line)
{
    breakpointStore()->removeBreakpoint(m_path, line);
}

void ScriptEditor::onMarginClicked(int margin, int line, Qt::KeyboardModifiers)
{
    if (margin == BreakpointMargin || margin == LineNumberMargin)
        toggleBreakpoint(line + 1);
}

void ScriptEditor::onMarginRightClicked(int margin, int line)
{
    if (margin != BreakpointMargin && margin != LineNumberMargin)
        return;
    const int line1 = line + 1;
    QMenu menu(this);
    const bool has = hasBreakpoint(line1);
    menu.addAction(has ? tr("Remove Breakpoint") : tr("Add Breakpoint"), this,
        [this, line1] { toggleBreakpoint(line1); });
    menu.addAction(has ? tr("Edit Condition…") : tr("Add Conditional Breakpoint…"), this,
        [this, line1] { editCondition(line1); });
    menu.exec(QCursor::pos());
}

void ScriptEditor::editCondition(int line)
{
    const QString current = m_breakpoints->at(line).value_or(Breakpoint {}).condition;
    bool ok = false;
    const QString condition = QInputDialog::getText(this, tr("Breakpoint Condition"),
        tr("Stop at line %1 only when this Python expression is true:").arg(line),
        QLineEdit::Normal, current, &ok);
    if (ok)
        setBreakpoint(line, condition);
}

void ScriptEditor::setCurrentLine(int line)
{
    markerDeleteAll(CurrentLineArrowMarker);
    markerDeleteAll(CurrentLineBackgroundMarker);
    m_currentLine = line >= 1 && line <= lines() ? line : 0;
    if (m_currentLine == 0)
        return;
    markerAdd(m_currentLine - 1, CurrentLineArrowMarker);
    markerAdd(m_currentLine - 1, CurrentLineBackgroundMarker);
    ensureLineVisible(m_currentLine - 1);
}

void ScriptEditor::setExceptionLine(int line, const QString &message)
{
    clearExceptionLine();
    if (line < 1 || line > lines())
        return;
    m_exceptionLine = line;
    markerAdd(line - 1, ExceptionMarker);
    markerAdd(line - 1, ExceptionBackgroundMarker);
    if (!message.isEmpty()) {
        annotate(line - 1, message, m_exceptionStyle);
        m_annotatedLines.append(line - 1);
    }
    ensureLineVisible(line - 1);
}

void ScriptEditor::clearExceptionLine()
{
    markerDeleteAll(ExceptionMarker);
    markerDeleteAll(ExceptionBackgroundMarker);
    if (m_exceptionLine > 0) {
        clearAnnotations(m_exceptionLine - 1);
        m_annotatedLines.removeAll(m_exceptionLine - 1);
    }
    m_exceptionLine = 0;
}

void ScriptEditor::showError(int line, int column, const QString &message)
{
    if (line < 1 || line > lines())
        return;
    const int line0 = line - 1;
    const QString lineText = text(line0);
    int from = std::clamp(column - 1, 0, std::max(0, static_cast<int>(lineText.size()) - 1));
    int to = from;
    while (to < lineText.size() && !lineText.at(to).isSpace())
        ++to;
    if (to == from)
        to = std::min(from + 1, static_cast<int>(lineText.size()));
    fillIndicatorRange(line0, from, line0, to, kErrorIndicator);
    annotate(line0, message, m_errorStyle);
    m_annotatedLines.append(line0);
}

void ScriptEditor::clearErrors()
{
    clearIndicatorRange(
        0, 0, std::max(0, lines() - 1), lineLength(std::max(0, lines() - 1)), kErrorIndicator);
    for (int line0 : std::as_const(m_annotatedLines)) {
        if (line0 != m_exceptionLine - 1)
            clearAnnotations(line0);
    }
    m_annotatedLines.removeIf([this](int l) { return l != m_exceptionLine - 1; });
}

QString ScriptEditor::annotationText(int line0) const
{
    if (line0 < 0)
        return {};
    const auto line = static_cast<unsigned long>(line0);
    const long size
        = SendScintilla(SCI_ANNOTATIONGETTEXT, line, static_cast<const char *>(nullptr));
    if (size <= 0)
        return {};
    QByteArray bytes(size, '\0');
    SendScintilla(SCI_ANNOTATIONGETTEXT, line, bytes.data());
    return isUtf8() ? QString::fromUtf8(bytes) : QString::fromLatin1(bytes);
}

int ScriptEditor::cursorLine() const
{
    int line = 0;
    int index = 0;
    getCursorPosition(&line, &index);
    return line + 1;
}

void ScriptEditor::autosaveNow()
{
    if (!m_recovery || m_path.isEmpty() || !m_changedSinceAutosave || !isModified())
        return;
    if (m_recovery->write(m_path, text()))
        m_changedSinceAutosave = false;
}

void ScriptEditor::discardRecovery()
{
    if (m_recovery && !m_path.isEmpty())
        m_recovery->remove(m_path);
    m_changedSinceAutosave = false;
}

} // namespace nixtide
