#pragma once

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace nixtide {

// What result.json of a run record says (see RunRecord for the layout).
struct RunInfo
{
    QString dir;
    QString test;
    QString source; // the .nix file (or bundle) that ran
    QString reference; // the test as opened (TestRef::toString()); older records lack it
    QString sourceSha256; // of that file when the run started; older records lack it
    QString bundle; // the driver's store path
    QString status; // passed, failed, killed, error, stopped, running
    QDateTime startedAt;
    double durationSeconds = 0;
    int exitCode = -1;
};

// One screen image of a run, in the order the run took them: a
// screenshot, or a screen the driver's OCR read.
struct RunScreenshot
{
    QString name; // the file's base name in screenshots/ (machine-shot) or ocr/
    QString machine;
    QString path;
    // The log step that was open when it was taken and its script line
    // (the .nix file's line when the script came from one); the IDE's own
    // screenshots have none.
    QString step;
    QString scriptPath;
    int line = 0;
    bool byDriver = false; // machine.screenshot(); else nixtide's screen grab
    bool failure = false; // taken by nixtide when the script failed
    // A screen the driver's OCR read (ocr/): step is what the last reading
    // of it looked for and found; one image read again while the screen
    // stood still counts its readings.
    bool ocr = false;
    int reads = 0;
};

// Reads a run record written by RunRecord and DebugSession. A record is
// read while it may still be written: a half line at the end of log.jsonl
// is skipped, other unreadable lines are named in warnings.
class RunReader
{
public:
    static std::optional<RunInfo> readInfo(const QString &dir, QString *error);
    // The screenshots, which are what references are kept for.
    static QList<RunScreenshot> screenshots(const QString &dir, QStringList *warnings);
    // Every screen image in order: the screenshots and the OCR images.
    static QList<RunScreenshot> timeline(const QString &dir, QStringList *warnings);
    static QString screenshotDir(const QString &dir);
};

} // namespace nixtide
