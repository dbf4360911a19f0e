#include "core/session/ocrattempt.h"

#include <QJsonArray>

namespace nixtide {

OcrAttempt OcrAttempt::fromEvent(const QJsonObject &body)
{
    OcrAttempt attempt;
    attempt.machine = body.value(QStringLiteral("machine")).toString();
    attempt.image = body.value(QStringLiteral("image")).toString();
    for (const QJsonValue &text : body.value(QStringLiteral("texts")).toArray())
        attempt.texts.append(text.toString());
    attempt.seconds = body.value(QStringLiteral("seconds")).toDouble();
    attempt.pattern = body.value(QStringLiteral("pattern")).toString();
    const QJsonValue matched = body.value(QStringLiteral("matched"));
    if (matched.isBool())
        attempt.match = matched.toBool() ? Match::Matched : Match::NotMatched;
    attempt.error = body.value(QStringLiteral("error")).toString();
    return attempt;
}

QString OcrAttempt::summary() const
{
    QString line;
    switch (match) {
    case Match::Matched:
        line = QStringLiteral("OCR: \"%1\" found").arg(pattern);
        break;
    case Match::NotMatched:
        line = QStringLiteral("OCR: \"%1\" not found").arg(pattern);
        break;
    case Match::NoPattern:
        line = QStringLiteral("OCR of the screen");
        break;
    }
    if (!error.isEmpty())
        line += QStringLiteral(" (%1)").arg(error);
    else if (texts.isEmpty())
        line += QStringLiteral(" (no text)");
    return line;
}

QStringList OcrAttempt::distinctLines() const
{
    QStringList lines;
    for (const QString &text : texts) {
        QStringList parts = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        for (QString &part : parts)
            part = part.simplified();
        parts.removeAll(QString());
        const QString line = parts.join(QStringLiteral(" ⏎ "));
        if (!lines.contains(line))
            lines.append(line);
    }
    return lines;
}

} // namespace nixtide
