#include "core/review/htmlreport.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>

namespace nixtide {

namespace {

QString escaped(const QString &text)
{
    return text.toHtmlEscaped();
}

bool copyInto(const QString &from, const QString &to, QString *error)
{
    QFile::remove(to);
    if (!QFile::copy(from, to)) {
        *error = QStringLiteral("cannot copy %1 to %2").arg(from, to);
        return false;
    }
    return true;
}

QString figure(const QString &file, const QString &caption)
{
    return QStringLiteral("<figure><a href=\"%1\"><img src=\"%1\" alt=\"%2\"></a>"
                          "<figcaption>%2</figcaption></figure>")
        .arg(escaped(file), escaped(caption));
}

} // namespace

bool writeHtmlReport(const QString &dir, const RunInfo &run,
    const QList<ScreenshotVerdict> &verdicts, QString *error)
{
    if (!QDir().mkpath(dir)) {
        *error = QStringLiteral("cannot create %1").arg(dir);
        return false;
    }
    QString rows;
    for (const ScreenshotVerdict &v : verdicts) {
        const QString kind = ScreenshotVerdict::kindName(v.kind);
        QString images;
        if (v.kind != ScreenshotVerdict::Kind::Match) {
            if (v.shot) {
                const QString file = v.name + QStringLiteral(".run.png");
                if (!copyInto(v.shot->path, dir + QLatin1Char('/') + file, error))
                    return false;
                images += figure(file, QStringLiteral("this run"));
            }
            if (v.reference.hasImage) {
                const QString file = v.name + QStringLiteral(".reference.png");
                if (!copyInto(v.reference.imagePath, dir + QLatin1Char('/') + file, error))
                    return false;
                images += figure(file, QStringLiteral("reference"));
            }
            if (!v.comparison.difference.isNull()) {
                const QString file = v.name + QStringLiteral(".difference.png");
                if (!v.comparison.difference.save(dir + QLatin1Char('/') + file, "PNG")) {
                    *error = QStringLiteral("cannot write %1/%2").arg(dir, file);
                    return false;
                }
                images += figure(file, QStringLiteral("difference (red), masks (blue)"));
            }
        }
        QString where;
        if (v.shot && v.shot->line > 0)
            where = QStringLiteral("%1:%2 — %3")
                        .arg(v.shot->scriptPath)
                        .arg(v.shot->line)
                        .arg(v.shot->step);
        rows += QStringLiteral(
            "<tr class=\"%1\"><td>%1</td><td>%2</td><td>%3</td><td>%4</td></tr>\n")
                    .arg(kind, escaped(v.name), escaped(v.detail()), escaped(where));
        if (!images.isEmpty())
            rows += QStringLiteral("<tr><td colspan=\"4\">%1</td></tr>\n").arg(images);
    }
    const QString html = QStringLiteral(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Screenshots of %1</title>\n"
        "<style>body{font-family:sans-serif}td{padding:2px 8px;vertical-align:top}"
        "tr.differs td:first-child,tr.missing td:first-child{color:#b00;font-weight:bold}"
        "tr.match td:first-child{color:#070}figure{display:inline-block;margin:4px}"
        "img{max-width:420px;border:1px solid #888}</style></head>\n<body>\n"
        "<h1>Screenshots of %1</h1>\n<p>Run %2, %3, started %4; source %5</p>\n"
        "<table>\n<tr><th>verdict</th><th>name</th><th>detail</th><th>taken at</th></tr>\n"
        "%6</table>\n</body></html>\n")
                             .arg(escaped(run.test), escaped(run.dir), escaped(run.status),
                                 escaped(run.startedAt.toString(Qt::ISODate)), escaped(run.source),
                                 rows);
    QSaveFile file(dir + QStringLiteral("/index.html"));
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString());
        return false;
    }
    file.write(html.toUtf8());
    if (!file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString());
        return false;
    }
    return true;
}

} // namespace nixtide
