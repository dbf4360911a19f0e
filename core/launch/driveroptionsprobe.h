#pragma once

#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QTimer>

#include <memory>

namespace nixtide {

// Finds out which long options a bundle's driver accepts by running its
// wrapper once with --help (argparse prints every option and exits before
// any VM or the script): drivers of older releases reject options newer
// ones have (nixos-22.11 has no --junit-xml) with a usage error. A bundle
// in the Nix store never changes, so its answer is kept on disk under
// DataPaths::stateDir() and the process runs once per bundle.
class DriverOptionsProbe : public QObject
{
    Q_OBJECT

public:
    explicit DriverOptionsProbe(QObject *parent = nullptr);
    ~DriverOptionsProbe() override;

    // Asynchronous: finished() follows, also when the answer was cached.
    void start(const QString &bundleDir, const QString &driverPath);

    // The long options of a driver's --help text ("--junit-xml", ...).
    static QStringList parseHelp(const QString &help);

Q_SIGNALS:
    // ok false: the driver's --help failed (error says how, with its
    // output); options is then empty.
    void finished(bool ok, const QStringList &options, const QString &error);

private:
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void fail(const QString &error);
    QString cachePath() const;

    std::unique_ptr<QProcess> m_process;
    QTimer m_timeout;
    QString m_bundleDir;
    QString m_driverPath;
};

} // namespace nixtide
