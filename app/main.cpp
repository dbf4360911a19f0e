#include "core/cli/debugadapter.h"
#include "core/cli/lint.h"
#include "core/cli/list.h"
#include "core/cli/review.h"
#include "core/cli/run.h"
#include "core/cli/runall.h"
#include "nixtide/version.h"

#include <QCoreApplication>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

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

// The IDE is nixtide-gui beside this executable (bin/ in the build tree
// and installed alike). exec keeps the process: the pid that a launcher or
// a test signals is the window's.
int execGui(char **argv)
{
    char self[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        std::fprintf(stderr, "nixtide: cannot find this executable (/proc/self/exe): %s\n",
            std::strerror(errno));
        return 2;
    }
    std::string gui(self, static_cast<size_t>(n));
    gui = gui.substr(0, gui.rfind('/') + 1) + "nixtide-gui";
    ::execv(gui.c_str(), argv);
    std::fprintf(
        stderr, "nixtide: cannot start the IDE, %s: %s\n", gui.c_str(), std::strerror(errno));
    return 2;
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
    return execGui(argv);
}
