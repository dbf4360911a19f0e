#include "core/nix/progressformat.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <unistd.h>

namespace nixtide {

namespace {

QString jsonLine(QJsonObject o, const char *event)
{
    o.insert(QStringLiteral("event"), QString::fromLatin1(event));
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)) + u'\n';
}

} // namespace

std::optional<ProgressFormatter::Mode> ProgressFormatter::parseMode(const QString &name, FILE *out)
{
    if (name.isEmpty() || name == QLatin1StringView("auto"))
        return ::isatty(::fileno(out)) ? Mode::Terminal : Mode::Plain;
    if (name == QLatin1StringView("plain"))
        return Mode::Plain;
    if (name == QLatin1StringView("json"))
        return Mode::Json;
    if (name == QLatin1StringView("terminal"))
        return Mode::Terminal;
    return std::nullopt;
}

QString ProgressFormatter::summary(const NixProgress &p)
{
    QString s = QStringLiteral("[%1/%2 built").arg(p.done).arg(p.expected);
    if (p.running > 0)
        s += QStringLiteral(", %1 running").arg(p.running);
    if (p.failed > 0)
        s += QStringLiteral(", %1 failed").arg(p.failed);
    if (p.downloadsExpected > 0)
        s += QStringLiteral(", %1/%2 downloaded").arg(p.downloadsDone).arg(p.downloadsExpected);
    if (p.bytesExpected > 0)
        s += QStringLiteral(", %1/%2 MiB")
                 .arg(double(p.bytesDone) / 1048576.0, 0, 'f', 1)
                 .arg(double(p.bytesExpected) / 1048576.0, 0, 'f', 1);
    s += u']';
    if (!p.current.isEmpty() && p.running > 0)
        s += QStringLiteral(" building ") + p.current;
    if (!p.phase.isEmpty() && p.running > 0)
        s += QStringLiteral(" (") + p.phase + u')';
    return s;
}

QString ProgressFormatter::clearLine() const
{
    return m_lineOpen ? QStringLiteral("\r\x1b[K") : QString();
}

QString ProgressFormatter::progress(const NixProgress &p)
{
    switch (m_mode) {
    case Mode::Json:
        return jsonLine(p.toJson(), "progress");
    case Mode::Terminal: {
        const QString out = QStringLiteral("\r\x1b[K") + summary(p);
        m_lineOpen = true;
        return out;
    }
    case Mode::Plain: {
        const QString s = summary(p);
        if (s == m_lastPlain)
            return {};
        m_lastPlain = s;
        return s + u'\n';
    }
    }
    return {};
}

QString ProgressFormatter::logLine(const QString &derivation, const QString &line)
{
    if (m_mode == Mode::Json)
        return jsonLine(
            {{QStringLiteral("derivation"), derivation}, {QStringLiteral("line"), line}}, "log");
    // The terminal's progress line is redrawn by the next progress event.
    const QString out = clearLine() + derivation + QStringLiteral("> ") + line + u'\n';
    m_lineOpen = false;
    return out;
}

QString ProgressFormatter::finished(const NixBuildResult &r)
{
    if (m_mode == Mode::Json) {
        QJsonObject o {{QStringLiteral("ok"), r.ok}, {QStringLiteral("outPath"), r.outPath},
            {QStringLiteral("elapsedMs"), r.elapsedMs}};
        if (!r.ok)
            o.insert(QStringLiteral("error"), r.error.toJson());
        return jsonLine(o, "finished");
    }
    QString out = clearLine();
    m_lineOpen = false;
    if (r.ok)
        return out
            + QStringLiteral("built %1 in %2 s\n")
                  .arg(r.outPath)
                  .arg(double(r.elapsedMs) / 1000.0, 0, 'f', 1);
    return out + r.error.toText() + u'\n';
}

void ProgressFormatter::attach(NixBuild *build, FILE *out, bool showLogs)
{
    const auto write = [out](const QString &text) {
        if (text.isEmpty())
            return;
        std::fputs(text.toUtf8().constData(), out);
        std::fflush(out);
    };
    QObject::connect(build, &NixBuild::progress, build,
        [this, write](const NixProgress &p) { write(progress(p)); });
    if (showLogs) {
        QObject::connect(build, &NixBuild::buildLogLine, build,
            [this, write](const QString &d, const QString &l) { write(logLine(d, l)); });
    }
    QObject::connect(build, &NixBuild::finished, build,
        [this, write](const NixBuildResult &r) { write(finished(r)); });
}

} // namespace nixtide
