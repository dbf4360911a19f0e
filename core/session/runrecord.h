#pragma once

#include <QFile>
#include <QHash>
#include <QJsonObject>
#include <QString>

#include <memory>

namespace nixtide {

// One run's record under <base>/<test-name>/<timestamp>/:
//   log.jsonl          one JSON object per line (log events, stops, output)
//   driver.log         the driver's own stdout/stderr
//   serial-<m>.log     each machine's serial console, every byte
//   screenshots/       copies of the screenshots the test took
//   ocr/               the screens the driver's OCR read (one file per
//                      distinct screen the agent saved)
//   result.json        status, exit code, timings; replaced atomically
// Lines are appended and flushed as they come so a crash loses at most the
// line being written; result.json is never half-written (temp + rename).
class RunRecord
{
public:
    RunRecord();
    ~RunRecord();
    RunRecord(const RunRecord &) = delete;
    RunRecord &operator=(const RunRecord &) = delete;

    // base: usually DataPaths::stateDir() + "/runs".
    bool open(const QString &base, const QString &testName, QString *error);
    bool isOpen() const { return !m_dir.isEmpty(); }
    QString dir() const { return m_dir; }

    void appendLog(const QJsonObject &entry);
    void appendDriverOutput(const QString &line);
    void appendSerial(const QString &machine, const QByteArray &bytes);
    // Copies the file; returns the copy's path (empty on failure).
    QString addScreenshot(const QString &machine, const QString &path);
    // Copies a screen the driver's OCR read, once per source file (the
    // agent names one file for every try that saw the same screen).
    QString addOcrImage(const QString &path);
    bool writeResult(const QJsonObject &result);

    static QString safeName(const QString &name);

private:
    QFile *fileFor(const QString &name);

    QString m_dir;
    QHash<QString, std::shared_ptr<QFile>> m_files;
    QHash<QString, QString> m_ocrCopies; // the agent's file -> the record's copy
};

} // namespace nixtide
