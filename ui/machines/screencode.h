#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace nixtide {

// Test script code made from what is on a machine's screen.
namespace ScreenCode {

// The name a machine has in the test script: upstream turns every
// character that cannot be in a Python identifier into `_`.
QString machineVariable(const QString &machineName);
// `machine.wait_for_text("…")` waiting for `text` as it was read (the
// regex characters in it escaped, so it matches the text itself).
QString waitForText(const QString &machineName, const QString &text);
// The line of a region's text to wait for: its longest line (the most
// particular one), as OCR splits a region into lines.
QString textToWaitFor(const QStringList &lines);
// A Python string literal for `text` (double quotes, escapes).
QString pythonString(const QString &text);

} // namespace ScreenCode

// Turns keys typed into a grabbed screen into driver calls: printable text
// (and Enter, as "\n") gathers into one `send_chars`, any other key or
// chord becomes `send_key` with QEMU's key name ("esc", "ctrl-c", "f2").
class KeyRecorder
{
public:
    explicit KeyRecorder(const QString &machineName);

    // Returns the lines finished by this key (a pending send_chars before a
    // send_key), possibly none.
    QStringList key(int qtKey, Qt::KeyboardModifiers modifiers, const QString &text);
    // The pending send_chars, if any.
    QStringList flush();

    // QEMU's name of a key that is not plain text, or empty (modifiers
    // alone, keys QEMU has no name for).
    static QString qemuKeyName(int qtKey, Qt::KeyboardModifiers modifiers, const QString &text);

private:
    QString m_machine;
    QString m_chars;
};

} // namespace nixtide
