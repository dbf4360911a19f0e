#include "core/review/screenshotreview.h"

#include <QImage>
#include <QImageReader>
#include <QSet>

namespace nixtide {

namespace {

std::optional<QImage> readImage(const QString &path, QString *error)
{
    QImageReader reader(path);
    QImage image = reader.read();
    if (image.isNull()) {
        *error = QStringLiteral("cannot read the image %1: %2").arg(path, reader.errorString());
        return std::nullopt;
    }
    return image;
}

QString sizeText(const QSize &size)
{
    return QStringLiteral("%1x%2").arg(size.width()).arg(size.height());
}

} // namespace

QString ScreenshotVerdict::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Match:
        return QStringLiteral("match");
    case Kind::Differs:
        return QStringLiteral("differs");
    case Kind::New:
        return QStringLiteral("new");
    case Kind::Missing:
        return QStringLiteral("missing");
    }
    return {};
}

QString ScreenshotVerdict::describe() const
{
    return QStringLiteral("%1 %2  %3").arg(kindName(kind).leftJustified(8), name, detail());
}

QString ScreenshotVerdict::detail() const
{
    QString detail;
    const Comparison &c = comparison;
    switch (kind) {
    case Kind::Match:
    case Kind::Differs:
        if (c.verdict == Comparison::Verdict::SizeMismatch) {
            detail = QStringLiteral("size differs: run %1, reference %2")
                         .arg(sizeText(c.runSize), sizeText(c.referenceSize));
            break;
        }
        detail = QStringLiteral("%1% %2 %3% tolerance (%4 of %5 pixels differ")
                     .arg(QString::number(c.scorePercent, 'f', 4),
                         kind == Kind::Match ? QStringLiteral("<=") : QStringLiteral(">"),
                         QString::number(c.tolerancePercent, 'f', 4))
                     .arg(c.differingPixels)
                     .arg(c.comparedPixels);
        if (!c.differingBounds.isEmpty())
            detail += QStringLiteral(", within %1,%2 %3")
                          .arg(c.differingBounds.x())
                          .arg(c.differingBounds.y())
                          .arg(sizeText(c.differingBounds.size()));
        if (!reference.masks.isEmpty())
            detail += QStringLiteral("; %1 masked").arg(reference.masks.size());
        detail += QLatin1Char(')');
        break;
    case Kind::New:
        detail = QStringLiteral("no reference in %1").arg(reference.imagePath);
        break;
    case Kind::Missing:
        detail = QStringLiteral("reference %1 not taken by this run").arg(reference.imagePath);
        break;
    }
    return detail;
}

std::optional<Comparison> compareWithReference(
    const QString &shotPath, const Reference &reference, QString *error)
{
    const std::optional<QImage> run = readImage(shotPath, error);
    if (!run)
        return std::nullopt;
    const std::optional<QImage> ref = readImage(reference.imagePath, error);
    if (!ref)
        return std::nullopt;
    return compareScreenshots(*run, *ref, reference.masks, reference.tolerancePercent);
}

std::optional<QList<ScreenshotVerdict>> reviewScreenshots(
    const QList<RunScreenshot> &shots, const ReferenceStore &store, QString *error)
{
    QList<ScreenshotVerdict> verdicts;
    QSet<QString> seen;
    for (const RunScreenshot &shot : shots) {
        const std::optional<Reference> reference = store.load(shot.name, error);
        if (!reference)
            return std::nullopt;
        ScreenshotVerdict verdict;
        verdict.name = shot.name;
        verdict.shot = shot;
        verdict.reference = *reference;
        seen.insert(shot.name);
        if (reference->hasImage) {
            const std::optional<Comparison> comparison
                = compareWithReference(shot.path, *reference, error);
            if (!comparison)
                return std::nullopt;
            verdict.comparison = *comparison;
            verdict.kind = comparison->verdict == Comparison::Verdict::Match
                ? ScreenshotVerdict::Kind::Match
                : ScreenshotVerdict::Kind::Differs;
        }
        verdicts.append(verdict);
    }
    for (const QString &name : store.names()) {
        if (seen.contains(name))
            continue;
        const std::optional<Reference> reference = store.load(name, error);
        if (!reference)
            return std::nullopt;
        ScreenshotVerdict verdict;
        verdict.kind = ScreenshotVerdict::Kind::Missing;
        verdict.name = name;
        verdict.reference = *reference;
        verdicts.append(verdict);
    }
    return verdicts;
}

} // namespace nixtide
