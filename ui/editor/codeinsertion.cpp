#include "ui/editor/codeinsertion.h"

#include "ui/editor/scripteditor.h"
#include "ui/editor/scriptregion.h"

namespace nixtide {

QString escapeForNixIndentedString(const QString &line)
{
    QString out = line;
    out.replace(QStringLiteral("''"), QStringLiteral("'''"));
    out.replace(QStringLiteral("${"), QStringLiteral("''${"));
    return out;
}

namespace {

QString indentationOf(const QString &line)
{
    int n = 0;
    while (n < line.size() && (line.at(n) == QLatin1Char(' ') || line.at(n) == QLatin1Char('\t')))
        ++n;
    return line.left(n);
}

QString lineText(ScriptEditor *editor, int line)
{
    QString text = editor->text(line);
    while (text.endsWith(QLatin1Char('\n')) || text.endsWith(QLatin1Char('\r')))
        text.chop(1);
    return text;
}

} // namespace

bool insertScriptLines(ScriptEditor *editor, const QStringList &lines, QString *error)
{
    if (!editor) {
        *error = QStringLiteral("no test file is open");
        return false;
    }
    if (lines.isEmpty())
        return true;
    int line = 0;
    int column = 0;
    editor->getCursorPosition(&line, &column);
    const bool nix = editor->filePath().endsWith(QLatin1String(".nix"));
    int first = 0;
    if (nix) {
        const ScriptRegion region = ScriptRegion::locate(editor->text());
        // The opening and closing lines hold the string's quotes: code goes
        // strictly between them.
        // The script holding the cursor, when the file has several.
        const int scriptFirst = region.scriptFirstLine(line);
        if (scriptFirst < 0 || line <= scriptFirst || line >= region.scriptLastLine(line)) {
            *error
                = QStringLiteral("put the cursor inside the testScript of %1 to insert code there")
                      .arg(editor->filePath());
            return false;
        }
        first = scriptFirst + 1;
    }
    const QString current = lineText(editor, line);
    const bool blank = current.trimmed().isEmpty();
    QString indent = indentationOf(current);
    if (blank) {
        for (int above = line - 1; above >= first; --above) {
            const QString text = lineText(editor, above);
            if (!text.trimmed().isEmpty()) {
                indent = indentationOf(text);
                // A block opens: its body goes one level in (4 spaces).
                if (text.trimmed().endsWith(QLatin1Char(':')))
                    indent += QStringLiteral("    ");
                break;
            }
        }
    }
    QStringList written;
    for (const QString &code : lines)
        written.append(indent + (nix ? escapeForNixIndentedString(code) : code));
    const QString block = written.join(QLatin1Char('\n'));
    editor->beginUndoAction();
    int last = line;
    if (blank) {
        editor->setSelection(line, 0, line, current.size());
        editor->replaceSelectedText(block);
        last = line + int(written.size()) - 1;
    } else {
        editor->insertAt(QLatin1Char('\n') + block, line, current.size());
        last = line + int(written.size());
    }
    editor->endUndoAction();
    editor->setCursorPosition(last, lineText(editor, last).size());
    return true;
}

} // namespace nixtide
