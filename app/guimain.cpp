// The IDE's own executable, started by `nixtide` (app/main.cpp) when no
// subcommand is named. Apart from the headless one so that `nixtide run`
// does not load and relocate the widget, editor and terminal libraries
// (most of its start-up time: bench/README.md, open to first line).
#include "core/nix/testref.h"
#include "core/paths.h"
#include "core/unixsignals.h"
#include "nixtide/version.h"
#include "ui/mainwindow.h"
#include "ui/window/sessioncontroller.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QTextStream>

#include <csignal>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("nixtide"));
    // QSettings then lives in $XDG_CONFIG_HOME/nixtide/nixtide.conf.
    QApplication::setOrganizationName(QStringLiteral("nixtide"));
    QApplication::setApplicationVersion(QString::fromLatin1(nixtide::kVersion));
    // Installed before anything can show a window: a SIGTERM from whoever
    // saw the window appear must not kill us with the default action.
    nixtide::UnixSignalWatcher signalWatcher({SIGINT, SIGTERM, SIGHUP});

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("IDE for NixOS VM tests"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("test"),
        QStringLiteral("Test to open: a .nix file, file.nix#attr, a flake directory or "
                       "reference (path:DIR#checks.x86_64-linux.NAME); the demo by default."));
    parser.process(app);

    QString test = parser.positionalArguments().value(0);

    nixtide::MainWindow window;
    // Runs the test under the debugger; on close it stops the test first.
    auto *controller = new nixtide::SessionController(&window);
    // Layout, the files open last time and breakpoints; the test named on
    // the command line (or the demo) is opened on top and becomes the one
    // that runs.
    window.restoreSession();
    // Without an argument the last session's test comes back (its tab is
    // open already); the demo only when there is none.
    if (test.isEmpty()) {
        test = QFileInfo::exists(window.testPath())
            ? window.testArgument()
            : nixtide::DataPaths::demoDir() + QStringLiteral("/single.nix");
    }
    QString error;
    const std::optional<nixtide::TestRef> ref = nixtide::TestRef::parse(test, &error);
    if (!ref) {
        QTextStream(stderr) << "nixtide: " << error << '\n';
        return 2;
    }
    if (ref->kind == nixtide::TestRef::Kind::NixFile && ref->attrPath.isEmpty()) {
        if (!window.openTest(test, &error)) {
            QTextStream(stderr) << "nixtide: " << error << '\n';
            return 2;
        }
    } else {
        // A flake or an attribute: Nix finds the file that holds the test
        // (or lists the flake's tests for the picker) while the window shows.
        window.openTestArgument(test);
    }
    // SIGTERM/SIGINT close the window like the user would, so running
    // sessions stop their drivers and VMs (the controller delays the close
    // until they are gone) and state is saved. A signal that came before
    // this point waits in the watcher's pipe until the event loop runs.
    // A signal is an answer already: a paused test is not asked about.
    QObject::connect(&signalWatcher, &nixtide::UnixSignalWatcher::signalReceived, &window,
        [&window, controller] {
            controller->setClosePrompt([] { return true; });
            window.close();
        });
    window.show();
    return app.exec();
}
