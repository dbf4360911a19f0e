#pragma once

#include "core/session/ocrattempt.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace nixtide {

// One line of a run record's log.jsonl that a reader has a use for, typed:
// a step of the driver's log (with its end folded in), an OCR reading, or
// a screenshot. Lines of other events are left out.
struct RecordedEntry
{
    enum class Kind { Step, Ocr, Screenshot };
    Kind kind = Kind::Step;

    int id = 0; // a nested step's id (the agent's); 0 for everything else
    std::optional<int> parentId; // the nested step it ran in; none at the top
    int depth = 0; // 0 at the top, one more than its parent's
    bool nested = false; // a step begun with logBegin (it has an end)
    bool subtest = false;
    QString message; // a step's title; a screenshot's failing step
    QString machine;
    // The script's file and line (for a screenshot: the failing line's,
    // when it was taken on a failure); hasLine tells a line 0 from none.
    QString path;
    int line = 0;
    bool hasLine = false;
    double durationSeconds = -1; // a nested step's, once it ended
    bool failed = false; // a nested step that failed, an OCR call that did
    bool failure = false; // a screenshot taken because the script failed
    std::optional<OcrAttempt> ocr; // the reading, with the driver's image path
    QString copy; // an OCR screen's or a screenshot's copy in the record
};

struct RecordedLog
{
    QList<RecordedEntry> entries; // in the order they were written
    // Lines that are not JSON objects, named by file and line number. The
    // last line is skipped without a word when it has no line end: a
    // record is read while it is written, and a crash cuts a line short.
    QStringList warnings;
};

// Reads log.jsonl of a RunRecord (written by RunRecorder).
class RunRecordReader
{
public:
    static RecordedLog read(const QString &dir);
    static RecordedLog parse(const QByteArray &log, const QString &name);
};

} // namespace nixtide
