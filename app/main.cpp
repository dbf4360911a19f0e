#include "core/cli/debugadapter.h"
#include "core/cli/lint.h"
#include "core/cli/list.h"
#include "core/cli/review.h"
#include "core/cli/run.h"
#include "core/cli/runall.h"
#include "core/nix/testref.h"
#include "core/paths.h"
#include "core/unixsignals.h"
#include "nixtide/version.h"
#include "ui/mainwindow.h"
#include "ui/window/sessioncontroller.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QTextStream>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <vector>

namespace {

int runGui(int argc, char **argv)
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

// Headless subcommands run on a QCoreApplication: no display needed, and
// the same core engine as the GUI. Each takes the arguments after its name.
struct Subcommand
{
    const char *name;
    int (*run)(const QStringList &arguments);
    const char *summary;
};

const std::vector<Subcommand> kSubcommands = {
    {"run", nixtide::cli::run, "build and run a test headless, as CI does (exit 0/1/2)"},
    {"run-all", nixtide::cli::runAll,
        "build many tests' results with Nix (its remote builders), one JUnit (exit 0/1/2)"},
    {"list", nixtide::cli::list, "list the tests in a .nix file or a flake"},
    {"lint", nixtide::cli::lint, "check test scripts as the editor and the build do"},
    {"review", nixtide::cli::review,
        "compare a run's screenshots with the test's references (exit 0/1/2)"},
    {"debug-adapter", nixtide::cli::debugAdapter,
        "serve the Debug Adapter Protocol on stdio, for other editors"},
};

// Without QApplication: `--help` must work with no display, like --version.
void printUsage()
{
    std::printf("usage: nixtide [TEST]              the IDE, on TEST (the demo by default)\n"
                "       nixtide COMMAND [ARGS...]   headless, no display needed\n"
                "TEST: a .nix file, file.nix#attr, a flake directory or reference\n"
                "      (path:DIR#checks.x86_64-linux.NAME)\n\ncommands:\n");
    for (const Subcommand &sub : kSubcommands)
        std::printf("  %-14s %s\n", sub.name, sub.summary);
    std::printf("\nnixtide COMMAND --help shows a command's options; --version the version.\n");
}

} // namespace

int main(int argc, char **argv)
{
    // --version must work without a display (CI, packagers' install checks).
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--version") == 0 || std::strcmp(argv[i], "-v") == 0) {
            std::printf("nixtide %s\n", nixtide::kVersion);
            return 0;
        }
    }
    if (argc > 1 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
        printUsage();
        return 0;
    }
    if (argc > 1) {
        for (const Subcommand &sub : kSubcommands) {
            if (std::strcmp(argv[1], sub.name) != 0)
                continue;
            QCoreApplication app(argc, argv);
            QCoreApplication::setApplicationName(QStringLiteral("nixtide"));
            QCoreApplication::setApplicationVersion(QString::fromLatin1(nixtide::kVersion));
            return sub.run(QCoreApplication::arguments().mid(2));
        }
    }
    return runGui(argc, argv);
}
