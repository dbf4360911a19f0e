#pragma once

#include <QByteArray>
#include <QProcess>
#include <QStringList>

namespace nixtide {

// A driver's standard output and error as lines, as they arrive (whether the
// driver runs here or its output comes over SSH): bytes are split at '\n'
// with a '\r' before it dropped, and the last lines of both channels are
// kept for the messages that say why a run ended.
class OutputLines
{
public:
    // The lines `bytes` completes on `channel`; with `flush` (the process
    // ended) also the unterminated rest.
    QStringList take(QProcess::ProcessChannel channel, const QByteArray &bytes, bool flush);
    // Keeps `line` among the recent ones (the last 200 of both channels).
    void remember(const QString &line);
    QString recent() const { return m_recent.join(QLatin1Char('\n')); }

private:
    QByteArray m_partial[2];
    QStringList m_recent;
};

} // namespace nixtide
