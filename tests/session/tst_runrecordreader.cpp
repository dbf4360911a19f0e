#include "core/session/runrecordreader.h"

#include <QTest>

using namespace nixtide;

namespace {

// JSON lines written with ' for " to stay readable.
QByteArray quoted(const char *lines)
{
    return QByteArray(lines).replace('\'', '"');
}

} // namespace

class TestRunRecordReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void stepsNestOcrAndScreenshots()
    {
        const QByteArray log = quoted(
            "{'event':'nixtide/machines','body':{'machines':[]}}\n"
            "{'event':'nixtide/logBegin','body':{'id':4,'message':'start all "
            "VLans','path':'/t.nix','line':7}}\n"
            "{'event':'nixtide/"
            "log','body':{'parentId':4,'machine':'m','message':'booting','level':'info'}}\n"
            "{'event':'nixtide/ocr','body':{'parentId':4,'machine':'m','image':'/d/"
            "o.png','texts':['login'],'seconds':0.5,'line':9},'copy':'/r/ocr/o.png'}\n"
            "{'event':'nixtide/logEnd','body':{'id':4,'durationSeconds':2.5,'failed':true}}\n"
            "{'event':'nixtide/screenshot','body':{'machine':'m','path':'/d/"
            "s.png','failure':true,'step':'boom','scriptPath':'/t.nix','line':12},'copy':'/r/"
            "screenshots/m-s.png'}\n"
            "{'event':'output','category':'stdout','output':'x'}\n");
        const RecordedLog read = RunRecordReader::parse(log, QStringLiteral("log.jsonl"));
        QVERIFY(read.warnings.isEmpty());
        QCOMPARE(read.entries.size(), 4);

        const RecordedEntry &vlans = read.entries[0];
        QCOMPARE(vlans.kind, RecordedEntry::Kind::Step);
        QCOMPARE(vlans.id, 4);
        QVERIFY(vlans.nested);
        QVERIFY(!vlans.parentId);
        QCOMPARE(vlans.depth, 0);
        QCOMPARE(vlans.message, QStringLiteral("start all VLans"));
        QCOMPARE(vlans.path, QStringLiteral("/t.nix"));
        QCOMPARE(vlans.line, 7);
        QVERIFY(vlans.hasLine);
        // Its end, two lines later, is folded in.
        QCOMPARE(vlans.durationSeconds, 2.5);
        QVERIFY(vlans.failed);

        const RecordedEntry &booting = read.entries[1];
        QCOMPARE(booting.kind, RecordedEntry::Kind::Step);
        QCOMPARE(booting.parentId, std::optional<int>(4));
        QCOMPARE(booting.depth, 1);
        QCOMPARE(booting.machine, QStringLiteral("m"));
        QVERIFY(!booting.hasLine);
        QCOMPARE(booting.durationSeconds, -1.0);

        const RecordedEntry &ocr = read.entries[2];
        QCOMPARE(ocr.kind, RecordedEntry::Kind::Ocr);
        QVERIFY(ocr.ocr);
        QCOMPARE(ocr.ocr->image, QStringLiteral("/d/o.png"));
        QCOMPARE(ocr.copy, QStringLiteral("/r/ocr/o.png"));
        QCOMPARE(ocr.depth, 1);
        QCOMPARE(ocr.line, 9);
        QCOMPARE(ocr.durationSeconds, 0.5);
        QCOMPARE(ocr.message, ocr.ocr->summary());

        const RecordedEntry &shot = read.entries[3];
        QCOMPARE(shot.kind, RecordedEntry::Kind::Screenshot);
        QCOMPARE(shot.copy, QStringLiteral("/r/screenshots/m-s.png"));
        QVERIFY(shot.failure);
        QCOMPARE(shot.message, QStringLiteral("boom"));
        QCOMPARE(shot.path, QStringLiteral("/t.nix"));
        QCOMPARE(shot.line, 12);
    }

    // A garbage line is named (file and line number) and skipped; the
    // last line, cut short by a crash or still being written, is skipped
    // without a word; the lines around both are read.
    void garbageNamedTruncatedLastSkipped()
    {
        const QByteArray log = quoted("{'event':'nixtide/log','body':{'message':'one'}}\n"
                                      "not json at all\n"
                                      "{'event':'nixtide/log','body':{'message':'two'}}\n"
                                      "{'event':'nixtide/logBegin','body':{'id':1,'mess");
        const RecordedLog read = RunRecordReader::parse(log, QStringLiteral("/r/log.jsonl"));
        QCOMPARE(read.warnings,
            QStringList {QStringLiteral("/r/log.jsonl:2: not a JSON object, skipped")});
        QCOMPARE(read.entries.size(), 2);
        QCOMPARE(read.entries[0].message, QStringLiteral("one"));
        QCOMPARE(read.entries[1].message, QStringLiteral("two"));

        // The same garbage as the last whole line is named.
        const RecordedLog ended = RunRecordReader::parse("not json\n", QStringLiteral("l"));
        QCOMPARE(ended.warnings, QStringList {QStringLiteral("l:1: not a JSON object, skipped")});
    }

    void missingLogIsEmpty()
    {
        const RecordedLog read = RunRecordReader::read(QStringLiteral("/nonexistent/run"));
        QVERIFY(read.entries.isEmpty());
        QVERIFY(read.warnings.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestRunRecordReader)
#include "tst_runrecordreader.moc"
