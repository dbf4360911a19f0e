#include "core/session/runrecorder.h"

#include "core/session/debugsession.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

namespace nixtide {

namespace {

QString stateName(DebugSession::State state)
{
    switch (state) {
    case DebugSession::State::Idle:
        return QStringLiteral("idle");
    case DebugSession::State::Starting:
        return QStringLiteral("starting");
    case DebugSession::State::Running:
        return QStringLiteral("running");
    case DebugSession::State::Stopped:
        return QStringLiteral("stopped");
    case DebugSession::State::Terminated:
        return QStringLiteral("terminated");
    }
    return QString();
}

} // namespace

RunRecorder::RunRecorder(DebugSession *session)
    : m_session(session)
{
    connect(session, &DebugSession::driverOutputLine, this,
        [this](const QString &line) { m_record.appendDriverOutput(line); });
    connect(session, &DebugSession::errorOccurred, this, [this](const QString &message) {
        m_record.appendLog({{QStringLiteral("event"), QStringLiteral("error")},
            {QStringLiteral("message"), message}});
    });
    connect(
        session, &DebugSession::output, this, [this](const QString &category, const QString &text) {
            m_record.appendLog({{QStringLiteral("event"), QStringLiteral("output")},
                {QStringLiteral("category"), category}, {QStringLiteral("output"), text}});
        });
    connect(session, &DebugSession::eventReceived, this,
        [this](const QString &event, const QJsonObject &body) {
            m_record.appendLog({{QStringLiteral("event"), event}, {QStringLiteral("body"), body}});
        });
    connect(session, &DebugSession::serialReceived, this,
        [this](const QString &machine, const QByteArray &bytes) {
            m_record.appendSerial(machine, bytes);
        });
    connect(session, &DebugSession::driverStuck, this, [this](const QString &message) {
        m_record.appendLog({{QStringLiteral("event"), QStringLiteral("nixtide/driverStuck")},
            {QStringLiteral("message"), message}});
    });
    connect(session, &DebugSession::stopped, this, &RunRecorder::onStopped);
    connect(session, &DebugSession::resultChanged, this, &RunRecorder::writeResult);
}

RunRecorder::~RunRecorder() = default;

bool RunRecorder::open(
    const QString &base, const QString &testName, const QString &sourcePath, QString *error)
{
    m_startedAt = QDateTime::currentDateTimeUtc();
    QFile source(sourcePath);
    if (QFileInfo(sourcePath).isFile() && source.open(QIODevice::ReadOnly))
        m_sourceSha256 = QString::fromLatin1(
            QCryptographicHash::hash(source.readAll(), QCryptographicHash::Sha256).toHex());
    return m_record.open(base, testName, error);
}

QString RunRecorder::keepScreenshot(
    const QString &machine, const QString &localPath, const QJsonObject &body)
{
    if (!isOpen())
        return QString();
    const QString copy
        = localPath.isEmpty() ? QString() : m_record.addScreenshot(machine, localPath);
    m_record.appendLog({{QStringLiteral("event"), QStringLiteral("nixtide/screenshot")},
        {QStringLiteral("body"), body}, {QStringLiteral("copy"), copy}});
    return copy;
}

QString RunRecorder::keepOcrImage(
    const QString &driverPath, const QString &localPath, const QJsonObject &body)
{
    if (!isOpen())
        return QString();
    const QString copy = m_record.addOcrImage(driverPath, localPath);
    m_record.appendLog({{QStringLiteral("event"), QStringLiteral("nixtide/ocr")},
        {QStringLiteral("body"), body}, {QStringLiteral("copy"), copy}});
    return copy;
}

void RunRecorder::onStopped(const QString &reason)
{
    // Where the script stopped, not where inside the driver.
    const StackFrame top = m_session->stackFrames().value(m_session->scriptFrameIndex());
    m_record.appendLog(
        {{QStringLiteral("event"), QStringLiteral("stopped")}, {QStringLiteral("reason"), reason},
            {QStringLiteral("path"), top.path}, {QStringLiteral("line"), top.line}});
}

void RunRecorder::writeResult(const QString &status)
{
    if (!isOpen())
        return;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const LaunchPlan &plan = m_session->plan();
    QJsonArray machines;
    for (const MachineInfo &m : m_session->machines())
        machines.append(m.name);
    QJsonObject result {{QStringLiteral("test"), plan.bundle.testName},
        {QStringLiteral("bundle"), plan.bundle.dir}, {QStringLiteral("source"), plan.sourcePath},
        {QStringLiteral("reference"), plan.reference}, {QStringLiteral("status"), status},
        {QStringLiteral("sourceSha256"), m_sourceSha256},
        {QStringLiteral("state"), stateName(m_session->state())},
        {QStringLiteral("machines"), machines},
        {QStringLiteral("startedAt"), m_startedAt.toString(Qt::ISODateWithMs)},
        {QStringLiteral("durationSeconds"), double(m_startedAt.msecsTo(now)) / 1000.0}};
    if (status != QLatin1String("running")) {
        result.insert(QStringLiteral("finishedAt"), now.toString(Qt::ISODateWithMs));
        result.insert(QStringLiteral("exitCode"), m_session->exitCode());
        result.insert(QStringLiteral("crashed"), m_session->crashed());
    }
    if (!m_session->error().isEmpty())
        result.insert(QStringLiteral("error"), m_session->error());
    m_record.writeResult(result);
}

} // namespace nixtide
