// Stands in for nixtide in the launcher tests: starts a driver with
// DriverProcess and relays its output, so that the test can kill -9 this
// process and look at what survives.
#include "core/launch/driverprocess.h"

#include <QCoreApplication>
#include <QTextStream>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    if (args.size() < 2)
        return 2;
    nixtide::DriverProcess driver;
    nixtide::DriverLaunchOptions options;
    options.driverPath = args.at(1);
    options.extraArguments = args.mid(2);
    QTextStream out(stdout);
    QObject::connect(&driver, &nixtide::DriverProcess::started, [&] {
        out << "DRIVER " << driver.processId() << Qt::endl
            << "SOCKET=" << driver.privateDir() << Qt::endl;
    });
    QObject::connect(&driver, &nixtide::DriverProcess::stdoutLine,
        [&](const QString &line) { out << line << Qt::endl; });
    QObject::connect(&driver, &nixtide::DriverProcess::finished, &app,
        [&](int code, bool) { QCoreApplication::exit(code); });
    QString error;
    if (!driver.start(options, &error)) {
        QTextStream(stderr) << error << Qt::endl;
        return 2;
    }
    return app.exec();
}
