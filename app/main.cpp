#include "core/paths.h"
#include "nixtide/version.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTextStream>

#include <cstdio>

namespace {

int runGui(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("nixtide"));
    QApplication::setApplicationVersion(QString::fromLatin1(nixtide::kVersion));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("IDE for NixOS VM tests"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("test"),
                                 QStringLiteral("Test to open (.nix file); the demo by default."));
    parser.process(app);

    QString test = parser.positionalArguments().value(0);
    if (test.isEmpty())
        test = nixtide::DataPaths::demoDir() + QStringLiteral("/single.nix");

    nixtide::MainWindow window;
    QString error;
    if (!window.openTest(test, &error)) {
        QTextStream(stderr) << "nixtide: " << error << '\n';
        return 2;
    }
    window.show();
    return app.exec();
}

} // namespace

int main(int argc, char **argv)
{
    // --version must work without a display (CI, packagers' install checks).
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "--version" || arg == "-v") {
            std::printf("nixtide %s\n", nixtide::kVersion);
            return 0;
        }
    }
    return runGui(argc, argv);
}
