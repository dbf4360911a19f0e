#pragma once

#include <QList>
#include <QRect>
#include <QString>
#include <QStringList>

#include <optional>

namespace nixtide {

// A reference screenshot and what may differ from it.
struct Reference
{
    QString name;
    QString imagePath; // <dir>/<name>.png
    QString settingsPath; // <dir>/<name>.json
    // Rectangles (reference pixels) left out of the comparison: clocks,
    // cursors, anything that changes from run to run.
    QList<QRect> masks;
    // Percent of the compared (unmasked) pixels that may differ.
    double tolerancePercent = 0.01;
    bool hasImage = false;
};

// The references of one test: a plain folder next to the test, meant to be
// committed and reviewed like the test itself:
//   <test dir>/<test name>.screenshots/
//     NAME.png    the accepted screenshot
//     NAME.json   {"tolerance": 0.01,
//                  "masks": [{"x": 0, "y": 0, "width": 80, "height": 16}]}
// NAME is the screenshot's name in the run record (machine-shot). The JSON
// file is optional (no masks, the default tolerance); "tolerance" is a
// percentage of unmasked pixels; unknown keys are kept for people's notes
// (a "note" per mask, say) and written back unchanged. Every write replaces
// the file atomically, so an interrupted accept never leaves half a PNG.
class ReferenceStore
{
public:
    explicit ReferenceStore(const QString &dir);

    // Where the references of `testName` defined in `sourceFile` live.
    static QString dirFor(const QString &sourceFile, const QString &testName);

    QString dir() const { return m_dir; }
    QStringList names() const; // of the PNGs present, sorted
    // The reference NAME (hasImage false when it has no PNG yet). Bad JSON
    // gives nullopt and an error naming the file and what is wrong.
    std::optional<Reference> load(const QString &name, QString *error) const;
    // Makes the PNG at `screenshot` the reference NAME; masks and tolerance
    // already set for NAME stay.
    bool accept(const QString &name, const QString &screenshot, QString *error);
    // Writes NAME.json with the reference's masks and tolerance.
    bool saveSettings(const Reference &reference, QString *error);

private:
    QString m_dir;
};

} // namespace nixtide
