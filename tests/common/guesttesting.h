#pragma once

// Helpers shared by the suites that drive a real demo guest through a
// DebugSession and the widgets that show it.
#include "core/session/debugsession.h"
#include "core/session/testresolver.h"

#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <memory>

namespace nixtide::testing {

// 1-based number of the first line of `path` containing `needle`, or 0.
inline int lineContaining(const QString &path, const QString &needle)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (int i = 0; i < lines.size(); ++i) {
        if (lines.at(i).contains(needle.toUtf8()))
            return i + 1;
    }
    return 0;
}

// Builds `test` with real Nix through TestResolver (spinning the event
// loop); an empty plan, with Nix's message logged, when it fails.
inline LaunchPlan resolveLaunchPlan(const QString &test, const QString &attribute)
{
    TestResolver resolver;
    QSignalSpy resolved(&resolver, &TestResolver::resolved);
    QSignalSpy failed(&resolver, &TestResolver::failed);
    resolver.start(test, attribute);
    QElapsedTimer t;
    t.start();
    while (resolved.isEmpty() && failed.isEmpty() && t.elapsed() < 240000)
        QTest::qWait(50);
    if (!failed.isEmpty())
        qWarning() << "resolving failed:" << failed.at(0).at(1).toString();
    return resolved.isEmpty() ? LaunchPlan() : resolved.at(0).at(0).value<LaunchPlan>();
}

// QEMU processes whose command line mentions `dir` (a run's private dir).
inline QStringList qemuUnder(const QString &dir)
{
    QProcess pgrep;
    pgrep.start(QStringLiteral("pgrep"), {QStringLiteral("-a"), QStringLiteral("qemu-system")});
    pgrep.waitForFinished();
    QStringList found;
    for (const QString &line :
        QString::fromUtf8(pgrep.readAllStandardOutput()).split(QLatin1Char('\n'))) {
        if (!dir.isEmpty() && line.contains(dir))
            found.append(line);
    }
    return found;
}

// A blank (single-colour) frame has 1; any text on screen gives more.
inline int distinctColours(const QImage &image)
{
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 2) {
        for (int x = 0; x < image.width(); x += 2)
            colours.insert(image.pixel(x, y));
    }
    return int(colours.size());
}

// The result of `expression` evaluated in the stopped test, or the error.
// The callback owns its state: an answer arriving after the timeout must not
// write into this function's finished stack frame.
inline QString evaluate(DebugSession &session, const QString &expression, bool *ok)
{
    struct Answer
    {
        bool done = false;
        bool ok = false;
        QString value;
    };
    const auto answer = std::make_shared<Answer>();
    session.evaluate(
        expression, 0, [answer](bool success, const EvaluateResult &result, const QString &e) {
            answer->done = true;
            answer->ok = success;
            answer->value = success ? result.result : e;
        });
    QElapsedTimer t;
    t.start();
    while (!answer->done && t.elapsed() < 60000)
        QTest::qWait(20);
    *ok = answer->done && answer->ok;
    return answer->value;
}

// Polls the guest `machine` until `path` holds `text` (a shell may take a
// moment to run what was typed into it).
inline bool guestFileHolds(DebugSession &session, const QString &path, const QString &text,
    const QString &machine = QStringLiteral("machine"))
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 60000) {
        bool ok = false;
        const QString value = evaluate(session,
            QStringLiteral("%1.execute(\"cat %2 2>/dev/null\")[1]").arg(machine, path), &ok);
        if (ok && value.contains(text))
            return true;
        QTest::qWait(500);
    }
    return false;
}

} // namespace nixtide::testing
