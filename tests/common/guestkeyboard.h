#pragma once

// Typing into widgets that forward keys to a guest (QtWidgets suites only).
#include <QTest>
#include <QWidget>

namespace nixtide::testing {

// Types as a person on a US keyboard does: Shift goes down before a
// shifted character. (QTest::keyClicks sends '>' with no Shift press, and
// QEMU maps the keysym to the scancode of its key without adding Shift: the
// guest would read '.'.)
inline void typeOnKeyboard(QWidget *widget, const QString &text)
{
    static const QString shifted = QStringLiteral("~!@#$%^&*()_+{}|:\"<>?");
    for (const QChar c : text) {
        const bool shift = c.isUpper() || shifted.contains(c);
        if (shift)
            QTest::keyPress(widget, Qt::Key_Shift, Qt::ShiftModifier);
        QTest::keyClick(widget, c.toLatin1(), shift ? Qt::ShiftModifier : Qt::NoModifier);
        if (shift)
            QTest::keyRelease(widget, Qt::Key_Shift, Qt::NoModifier);
    }
}

} // namespace nixtide::testing
