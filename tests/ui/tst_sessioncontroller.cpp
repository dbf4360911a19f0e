// SessionController's build half with real Nix, no VM: an evaluation error
// lands in the editor at its line and column and in Build Output; Cancel
// stops a slow build and leaves no builder; closing the window during a
// build cancels it; a driver stuck on a dead vde_switch is said and stopped.
#include "common/testfiles.h"
#include "core/session/debugsession.h"
#include "ui/docks/buildoutputview.h"
#include "ui/editor/editorarea.h"
#include "ui/editor/scripteditor.h"
#include "ui/mainwindow.h"
#include "ui/window/debugactions.h"
#include "ui/window/sessioncontroller.h"

#include <QAction>
#include <QDir>
#include <QDirIterator>
#include <QDockWidget>
#include <QFile>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QScopeGuard>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextDocument>
#include <QUuid>

using namespace nixtide;
using namespace nixtide::testing;

namespace {

// Line 6, column 11: the `;` where a value belongs.
const QByteArray kBroken = "{\n"
                           "  name = \"broken\";\n"
                           "  testScript = ''\n"
                           "    machine.start()\n"
                           "  '';\n"
                           "  nodes = ;\n"
                           "}\n";

// A test module with an error inside it that only nixpkgs' evaluation
// finds (line 8, column 6: no such attribute of `lib`).
const QByteArray kModuleError = "{ pkgs, lib, ... }:\n"
                                "{\n"
                                "  name = \"module-error\";\n"
                                "  nodes.machine = { ... }: { };\n"
                                "  testScript = ''\n"
                                "    machine.start()\n"
                                "  '';\n"
                                "} // lib.noSuchDefaults\n";

// A valid test module, after a comment: its head is line 2.
const QByteArray kModule = "# needs runTest's arguments\n"
                           "{ pkgs, lib, ... }:\n"
                           "{\n"
                           "  name = \"module-alone\";\n"
                           "  nodes.machine = { ... }: { };\n"
                           "  testScript = ''\n"
                           "    machine.start()\n"
                           "  '';\n"
                           "}\n";

// What only nixtide's own evaluation (a call with `{ }`, its --expr and
// --apply text) would put into a message.
void verifyNoWrapperText(const QString &text)
{
    for (const char *wrapper : {"called without required argument", "\u00abstring\u00bb",
             "builtins.tryEval", "runNixOSTest (/.", "import <nixpkgs>"})
        QVERIFY2(!text.contains(QString::fromUtf8(wrapper)), qPrintable(text));
}

// Sets NIX_PATH for one test and restores it after.
class NixPathScope
{
public:
    explicit NixPathScope(const QByteArray &value)
        : m_old(qgetenv("NIX_PATH"))
        , m_had(qEnvironmentVariableIsSet("NIX_PATH"))
    {
        if (value.isEmpty())
            qunsetenv("NIX_PATH");
        else
            qputenv("NIX_PATH", value);
    }
    ~NixPathScope()
    {
        if (m_had)
            qputenv("NIX_PATH", m_old);
        else
            qunsetenv("NIX_PATH");
    }
    Q_DISABLE_COPY_MOVE(NixPathScope)

private:
    QByteArray m_old;
    bool m_had;
};

} // namespace

class TestSessionController : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_nonce;

    std::unique_ptr<QSettings> settings()
    {
        return std::make_unique<QSettings>(
            m_dir.filePath(QStringLiteral("nixtide.conf")), QSettings::IniFormat);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(qEnvironmentVariableIsSet("NIXTIDE_SOURCE_DIR"), "run under ctest");
        qputenv("XDG_STATE_HOME", m_dir.filePath(QStringLiteral("state")).toUtf8());
        // The slow test, with a fresh nonce so Nix really builds it.
        m_nonce = QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QString data
            = qEnvironmentVariable("NIXTIDE_SOURCE_DIR") + QStringLiteral("/tests/data/nix");
        for (const QString &name : {QStringLiteral("slow.nix"), QStringLiteral("testlib.nix"),
                 QStringLiteral("failing-build.nix")}) {
            QFile in(data + u'/' + name);
            QVERIFY(in.open(QIODevice::ReadOnly));
            QVERIFY(
                writeFile(m_dir.filePath(name), in.readAll().replace("@NONCE@", m_nonce.toUtf8())));
        }
        QVERIFY(writeFile(m_dir.filePath(QStringLiteral("broken.nix")), kBroken));
        // A configuration-era demo test on VLAN 1 (the era whose driver
        // waits for a dead switch), with its own name for the leftover check.
        QVERIFY(writeFile(m_dir.filePath(QStringLiteral("vlan-switch.nix")),
            QStringLiteral("(import %1/resources/demo/lib { }).runTest {\n"
                           "  name = \"vlan-switch-gui-%2\";\n"
                           "  driverGeneration = \"configuration\";\n"
                           "  nodes.machine.virtualisation.vlans = [ 1 ];\n"
                           "  testScript = ''\n"
                           "    machine.succeed(\"true\")\n"
                           "  '';\n"
                           "}\n")
                .arg(qEnvironmentVariable("NIXTIDE_SOURCE_DIR"), m_nonce)
                .toUtf8()));
    }

    void evaluationErrorGoesToItsLine()
    {
        auto s = settings();
        MainWindow window(s.get(), m_dir.filePath(QStringLiteral("recovery")));
        auto *controller = new SessionController(&window);
        QString error;
        const QString path = m_dir.filePath(QStringLiteral("broken.nix"));
        QVERIFY2(window.openTest(path, &error), qPrintable(error));
        QSignalSpy states(controller, &SessionController::stateChanged);

        window.debugActions()->runContinue->trigger();
        QCOMPARE(controller->state(), SessionState::Building);
        QCOMPARE(window.sessionState(), SessionState::Building);
        QVERIFY(window.buildProgressBar()->isVisibleTo(&window));
        QVERIFY(window.debugActions()->cancelBuild->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(controller->state(), SessionState::Idle, 120000);

        ScriptEditor *editor = window.editorArea()->editorFor(path);
        QVERIFY(editor);
        QVERIFY2(editor->annotationText(5).contains(QStringLiteral("syntax error")),
            qPrintable(editor->annotationText(5)));
        QCOMPARE(editor->cursorLine(), 6);
        const QString output = window.buildOutput()->text()->toPlainText();
        QVERIFY2(output.contains(QStringLiteral("broken.nix:6:11")), qPrintable(output));
        QVERIFY2(controller->lastNotice().startsWith(QStringLiteral("The build failed")),
            qPrintable(controller->lastNotice()));
        QVERIFY(!window.buildProgressBar()->isVisibleTo(&window));
        QVERIFY(controller->session() == nullptr);
    }

    // A module-style file outside nixpkgs with an error inside the module:
    // Nix's message at its line, in the annotation, the status bar and
    // Build Output, on opening and on F5, with none of nixtide's wrapper.
    void moduleErrorGoesToItsLineWithoutWrapperText()
    {
        const NixPathScope nixPath(
            "nixpkgs=" + qgetenv("NIXTIDE_SOURCE_DIR") + "/tests/data/nixpkgs");
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("module-error.nix"));
        QVERIFY(writeFile(path, kModuleError));
        auto s = settings();
        MainWindow window(s.get(), m_dir.filePath(QStringLiteral("recovery")));
        auto *controller = new SessionController(&window);
        QString error;
        QVERIFY2(window.openTest(path, &error), qPrintable(error));
        ScriptEditor *editor = window.editorArea()->editorFor(path);
        QVERIFY(editor);
        const QString missing = QStringLiteral("attribute 'noSuchDefaults' missing");
        // Opening: the outline's evaluation reports it.
        QTRY_VERIFY2_WITH_TIMEOUT(editor->annotationText(7).contains(missing),
            qPrintable(editor->annotationText(7)), 120000);
        verifyNoWrapperText(editor->annotationText(7));
        const QString status = window.statusBar()->currentMessage();
        QVERIFY2(
            status.contains(QStringLiteral("module-error.nix:8: ") + missing), qPrintable(status));
        verifyNoWrapperText(status);

        // F5: the build reports it the same way.
        window.debugActions()->runContinue->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(controller->state(), SessionState::Idle, 120000);
        QVERIFY2(
            editor->annotationText(7).contains(missing), qPrintable(editor->annotationText(7)));
        verifyNoWrapperText(editor->annotationText(7));
        QCOMPARE(editor->cursorLine(), 8);
        const QString output = window.buildOutput()->text()->toPlainText();
        QVERIFY2(output.contains(path + QStringLiteral(":8:6")), qPrintable(output));
        QVERIFY2(output.contains(missing), qPrintable(output));
        verifyNoWrapperText(output);
        QVERIFY2(controller->lastNotice().contains(missing), qPrintable(controller->lastNotice()));
        verifyNoWrapperText(controller->lastNotice());
    }

    // The same file shape with no nixpkgs to evaluate it: said plainly at
    // the module's head and in Build Output, naming the file and what was
    // tried, never as a call with `{ }`.
    void moduleWithoutNixpkgsSaysSo()
    {
        const NixPathScope nixPath {QByteArray()};
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("module-alone.nix"));
        QVERIFY(writeFile(path, kModule));
        auto s = settings();
        MainWindow window(s.get(), m_dir.filePath(QStringLiteral("recovery")));
        auto *controller = new SessionController(&window);
        QString error;
        QVERIFY2(window.openTest(path, &error), qPrintable(error));
        ScriptEditor *editor = window.editorArea()->editorFor(path);
        QVERIFY(editor);
        const QString needs = QStringLiteral("a module-style test needs nixpkgs");
        QTRY_VERIFY2_WITH_TIMEOUT(editor->annotationText(1).contains(needs),
            qPrintable(editor->annotationText(1)), 120000);
        verifyNoWrapperText(editor->annotationText(1));
        QVERIFY2(window.statusBar()->currentMessage().contains(needs),
            qPrintable(window.statusBar()->currentMessage()));

        window.debugActions()->runContinue->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(controller->state(), SessionState::Idle, 120000);
        QVERIFY2(editor->annotationText(1).contains(needs), qPrintable(editor->annotationText(1)));
        const QString output = window.buildOutput()->text()->toPlainText();
        QVERIFY2(
            output.contains(path + QStringLiteral(":2:1: error: ") + needs), qPrintable(output));
        QVERIFY2(output.contains(QStringLiteral("as a test module through <nixpkgs>")),
            qPrintable(output));
        verifyNoWrapperText(output);
        QVERIFY2(controller->lastNotice().contains(needs), qPrintable(controller->lastNotice()));
    }

    // The bar does not claim success, and Build Output keeps what Nix said
    // last (the builder's lines, its hint), in colour, not as escape codes.
    void failedBuildSaysSoAndKeepsNixsWords()
    {
        auto s = settings();
        MainWindow window(s.get(), m_dir.filePath(QStringLiteral("recovery")));
        auto *controller = new SessionController(&window);
        QString error;
        QVERIFY2(window.openTest(m_dir.filePath(QStringLiteral("failing-build.nix")), &error),
            qPrintable(error));
        window.debugActions()->runContinue->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(controller->state(), SessionState::Idle, 120000);
        QCOMPARE(window.buildOutput()->progressBar()->text(), QStringLiteral("Build failed"));
        const QString output = window.buildOutput()->text()->toPlainText();
        QVERIFY2(output.contains(QStringLiteral("the driver is broken")), qPrintable(output));
        // Nix's own message, as Nix printed it (before, only the summary).
        QVERIFY2(output.contains(QStringLiteral("error: builder for '")), qPrintable(output));
        QVERIFY2(!output.contains(QChar(0x1b)), qPrintable(output));
        bool coloured = false;
        for (QTextBlock block = window.buildOutput()->text()->document()->begin(); block.isValid();
            block = block.next()) {
            for (auto it = block.begin(); !it.atEnd(); ++it)
                coloured = coloured
                    || it.fragment().charFormat().hasProperty(QTextFormat::ForegroundBrush);
        }
        QVERIFY(coloured);
        if (qEnvironmentVariableIsSet("NIXTIDE_SHOTS")) {
            window.resize(1280, 800);
            window.show();
            window.dock(MainWindow::Dock::BuildOutput)->raise();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            QVERIFY(window.grab().save(QDir(qEnvironmentVariable("NIXTIDE_SHOTS"))
                    .filePath(QStringLiteral("build-failed.png"))));
        }
        QVERIFY2(controller->lastNotice().startsWith(QStringLiteral("The build failed")),
            qPrintable(controller->lastNotice()));
    }

    void cancelStopsTheBuild()
    {
        auto s = settings();
        MainWindow window(s.get(), m_dir.filePath(QStringLiteral("recovery")));
        auto *controller = new SessionController(&window);
        QString error;
        QVERIFY2(
            window.openTest(m_dir.filePath(QStringLiteral("slow.nix")), &error), qPrintable(error));
        window.debugActions()->runContinue->trigger();
        QCOMPARE(controller->state(), SessionState::Building);
        // Wait for the slow builder itself, so the cancel has something to stop.
        QTRY_VERIFY_WITH_TIMEOUT(
            window.buildOutput()->text()->toPlainText().contains(QStringLiteral("building the")),
            120000);
        QVERIFY(!processesMentioning(m_nonce).isEmpty());
        window.debugActions()->cancelBuild->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(controller->state(), SessionState::Idle, 20000);
        QCOMPARE(controller->lastNotice(), QStringLiteral("Build cancelled."));
        QTRY_COMPARE_WITH_TIMEOUT(processesMentioning(m_nonce), QStringList(), 10000);
        QVERIFY(controller->session() == nullptr);
    }

    // The demo driver's fault kills its switch as it starts it: the window
    // names the VLAN (not a silent "running") and Stop ends the driver.
    void deadVdeSwitchIsSaidAndStopEndsTheDriver()
    {
        qputenv("NIXTIDE_DEMO_VDE_SWITCH_DIES", "1");
        auto unset = qScopeGuard([] { qunsetenv("NIXTIDE_DEMO_VDE_SWITCH_DIES"); });
        auto s = settings();
        MainWindow window(s.get(), m_dir.filePath(QStringLiteral("recovery")));
        auto *controller = new SessionController(&window);
        QString error;
        QVERIFY2(window.openTest(m_dir.filePath(QStringLiteral("vlan-switch.nix")), &error),
            qPrintable(error));
        window.debugActions()->runContinue->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(
            controller->lastNotice().startsWith(QStringLiteral("VLAN 1: vde_switch (pid ")),
            300000);
        QVERIFY2(controller->lastNotice().contains(QStringLiteral("the driver waits for it")),
            qPrintable(controller->lastNotice()));
        QVERIFY(controller->lastNotice().endsWith(QStringLiteral("Stop ends the run")));
        QVERIFY(window.buildOutput()->text()->toPlainText().contains(
            QStringLiteral("VLAN 1: vde_switch")));
        QVERIFY(controller->session());
        QVERIFY(controller->session()->state() != DebugSession::State::Terminated);
        const QString driver = QStringLiteral("vlan-switch-gui-") + m_nonce;
        QVERIFY(!processesMentioning(driver).isEmpty());
        window.debugActions()->stop->trigger();
        // No VM to shut down: the driver's group goes at once, not after
        // the agent's grace period.
        QTRY_VERIFY_WITH_TIMEOUT(!controller->session()
                || controller->session()->state() == DebugSession::State::Terminated,
            10000);
        QTRY_COMPARE_WITH_TIMEOUT(processesMentioning(driver), QStringList(), 10000);
    }

    // F5 again starts the last build's driver while Nix checks the test:
    // the same build adopts it; an edited test stops it unused (its old
    // script never runs) and runs the new build.
    void nextRunStartsTheLastBuildsDriverEarly()
    {
        const QString test = m_dir.filePath(QStringLiteral("early.nix"));
        const auto write = [&](int version) {
            return writeFile(test,
                QStringLiteral("(import %1/resources/demo/lib { }).runTest {\n"
                               "  name = \"early-gui-%2\";\n"
                               "  nodes.machine = { ... }: { };\n"
                               "  testScript = ''\n"
                               "    print(\"script version %3\")\n"
                               "  '';\n"
                               "}\n")
                    .arg(qEnvironmentVariable("NIXTIDE_SOURCE_DIR"), m_nonce)
                    .arg(version)
                    .toUtf8());
        };
        const QString early = QStringLiteral("Started the last build's driver while Nix checks");
        const QString refused = QStringLiteral("Not using the driver started early");
        auto s = settings();
        MainWindow window(s.get(), m_dir.filePath(QStringLiteral("recovery")));
        auto *controller = new SessionController(&window);
        const auto runToEnd = [&](int version) {
            window.debugActions()->runContinue->trigger();
            const QString printed = QStringLiteral("script version %1").arg(version);
            // The interactive driver waits after its script: Stop ends it.
            QTRY_VERIFY_WITH_TIMEOUT(
                window.buildOutput()->text()->toPlainText().contains(printed), 120000);
            window.debugActions()->stop->trigger();
            QTRY_COMPARE_WITH_TIMEOUT(controller->state(), SessionState::Terminated, 60000);
        };
        QVERIFY(write(1));
        QString error;
        QVERIFY2(window.openTest(test, &error), qPrintable(error));

        runToEnd(1);
        QVERIFY(!window.buildOutput()->text()->toPlainText().contains(early));

        runToEnd(1);
        QString output = window.buildOutput()->text()->toPlainText();
        QVERIFY2(output.contains(early), qPrintable(output));
        QVERIFY2(!output.contains(refused), qPrintable(output));

        QVERIFY(write(2));
        runToEnd(2);
        output = window.buildOutput()->text()->toPlainText();
        QVERIFY2(output.contains(early), qPrintable(output));
        QVERIFY2(output.contains(refused + QStringLiteral(": the test's build changed")),
            qPrintable(output));
        QVERIFY2(!output.contains(QStringLiteral("script version 1")), qPrintable(output));
        QTRY_COMPARE_WITH_TIMEOUT(
            processesMentioning(QStringLiteral("early-gui-") + m_nonce), QStringList(), 10000);
    }

    void closingTheWindowCancelsTheBuild()
    {
        auto s = settings();
        auto window
            = std::make_unique<MainWindow>(s.get(), m_dir.filePath(QStringLiteral("recovery")));
        auto *controller = new SessionController(window.get());
        QString error;
        QVERIFY(window->openTest(m_dir.filePath(QStringLiteral("slow.nix")), &error));
        window->show();
        window->debugActions()->runContinue->trigger();
        QCOMPARE(controller->state(), SessionState::Building);
        QTRY_VERIFY_WITH_TIMEOUT(!processesMentioning(m_nonce).isEmpty(), 60000);
        QVERIFY(window->close());
        window.reset();
        QTRY_COMPARE_WITH_TIMEOUT(processesMentioning(m_nonce), QStringList(), 10000);
    }
};

QTEST_MAIN(TestSessionController)
#include "tst_sessioncontroller.moc"
