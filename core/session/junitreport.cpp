#include "core/session/junitreport.h"

#include <QHash>
#include <QSaveFile>
#include <QXmlStreamWriter>

#include <algorithm>

namespace nixtide {

namespace {

const QString kMain = QStringLiteral("main");

struct Case
{
    explicit Case(const QString &caseName)
        : name(caseName)
    { }

    QString name;
    double seconds = 0;
    double nestedSeconds = 0;
    bool failed = false;
    QString out;
    QString err;
};

QString lineOf(const LogEntry &entry)
{
    return entry.machine.isEmpty()
        ? entry.message + QLatin1Char('\n')
        : entry.machine + QStringLiteral(": ") + entry.message + QLatin1Char('\n');
}

// XML 1.0 has no place for most control characters (serial output and
// colour codes bring them): they would make the file unreadable.
QString xmlSafe(const QString &text)
{
    QString safe;
    safe.reserve(text.size());
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u >= 0x20 || u == u'\n' || u == u'\t' || u == u'\r')
            safe.append(c);
    }
    return safe;
}

} // namespace

QByteArray JunitReport::toXml(const QList<LogEntry> &log, const Outcome &outcome)
{
    QHash<int, int> indexOf; // entry id -> index in log
    for (int i = 0; i < log.size(); ++i)
        if (log.at(i).nested)
            indexOf.insert(log.at(i).id, i);
    auto enclosingSubtest = [&](const LogEntry &entry) -> const LogEntry * {
        int parent = entry.parentId;
        for (int depth = 0; parent != 0 && depth < 64; ++depth) {
            const int index = indexOf.value(parent, -1);
            if (index < 0)
                return nullptr;
            if (log.at(index).subtest)
                return &log.at(index);
            parent = log.at(index).parentId;
        }
        return nullptr;
    };

    QList<Case> cases;
    QHash<QString, int> caseOf; // subtest name -> index in cases (upstream merges by name)
    Case main(kMain);
    QString suiteOut;
    QString suiteErr;
    for (const LogEntry &entry : log) {
        if (entry.subtest && !caseOf.contains(entry.message)) {
            caseOf.insert(entry.message, int(cases.size()));
            cases.append(Case(entry.message));
        }
        const LogEntry *owner = entry.subtest ? &entry : enclosingSubtest(entry);
        Case &target = owner ? cases[caseOf.value(owner->message)] : main;
        const bool error = !entry.nested && entry.level == QLatin1String("error");
        (error ? target.err : target.out) += lineOf(entry);
        (error ? suiteErr : suiteOut) += lineOf(entry);
        if (!entry.subtest)
            continue;
        // A subtest still running when the driver ended did not pass.
        const double seconds = entry.durationSeconds < 0 ? 0 : entry.durationSeconds;
        target.seconds += seconds;
        target.failed = target.failed || entry.failed || entry.durationSeconds < 0;
        if (const LogEntry *outer = enclosingSubtest(entry))
            cases[caseOf.value(outer->message)].nestedSeconds += seconds;
    }
    if (!outcome.passed
        && std::none_of(cases.cbegin(), cases.cend(), [](const Case &c) { return c.failed; }))
        main.failed = true;
    if (cases.isEmpty() || main.failed) {
        if (cases.isEmpty())
            main.seconds = outcome.durationSeconds;
        cases.append(main);
    }

    int failures = 0;
    double total = 0;
    for (const Case &c : std::as_const(cases)) {
        failures += c.failed ? 1 : 0;
        total += c.seconds - c.nestedSeconds;
    }
    const QString failureMessage = outcome.failure.isEmpty()
        ? QStringLiteral("test case failed")
        : outcome.failure.section(QLatin1Char('\n'), 0, 0);

    QByteArray xml;
    QXmlStreamWriter w(&xml);
    w.setAutoFormatting(true);
    w.writeStartDocument();
    auto counts = [&] {
        w.writeAttribute(QStringLiteral("disabled"), QStringLiteral("0"));
        w.writeAttribute(QStringLiteral("errors"), QStringLiteral("0"));
        w.writeAttribute(QStringLiteral("failures"), QString::number(failures));
        w.writeAttribute(QStringLiteral("tests"), QString::number(cases.size()));
        w.writeAttribute(QStringLiteral("time"), QString::number(total, 'f', 6));
    };
    w.writeStartElement(QStringLiteral("testsuites"));
    counts();
    w.writeStartElement(QStringLiteral("testsuite"));
    w.writeAttribute(QStringLiteral("name"), QStringLiteral("NixOS integration test"));
    counts();
    w.writeAttribute(QStringLiteral("skipped"), QStringLiteral("0"));
    for (const Case &c : std::as_const(cases)) {
        w.writeStartElement(QStringLiteral("testcase"));
        w.writeAttribute(QStringLiteral("name"), xmlSafe(c.name));
        w.writeAttribute(
            QStringLiteral("time"), QString::number(c.seconds - c.nestedSeconds, 'f', 6));
        if (c.failed) {
            w.writeStartElement(QStringLiteral("failure"));
            w.writeAttribute(QStringLiteral("type"), QStringLiteral("failure"));
            w.writeAttribute(QStringLiteral("message"), xmlSafe(failureMessage));
            w.writeCharacters(xmlSafe(outcome.failure));
            w.writeEndElement();
        }
        w.writeTextElement(QStringLiteral("system-out"), xmlSafe(c.out));
        w.writeTextElement(QStringLiteral("system-err"), xmlSafe(c.err));
        w.writeEndElement();
    }
    w.writeTextElement(QStringLiteral("system-out"), xmlSafe(suiteOut));
    w.writeTextElement(QStringLiteral("system-err"), xmlSafe(suiteErr));
    w.writeEndElement();
    w.writeEndElement();
    w.writeEndDocument();
    return xml;
}

bool JunitReport::write(
    const QString &path, const QList<LogEntry> &log, const Outcome &outcome, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(toXml(log, outcome)) < 0 || !file.commit()) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace nixtide
