#include "ui/machines/screencode.h"

#include <QRegularExpression>

namespace nixtide {

QString ScreenCode::machineVariable(const QString &machineName)
{
    QString name = machineName;
    for (QChar &c : name) {
        if (!(c.isLetterOrNumber() || c == QLatin1Char('_')) || c.unicode() > 127)
            c = QLatin1Char('_');
    }
    if (name.isEmpty() || name.at(0).isDigit())
        name.prepend(QLatin1Char('_'));
    return name;
}

QString ScreenCode::pythonString(const QString &text)
{
    QString out = QStringLiteral("\"");
    for (const QChar c : text) {
        if (c == QLatin1Char('\\') || c == QLatin1Char('"'))
            out += QLatin1Char('\\') + c;
        else if (c == QLatin1Char('\n'))
            out += QStringLiteral("\\n");
        else if (c == QLatin1Char('\t'))
            out += QStringLiteral("\\t");
        else if (c.unicode() < 0x20)
            out += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out + QLatin1Char('"');
}

QString ScreenCode::textToWaitFor(const QStringList &lines)
{
    QString best;
    for (const QString &line : lines) {
        if (line.trimmed().size() > best.size())
            best = line.trimmed();
    }
    return best;
}

QString ScreenCode::waitForText(const QString &machineName, const QString &text)
{
    static const QRegularExpression special(QStringLiteral("([.^$*+?{}\\[\\]\\\\|()])"));
    QString regex = text;
    regex.replace(special, QStringLiteral("\\\\1"));
    return QStringLiteral("%1.wait_for_text(%2)")
        .arg(machineVariable(machineName), pythonString(regex));
}

KeyRecorder::KeyRecorder(const QString &machineName)
    : m_machine(ScreenCode::machineVariable(machineName))
{ }

QString KeyRecorder::qemuKeyName(int qtKey, Qt::KeyboardModifiers modifiers, const QString &text)
{
    static const QHash<int, QString> names {
        {Qt::Key_Escape, QStringLiteral("esc")},
        {Qt::Key_Backspace, QStringLiteral("backspace")},
        {Qt::Key_Tab, QStringLiteral("tab")},
        {Qt::Key_Backtab, QStringLiteral("tab")},
        {Qt::Key_Return, QStringLiteral("ret")},
        {Qt::Key_Enter, QStringLiteral("kp_enter")},
        {Qt::Key_Insert, QStringLiteral("insert")},
        {Qt::Key_Delete, QStringLiteral("delete")},
        {Qt::Key_Home, QStringLiteral("home")},
        {Qt::Key_End, QStringLiteral("end")},
        {Qt::Key_PageUp, QStringLiteral("pgup")},
        {Qt::Key_PageDown, QStringLiteral("pgdn")},
        {Qt::Key_Left, QStringLiteral("left")},
        {Qt::Key_Right, QStringLiteral("right")},
        {Qt::Key_Up, QStringLiteral("up")},
        {Qt::Key_Down, QStringLiteral("down")},
        {Qt::Key_Space, QStringLiteral("spc")},
        {Qt::Key_Print, QStringLiteral("print")},
    };
    QString name = names.value(qtKey);
    if (name.isEmpty() && qtKey >= Qt::Key_F1 && qtKey <= Qt::Key_F12)
        name = QStringLiteral("f%1").arg(qtKey - Qt::Key_F1 + 1);
    if (name.isEmpty() && qtKey >= Qt::Key_A && qtKey <= Qt::Key_Z)
        name = QChar(QLatin1Char('a' + (qtKey - Qt::Key_A)));
    if (name.isEmpty() && qtKey >= Qt::Key_0 && qtKey <= Qt::Key_9)
        name = QChar(QLatin1Char('0' + (qtKey - Qt::Key_0)));
    if (name.isEmpty()) {
        if (text.size() != 1 || !text.at(0).isPrint())
            return {};
        name = text; // send_key passes it on; QEMU knows most punctuation by name only
    }
    QString chord;
    if (modifiers & Qt::ControlModifier)
        chord += QStringLiteral("ctrl-");
    if (modifiers & Qt::AltModifier)
        chord += QStringLiteral("alt-");
    if (modifiers & Qt::MetaModifier)
        chord += QStringLiteral("meta_l-");
    if ((modifiers & Qt::ShiftModifier) && !chord.isEmpty())
        chord += QStringLiteral("shift-");
    return chord + name;
}

QStringList KeyRecorder::key(int qtKey, Qt::KeyboardModifiers modifiers, const QString &text)
{
    const bool chord = modifiers & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier);
    if (!chord && (qtKey == Qt::Key_Return || qtKey == Qt::Key_Enter)) {
        m_chars += QLatin1Char('\n');
        return {};
    }
    if (!chord && text.size() == 1 && text.at(0).isPrint()) {
        m_chars += text;
        return {};
    }
    const QString name = qemuKeyName(qtKey, modifiers, text);
    if (name.isEmpty())
        return {};
    QStringList lines = flush();
    lines.append(QStringLiteral("%1.send_key(%2)").arg(m_machine, ScreenCode::pythonString(name)));
    return lines;
}

QStringList KeyRecorder::flush()
{
    if (m_chars.isEmpty())
        return {};
    const QString line
        = QStringLiteral("%1.send_chars(%2)").arg(m_machine, ScreenCode::pythonString(m_chars));
    m_chars.clear();
    return {line};
}

} // namespace nixtide
