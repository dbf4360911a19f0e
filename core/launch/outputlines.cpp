#include "core/launch/outputlines.h"

namespace nixtide {

namespace {
constexpr int kRecentLines = 200;
}

QStringList OutputLines::take(QProcess::ProcessChannel channel, const QByteArray &bytes, bool flush)
{
    QByteArray &partial = m_partial[channel == QProcess::StandardOutput ? 0 : 1];
    partial += bytes;
    if (flush && !partial.isEmpty() && !partial.endsWith('\n'))
        partial += '\n';
    QStringList lines;
    qsizetype start = 0;
    qsizetype newline;
    while ((newline = partial.indexOf('\n', start)) >= 0) {
        qsizetype end = newline;
        if (end > start && partial.at(end - 1) == '\r')
            --end;
        lines.append(QString::fromUtf8(partial.constData() + start, end - start));
        start = newline + 1;
    }
    partial.remove(0, start);
    return lines;
}

void OutputLines::remember(const QString &line)
{
    m_recent.append(line);
    if (m_recent.size() > kRecentLines)
        m_recent.removeFirst();
}

} // namespace nixtide
