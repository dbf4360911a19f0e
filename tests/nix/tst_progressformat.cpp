// Headless progress output and Nix's internal-json stream read into a
// progress model, from recorded Nix 2.8 lines (no Nix needed).
#include "core/nix/nixlog.h"
#include "core/nix/progressformat.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace nixtide;

class TestProgressFormat : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parserAndFormatter()
    {
        NixLogParser parser;
        QList<NixProgress> seen;
        QStringList logs;
        parser.onProgress = [&seen](const NixProgress &p) { seen.append(p); };
        parser.onLogLine
            = [&logs](const QString &d, const QString &l) { logs.append(d + u'|' + l); };
        const char *const stream[] = {
            "@nix {\"action\":\"start\",\"id\":1,\"level\":0,\"text\":\"\",\"type\":104}",
            "@nix {\"action\":\"result\",\"fields\":[0,2,0,0],\"id\":1,\"type\":105}",
            "@nix "
            "{\"action\":\"start\",\"fields\":[\"/nix/store/"
            "7rkm8wr4wgrsppf3s7f955x1vipa63b4-t-driver.drv\",\"\",1,1],\"id\":2,\"level\":3,"
            "\"text\":\"building\",\"type\":105}",
            "@nix {\"action\":\"result\",\"fields\":[0,2,1,0],\"id\":1,\"type\":105}",
            "@nix "
            "{\"action\":\"result\",\"fields\":[\"\\u001b[1mhello\\u001b[0m\"],\"id\":2,\"type\":"
            "101}",
            "@nix {\"action\":\"result\",\"fields\":[1,2,0,0],\"id\":1,\"type\":105}",
            "@nix "
            "{\"action\":\"msg\",\"column\":null,\"file\":null,\"level\":0,\"line\":null,\"msg\":"
            "\"error: x\",\"raw_msg\":\"builder for "
            "'/nix/store/7rkm8wr4wgrsppf3s7f955x1vipa63b4-t-driver.drv' failed with exit code 2\"}",
            "@nix {\"action\":\"msg\",\"level\":0,\"msg\":\"(use '--show-trace' to show detailed "
            "location information)\"}",
            "not json at all",
        };
        for (const char *line : stream)
            parser.feed(QByteArray(line));
        QCOMPARE(seen.size(), 4);
        QCOMPARE(seen.at(1).current, QStringLiteral("t-driver"));
        QCOMPARE(seen.last().done, 1);
        QCOMPARE(seen.last().expected, 2);
        QCOMPARE(logs, QStringList {QStringLiteral("t-driver|hello")});
        const NixError e = parser.error();
        QCOMPARE(e.kind, NixError::Kind::Build);
        QCOMPARE(e.logTail, QStringList {QStringLiteral("hello")});
        QCOMPARE(e.message, QStringLiteral("building t-driver failed with exit code 2"));

        ProgressFormatter plain(ProgressFormatter::Mode::Plain);
        QCOMPARE(plain.progress(seen.at(2)),
            QStringLiteral("[0/2 built, 1 running] building t-driver\n"));
        QCOMPARE(plain.progress(seen.at(2)), QString()); // unchanged: nothing new to say
        ProgressFormatter term(ProgressFormatter::Mode::Terminal);
        QCOMPARE(term.progress(seen.last()), QStringLiteral("\r\x1b[K[1/2 built]"));
        QCOMPARE(term.logLine(QStringLiteral("t-driver"), QStringLiteral("x")),
            QStringLiteral("\r\x1b[Kt-driver> x\n"));
        ProgressFormatter json(ProgressFormatter::Mode::Json);
        const QJsonObject o = QJsonDocument::fromJson(json.progress(seen.last()).toUtf8()).object();
        QCOMPARE(o.value(QStringLiteral("event")).toString(), QStringLiteral("progress"));
        QCOMPARE(o.value(QStringLiteral("done")).toInt(), 1);
        NixBuildResult r;
        r.error = e;
        const QJsonObject f = QJsonDocument::fromJson(json.finished(r).toUtf8()).object();
        QCOMPARE(
            f.value(QStringLiteral("error")).toObject().value(QStringLiteral("kind")).toString(),
            QStringLiteral("build"));
        QVERIFY(!ProgressFormatter::parseMode(QStringLiteral("fancy"), stdout));
    }
};

QTEST_GUILESS_MAIN(TestProgressFormat)
#include "tst_progressformat.moc"
