#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace nixtide {

// One OCR reading of a machine's screen by the driver (the agent's
// nixtide/ocr event): one get_screen_text call, one get_screen_text_variants
// call, or one try of wait_for_text.
struct OcrAttempt
{
    enum class Match { NoPattern, Matched, NotMatched };

    QString machine;
    QString image; // the screen it read (PNG); empty when it could not be kept
    QStringList texts; // what each model and preprocessing read
    double seconds = 0;
    QString pattern; // wait_for_text's regex; empty outside wait_for_text
    Match match = Match::NoPattern;
    QString error; // the call failed (or the pattern was not a regex)

    static OcrAttempt fromEvent(const QJsonObject &body);
    // The log line: what was looked for and whether it was there.
    QString summary() const;
    // The distinct texts, each on one line (line breaks shown as " ⏎ ").
    QStringList distinctLines() const;
};

} // namespace nixtide
