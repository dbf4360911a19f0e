#pragma once

#include "core/review/referencestore.h"
#include "core/review/runreader.h"
#include "core/review/screenshotcompare.h"

#include <QList>
#include <QString>

#include <optional>

namespace nixtide {

// One name's outcome: a run's screenshot against the reference of the same
// name.
struct ScreenshotVerdict
{
    enum class Kind {
        Match,
        Differs, // score above the tolerance, or another size
        New, // in the run, no reference yet
        Missing, // a reference the run did not take
    };
    Kind kind = Kind::New;
    QString name;
    std::optional<RunScreenshot> shot; // none when Missing
    Reference reference;
    Comparison comparison; // for Match and Differs

    bool failing() const { return kind == Kind::Differs || kind == Kind::Missing; }
    // One line: "differs  machine-screen  1.2340% > 0.0100% (…)".
    QString describe() const;
    // The part after the name: the score, the sizes, the reference's path.
    QString detail() const;
    static QString kindName(Kind kind);
};

// Reviews a run's screenshots against a reference folder. When a name was
// taken more than once in a run the record numbers the copies (shot-1), so
// each is its own name. Fails only on a reference whose JSON is bad or an
// image that cannot be read: the error names the file.
std::optional<QList<ScreenshotVerdict>> reviewScreenshots(
    const QList<RunScreenshot> &shots, const ReferenceStore &store, QString *error);

// Compares one screenshot with its reference; nullopt with an error naming
// the file that cannot be read.
std::optional<Comparison> compareWithReference(
    const QString &shotPath, const Reference &reference, QString *error);

} // namespace nixtide
