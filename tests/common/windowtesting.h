#pragma once

// The main window as the GUI suites drive it: settings and recovery files of
// the test's own, no question that could leave a test waiting, run records
// in the test's directory.
#include "ui/editor/editorarea.h"
#include "ui/editor/scripteditor.h"
#include "ui/mainwindow.h"
#include "ui/window/debugactions.h"
#include "ui/window/sessioncontroller.h"

#include <QAction>
#include <QDir>
#include <QGuiApplication>
#include <QPixmap>
#include <QScreen>
#include <QSettings>
#include <QTest>

#include <memory>

namespace nixtide::testing {

struct TestWindow
{
    // Declared before the window: the window saves into them when it goes.
    std::unique_ptr<QSettings> settings;
    std::unique_ptr<MainWindow> window;
    SessionController *controller = nullptr; // owned by the window
};

// A window whose settings are `dir`/NAME.conf and recovery files `dir`/NAME;
// runs are recorded under `dir`/runs.
inline TestWindow makeTestWindow(const QDir &dir, const QString &name)
{
    TestWindow w;
    w.settings = std::make_unique<QSettings>(
        dir.filePath(name + QStringLiteral(".conf")), QSettings::IniFormat);
    w.window = std::make_unique<MainWindow>(w.settings.get(), dir.filePath(name));
    w.window->editorArea()->setRestorePrompt([](const QString &) { return false; });
    w.controller = new SessionController(w.window.get());
    w.controller->setRecordBase(dir.filePath(QStringLiteral("runs")));
    // A failed check must not leave the test waiting on a question.
    w.controller->setClosePrompt([] { return true; });
    return w;
}

namespace detail {
inline void runToBreakpoint(TestWindow &w, const QString &file, int line, ScriptEditor **editor)
{
    MainWindow &window = *w.window;
    QString error;
    QVERIFY2(window.openTest(file, &error), qPrintable(error));
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    *editor = window.editorArea()->editorFor(file);
    QVERIFY(*editor);
    (*editor)->setBreakpoint(line);
    window.debugActions()->runContinue->trigger();
    // Building and booting under software emulation on a loaded machine.
    QTRY_COMPARE_WITH_TIMEOUT(w.controller->state(), SessionState::Stopped, 600000);
    QCOMPARE((*editor)->currentLine(), line);
}
} // namespace detail

// Opens `file` in the window (1400x900, shown), sets a breakpoint on `line`
// and presses F5 as a user does; returns the file's editor once the test
// stopped there, or null after a failed check (the test then returns).
inline ScriptEditor *runToBreakpoint(TestWindow &w, const QString &file, int line)
{
    ScriptEditor *editor = nullptr;
    detail::runToBreakpoint(w, file, line, &editor);
    return QTest::currentTestFailed() ? nullptr : editor;
}

// Saves a picture of the screen (under Xvfb, with popups) or of `window` as
// `fileName` in $NIXTIDE_SHOTS, for a person to look at; nothing when unset.
inline void saveShot(QWidget &window, const QString &fileName)
{
    const QString dir = qEnvironmentVariable("NIXTIDE_SHOTS");
    if (dir.isEmpty())
        return;
    QTest::qWait(1500); // let the docks and the screen settle for the picture
    const QPixmap shot = QGuiApplication::platformName() == QLatin1String("xcb")
        ? window.screen()->grabWindow(0)
        : window.grab();
    QVERIFY(shot.save(QDir(dir).filePath(fileName)));
}

} // namespace nixtide::testing
