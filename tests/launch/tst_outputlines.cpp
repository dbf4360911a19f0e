// The driver's output as lines, as both runners (local and SSH) read it:
// lines split across reads, CRLF, a last line without a newline when the
// process ends, and a bounded memory of recent lines.
#include "core/launch/outputlines.h"

#include <QTest>

using namespace nixtide;

class TestOutputLines : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void linesSplitAcrossReads()
    {
        OutputLines out;
        QCOMPARE(out.take(QProcess::StandardOutput, "sta", false), QStringList());
        // The other channel's partial line is its own.
        QCOMPARE(out.take(QProcess::StandardError, "err", false), QStringList());
        QCOMPARE(out.take(QProcess::StandardOutput, "rting vm\r\nwaiting\n\nbo", false),
            (QStringList {QStringLiteral("starting vm"), QStringLiteral("waiting"), QString()}));
        QCOMPARE(out.take(QProcess::StandardError, "or\n", false),
            QStringList {QStringLiteral("error")});
        QCOMPARE(out.take(QProcess::StandardOutput, "ot \xc3\xa9", true),
            QStringList {QStringLiteral("boot é")});
        QCOMPARE(out.take(QProcess::StandardOutput, QByteArray(), true), QStringList());
    }

    void recentLinesAreBounded()
    {
        OutputLines out;
        for (int i = 0; i < 250; ++i)
            out.remember(QString::number(i));
        const QStringList recent = out.recent().split(QLatin1Char('\n'));
        QCOMPARE(recent.size(), 200);
        QCOMPARE(recent.first(), QStringLiteral("50"));
        QCOMPARE(recent.last(), QStringLiteral("249"));
    }
};

QTEST_GUILESS_MAIN(TestOutputLines)
#include "tst_outputlines.moc"
