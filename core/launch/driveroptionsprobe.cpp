#include "core/launch/driveroptionsprobe.h"

#include "core/paths.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSaveFile>

namespace nixtide {

namespace {

constexpr int kTimeoutMs = 60000; // an interpreter start on a busy machine

} // namespace

DriverOptionsProbe::DriverOptionsProbe(QObject *parent)
    : QObject(parent)
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        m_process->kill();
        fail(QStringLiteral("%1 --help did not answer within %2 s")
                .arg(m_driverPath)
                .arg(kTimeoutMs / 1000));
    });
}

DriverOptionsProbe::~DriverOptionsProbe()
{
    // Nothing is reported from here: the owner may be half destroyed.
    if (m_process)
        m_process->disconnect(this);
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(2000);
    }
}

QStringList DriverOptionsProbe::parseHelp(const QString &help)
{
    // Options appear in the usage line ("[--junit-xml JUNIT_XML]") and the
    // option list ("-o OUTPUT_DIRECTORY, --output_directory ..."); help
    // prose names none in the drivers' texts.
    static const QRegularExpression option(
        QStringLiteral("(?:^|[\\s\\[|,(])(--[A-Za-z0-9][A-Za-z0-9_-]*)"));
    QStringList options;
    auto it = option.globalMatch(help);
    while (it.hasNext()) {
        const QString name = it.next().captured(1);
        if (!options.contains(name))
            options.append(name);
    }
    return options;
}

QString DriverOptionsProbe::cachePath() const
{
    // Only a store path is immutable; anything else is asked every time.
    const QString canonical = QFileInfo(m_bundleDir).canonicalFilePath();
    if (!canonical.startsWith(QLatin1String("/nix/store/")))
        return QString();
    const QByteArray key
        = QCryptographicHash::hash(canonical.toUtf8(), QCryptographicHash::Sha256).toHex().left(32);
    return DataPaths::stateDir() + QStringLiteral("/driver-options/") + QString::fromLatin1(key);
}

void DriverOptionsProbe::start(const QString &bundleDir, const QString &driverPath)
{
    m_bundleDir = bundleDir;
    m_driverPath = driverPath;
    QFile cached(cachePath());
    if (!cached.fileName().isEmpty() && cached.open(QIODevice::ReadOnly)) {
        const QStringList options
            = QString::fromUtf8(cached.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QMetaObject::invokeMethod(
            this, [this, options] { Q_EMIT finished(true, options, QString()); },
            Qt::QueuedConnection);
        return;
    }
    m_process = std::make_unique<QProcess>();
    m_process->setProgram(driverPath);
    m_process->setArguments({QStringLiteral("--help")});
    m_process->setWorkingDirectory(QDir::tempPath());
    m_process->setStandardInputFile(QProcess::nullDevice());
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    // Only the run itself is debugged.
    env.remove(QStringLiteral("NIXTIDE_AGENT_SOCKET"));
    m_process->setProcessEnvironment(env);
    connect(m_process.get(), &QProcess::finished, this, &DriverOptionsProbe::onFinished);
    connect(m_process.get(), &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart)
            fail(QStringLiteral("%1: %2").arg(m_driverPath, m_process->errorString()));
    });
    m_timeout.start(kTimeoutMs);
    m_process->start();
}

void DriverOptionsProbe::fail(const QString &error)
{
    m_timeout.stop();
    Q_EMIT finished(false, {}, error);
}

void DriverOptionsProbe::onFinished(int exitCode, QProcess::ExitStatus status)
{
    if (!m_timeout.isActive())
        return; // already reported
    m_timeout.stop();
    const QString out = QString::fromUtf8(m_process->readAllStandardOutput());
    const QString err = QString::fromUtf8(m_process->readAllStandardError()).trimmed();
    const QStringList options = parseHelp(out);
    if (status != QProcess::NormalExit || exitCode != 0 || options.isEmpty()) {
        fail(QStringLiteral("%1 --help %2:\n%3")
                .arg(m_driverPath,
                    status != QProcess::NormalExit ? QStringLiteral("was killed")
                                                   : QStringLiteral("exited %1").arg(exitCode),
                    err.isEmpty() ? out.trimmed() : err));
        return;
    }
    const QString path = cachePath();
    if (!path.isEmpty() && QDir().mkpath(QFileInfo(path).path())) {
        // A failed write only costs the next run another --help.
        QSaveFile file(path);
        if (file.open(QIODevice::WriteOnly)) {
            file.write(options.join(QLatin1Char('\n')).toUtf8() + '\n');
            file.commit();
        }
    }
    Q_EMIT finished(true, options, QString());
}

} // namespace nixtide
