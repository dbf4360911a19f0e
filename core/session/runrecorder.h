#pragma once

#include "core/session/runrecord.h"

#include <QDateTime>
#include <QJsonObject>
#include <QObject>
#include <QString>

namespace nixtide {

class DebugSession;

// Writes one run's RunRecord from what a DebugSession signals: driver
// output, DAP output, the agent's log and machine events with their body,
// stops, serial bytes, a stuck driver, errors and the result. Nothing is
// written until open() succeeds, so a session without a record keeps an
// unopened recorder and never asks whether it has one.
class RunRecorder : public QObject
{
    Q_OBJECT

public:
    // Listens to the session from here on; connected before anyone the
    // session is handed to, so a record line is written before any other
    // listener sees the fact.
    explicit RunRecorder(DebugSession *session);
    ~RunRecorder() override;

    // base: usually DataPaths::stateDir() + "/runs". The source's hash goes
    // into the result: the file may be edited after the run.
    bool open(
        const QString &base, const QString &testName, const QString &sourcePath, QString *error);
    bool isOpen() const { return m_record.isOpen(); }
    QString dir() const { return m_record.dir(); }

    // The record's copy of a file the driver made, logged with the event
    // that announced it; the session hands the copy on (the driver's own
    // lives in a directory removed with the run). Empty when not recording
    // or the copy failed.
    QString keepScreenshot(
        const QString &machine, const QString &localPath, const QJsonObject &body);
    QString keepOcrImage(
        const QString &driverPath, const QString &localPath, const QJsonObject &body);

private:
    void onStopped(const QString &reason);
    void writeResult(const QString &status);

    DebugSession *m_session;
    RunRecord m_record;
    QDateTime m_startedAt;
    QString m_sourceSha256;
};

} // namespace nixtide
