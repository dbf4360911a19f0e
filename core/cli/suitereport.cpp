#include "core/cli/suitereport.h"

#include <QRegularExpression>
#include <QSaveFile>
#include <QXmlStreamWriter>

namespace nixtide::cli {

namespace {

QString plain(QString text)
{
    static const QRegularExpression ansi(QStringLiteral("\x1b\\[[0-9;]*[A-Za-z]"));
    text.remove(ansi);
    // XML 1.0 has no place for most control characters (serial output).
    QString safe;
    safe.reserve(text.size());
    for (const QChar c : std::as_const(text)) {
        const char16_t u = c.unicode();
        if (u >= 0x20 || u == u'\n' || u == u'\t')
            safe.append(c);
    }
    return safe;
}

} // namespace

QStringList SuiteReport::failureLines(const QString &log, int tailLines)
{
    const QStringList lines = plain(log).split(u'\n');
    QStringList report;
    for (const QString &line : lines) {
        const int mark = int(line.indexOf(QLatin1StringView("!!! ")));
        if (mark >= 0)
            report.append(line.mid(mark + 4));
    }
    while (!report.isEmpty() && report.last().trimmed().isEmpty())
        report.removeLast();
    if (!report.isEmpty())
        return report;
    QStringList tail = lines;
    while (!tail.isEmpty() && tail.last().trimmed().isEmpty())
        tail.removeLast();
    return tail.mid(std::max<qsizetype>(0, tail.size() - tailLines));
}

QByteArray SuiteReport::toXml(const QList<Entry> &entries, double wallSeconds)
{
    int failures = 0;
    int errors = 0;
    for (const Entry &e : entries) {
        using S = SuiteTestState::State;
        if (e.state.state == S::Failed || e.state.state == S::DependencyFailed)
            ++failures;
        else if (e.state.state != S::Passed)
            ++errors;
    }
    QByteArray xml;
    QXmlStreamWriter w(&xml);
    w.setAutoFormatting(true);
    w.writeStartDocument();
    w.writeStartElement(QStringLiteral("testsuites"));
    w.writeStartElement(QStringLiteral("testsuite"));
    w.writeAttribute(QStringLiteral("name"), QStringLiteral("nixtide run-all"));
    w.writeAttribute(QStringLiteral("tests"), QString::number(entries.size()));
    w.writeAttribute(QStringLiteral("failures"), QString::number(failures));
    w.writeAttribute(QStringLiteral("errors"), QString::number(errors));
    w.writeAttribute(QStringLiteral("time"), QString::number(wallSeconds, 'f', 3));
    for (const Entry &e : entries) {
        using S = SuiteTestState::State;
        w.writeStartElement(QStringLiteral("testcase"));
        w.writeAttribute(QStringLiteral("name"), e.test.name);
        w.writeAttribute(QStringLiteral("classname"), e.test.ref.toString());
        w.writeAttribute(QStringLiteral("time"), QString::number(e.state.seconds(), 'f', 3));
        const QStringList report = failureLines(e.log);
        if (e.state.state == S::Failed || e.state.state == S::DependencyFailed) {
            w.writeStartElement(QStringLiteral("failure"));
            // The last `!!!` line is the exception, the one that says what failed.
            const QString reason
                = e.log.isEmpty() || report.isEmpty() ? e.state.message : report.last().trimmed();
            w.writeAttribute(QStringLiteral("message"), plain(reason));
            w.writeAttribute(QStringLiteral("type"), SuiteTestState::name(e.state.state));
            w.writeCharacters(plain(e.state.message + u'\n' + report.join(u'\n')));
            w.writeEndElement();
        } else if (e.state.state != S::Passed) {
            w.writeStartElement(QStringLiteral("error"));
            w.writeAttribute(QStringLiteral("message"), plain(e.state.message));
            w.writeAttribute(QStringLiteral("type"), SuiteTestState::name(e.state.state));
            w.writeEndElement();
        } else if (e.state.cached) {
            w.writeTextElement(QStringLiteral("system-out"),
                QStringLiteral("passed in an earlier build: %1 is in the store\n")
                    .arg(e.test.outPath));
        }
        if (!e.log.isEmpty())
            w.writeTextElement(QStringLiteral("system-out"), plain(e.log));
        w.writeEndElement();
    }
    w.writeEndElement();
    w.writeEndElement();
    w.writeEndDocument();
    return xml;
}

bool SuiteReport::write(
    const QString &path, const QList<Entry> &entries, double wallSeconds, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(toXml(entries, wallSeconds)) < 0
        || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace nixtide::cli
