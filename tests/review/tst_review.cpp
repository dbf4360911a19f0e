// Screenshot review's core: the comparison, the reference folder, reading
// run records, verdicts and the run history, on real files in a temporary
// directory. The runs on a real guest are in tests/cli/test_review.py.
#include "core/review/htmlreport.h"
#include "core/review/referencestore.h"
#include "core/review/runhistory.h"
#include "core/review/runreader.h"
#include "core/review/screenshotcompare.h"
#include "core/review/screenshotreview.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QTemporaryDir>
#include <QtTest>

using namespace nixtide;

namespace {

// A console-like screen: black with a white block where "text" is.
QImage screen(QSize size = {320, 200}, QRect text = {10, 10, 40, 8})
{
    QImage image(size, QImage::Format_RGB32);
    image.fill(Qt::black);
    for (int y = text.top(); y <= text.bottom(); ++y)
        for (int x = text.left(); x <= text.right(); ++x)
            image.setPixel(x, y, qRgb(200, 200, 200));
    return image;
}

void writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly), qPrintable(path));
    file.write(bytes);
}

QByteArray line(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
}

// A run record as DebugSession writes one: result.json, log.jsonl with a
// step at a script line and the driver's screenshot, and `shots` PNGs.
QString makeRun(const QString &base, const QString &test, const QString &stamp,
    const QString &source, const QString &started, const QMap<QString, QImage> &shots)
{
    const QString dir = base + QLatin1Char('/') + test + QLatin1Char('/') + stamp;
    QDir().mkpath(dir + QStringLiteral("/screenshots"));
    writeFile(dir + QStringLiteral("/result.json"),
        QJsonDocument(
            QJsonObject {{QStringLiteral("test"), test}, {QStringLiteral("source"), source},
                {QStringLiteral("status"), QStringLiteral("passed")},
                {QStringLiteral("startedAt"), started}, {QStringLiteral("durationSeconds"), 8.5},
                {QStringLiteral("exitCode"), 0}})
            .toJson());
    QByteArray log;
    int line_ = 20;
    for (auto it = shots.begin(); it != shots.end(); ++it) {
        const QString copy
            = dir + QStringLiteral("/screenshots/") + it.key() + QStringLiteral(".png");
        it.value().save(copy, "PNG");
        log += line({{QStringLiteral("event"), QStringLiteral("nixtide/logBegin")},
            {QStringLiteral("body"),
                QJsonObject {{QStringLiteral("message"),
                                 QStringLiteral("making screenshot %1").arg(it.key())},
                    {QStringLiteral("path"), source}, {QStringLiteral("line"), line_++}}}});
        log += line({{QStringLiteral("event"), QStringLiteral("nixtide/screenshot")},
            {QStringLiteral("body"),
                QJsonObject {{QStringLiteral("machine"), QStringLiteral("machine")},
                    {QStringLiteral("path"), QStringLiteral("/tmp/gone.png")}}},
            {QStringLiteral("copy"), copy}});
    }
    writeFile(dir + QStringLiteral("/log.jsonl"), log);
    return dir;
}

} // namespace

class TestReview : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void identicalScreensMatchWithScoreZero()
    {
        const Comparison c = compareScreenshots(screen(), screen(), {}, 0.01);
        QCOMPARE(c.verdict, Comparison::Verdict::Match);
        QCOMPARE(c.differingPixels, 0);
        QCOMPARE(c.comparedPixels, 320 * 200);
        QCOMPARE(c.difference.size(), QSize(320, 200));
    }

    void changedTextDiffersWithItsScoreAndBounds()
    {
        // 40x8 block moved by 50 px: 2 x 320 pixels change.
        const Comparison c
            = compareScreenshots(screen({320, 200}, {60, 10, 40, 8}), screen(), {}, 0.01);
        QCOMPARE(c.verdict, Comparison::Verdict::Differs);
        QCOMPARE(c.differingPixels, 640);
        QCOMPARE(c.scorePercent, 100.0 * 640 / (320 * 200));
        QCOMPARE(c.differingBounds, QRect(10, 10, 90, 8));
        QCOMPARE(c.difference.pixel(15, 12), qRgb(255, 0, 0));
        QCOMPARE(c.difference.pixel(200, 100), qRgb(0, 0, 0));
        // Above the tolerance only: 1% lets it pass.
        QCOMPARE(compareScreenshots(screen({320, 200}, {60, 10, 40, 8}), screen(), {}, 1.0).verdict,
            Comparison::Verdict::Match);
    }

    void maskedChangeMatchesAndIsNotCompared()
    {
        const QList<QRect> masks {{0, 0, 120, 30}};
        const Comparison c
            = compareScreenshots(screen({320, 200}, {60, 10, 40, 8}), screen(), masks, 0.0);
        QCOMPARE(c.verdict, Comparison::Verdict::Match);
        QCOMPARE(c.differingPixels, 0);
        QCOMPARE(c.comparedPixels, 320 * 200 - 120 * 30);
        // A mask reaching past the edge is clipped, not a crash.
        const Comparison clipped
            = compareScreenshots(screen(), screen(), {{300, 190, 100, 100}}, 0);
        QCOMPARE(clipped.comparedPixels, 320 * 200 - 20 * 10);
    }

    void smallChannelNoiseIsNotADifference()
    {
        QImage noisy = screen();
        noisy.setPixel(5, 5, qRgb(kChannelThreshold, 0, 0));
        noisy.setPixel(6, 5, qRgb(kChannelThreshold + 1, 0, 0));
        QCOMPARE(compareScreenshots(noisy, screen(), {}, 0).differingPixels, 1);
    }

    void sizeMismatchIsReportedNotCrashedOn()
    {
        const Comparison c = compareScreenshots(screen({640, 400}), screen(), {}, 0.01);
        QCOMPARE(c.verdict, Comparison::Verdict::SizeMismatch);
        QCOMPARE(c.runSize, QSize(640, 400));
        QCOMPARE(c.referenceSize, QSize(320, 200));
        QVERIFY(c.difference.isNull());
        QCOMPARE(compareScreenshots(QImage(), screen(), {}, 0).verdict,
            Comparison::Verdict::SizeMismatch);
    }

    void referenceStoreAcceptsAndKeepsMasksAndNotes()
    {
        QTemporaryDir tmp;
        const QString shot = tmp.filePath(QStringLiteral("shot.png"));
        QVERIFY(screen().save(shot, "PNG"));
        const QString dir = ReferenceStore::dirFor(
            tmp.filePath(QStringLiteral("t/my test.nix")), QStringLiteral("my test"));
        QCOMPARE(dir, tmp.filePath(QStringLiteral("t/my_test.screenshots")));
        ReferenceStore store(dir);
        QString error;
        QVERIFY2(store.accept(QStringLiteral("machine-screen"), shot, &error), qPrintable(error));
        QCOMPARE(store.names(), QStringList {QStringLiteral("machine-screen")});
        std::optional<Reference> ref = store.load(QStringLiteral("machine-screen"), &error);
        QVERIFY(ref && ref->hasImage && ref->masks.isEmpty());
        QCOMPARE(ref->tolerancePercent, 0.01);

        writeFile(ref->settingsPath,
            R"({"tolerance": 0.5, "masks": [{"x": 1, "y": 2, "width": 3, "height": 4,)"
            R"( "note": "clock"}], "owner": "qa"})");
        ref = store.load(QStringLiteral("machine-screen"), &error);
        QVERIFY2(ref, qPrintable(error));
        QCOMPARE(ref->tolerancePercent, 0.5);
        QCOMPARE(ref->masks, QList<QRect> {QRect(1, 2, 3, 4)});
        ref->masks.append(QRect(10, 10, 5, 5));
        QVERIFY2(store.saveSettings(*ref, &error), qPrintable(error));
        // Accepting again replaces the image, keeps the settings.
        QVERIFY(store.accept(QStringLiteral("machine-screen"), shot, &error));
        QFile saved(ref->settingsPath);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        const QJsonObject object = QJsonDocument::fromJson(saved.readAll()).object();
        QCOMPARE(object.value(QStringLiteral("owner")).toString(), QStringLiteral("qa"));
        QCOMPARE(object.value(QStringLiteral("masks"))[0][QStringLiteral("note")].toString(),
            QStringLiteral("clock"));
        QCOMPARE(store.load(QStringLiteral("machine-screen"), &error)->masks.size(), 2);
        // Only the PNG and its JSON: no temporary left behind.
        QCOMPARE(QDir(dir).entryList(QDir::Files),
            QStringList(
                {QStringLiteral("machine-screen.json"), QStringLiteral("machine-screen.png")}));
    }

    void badReferenceJsonNamesTheFileAndTheProblem_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("syntax") << QByteArray("{\n  \"tolerance\": 1,\n  masks: []\n}")
                                << QStringLiteral("ref.json:3: ");
        QTest::newRow("not object")
            << QByteArray("[1]") << QStringLiteral("expected a JSON object");
        QTest::newRow("tolerance") << QByteArray(R"({"tolerance": "low"})")
                                   << QStringLiteral("tolerance must be a percentage");
        QTest::newRow("masks") << QByteArray(R"({"masks": {}})")
                               << QStringLiteral("masks must be a list");
        QTest::newRow("width") << QByteArray(
            R"({"masks": [{"x": 0, "y": 0, "width": -5, "height": 2}]})")
                               << QStringLiteral(
                                      "masks[0].width must be a positive integer, not -5");
        QTest::newRow("missing y")
            << QByteArray(R"({"masks": [{"x": 0, "width": 5, "height": 2}]})")
            << QStringLiteral("masks[0].y must be a non-negative integer, not missing");
    }

    void badReferenceJsonNamesTheFileAndTheProblem()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        QTemporaryDir tmp;
        writeFile(tmp.filePath(QStringLiteral("ref.json")), json);
        QString error;
        QVERIFY(!ReferenceStore(tmp.path()).load(QStringLiteral("ref"), &error));
        QVERIFY2(error.contains(tmp.filePath(QStringLiteral("ref.json"))), qPrintable(error));
        QVERIFY2(error.contains(expected), qPrintable(error));
    }

    void runReaderListsScreenshotsWithTheirStepInOrder()
    {
        QTemporaryDir tmp;
        const QString source = tmp.filePath(QStringLiteral("test.nix"));
        const QString run = makeRun(tmp.path(), QStringLiteral("demo"), QStringLiteral("1"), source,
            QStringLiteral("2026-11-30T10:00:00.000Z"),
            {{QStringLiteral("machine-a"), screen()}, {QStringLiteral("machine-b"), screen()}});
        // The IDE's own grab (no log event), taken between the two.
        const QString grab = run + QStringLiteral("/screenshots/machine-1.png");
        QVERIFY(screen().save(grab, "PNG"));
        const QDateTime taken = QDateTime::currentDateTime();
        const QStringList order {
            QStringLiteral("machine-a"), QString(), QStringLiteral("machine-b")};
        for (int i = 0; i < order.size(); ++i) {
            QFile file(order[i].isEmpty()
                    ? grab
                    : run + QStringLiteral("/screenshots/") + order[i] + QStringLiteral(".png"));
            QVERIFY(file.open(QIODevice::ReadWrite));
            QVERIFY(file.setFileTime(taken.addSecs(i), QFileDevice::FileModificationTime));
        }
        // The screenshot taken on a failure names the failing line, not
        // the step the driver opened to take it.
        const QString failure = run + QStringLiteral("/screenshots/machine-failure.png");
        QVERIFY(screen().save(failure, "PNG"));
        QFile log(run + QStringLiteral("/log.jsonl"));
        QVERIFY(log.open(QIODevice::Append));
        log.write(line({{QStringLiteral("event"), QStringLiteral("nixtide/logBegin")},
            {QStringLiteral("body"),
                QJsonObject {{QStringLiteral("message"), QStringLiteral("making screenshot")},
                    {QStringLiteral("path"), source}, {QStringLiteral("line"), 40}}}}));
        log.write(line({{QStringLiteral("event"), QStringLiteral("nixtide/screenshot")},
            {QStringLiteral("body"),
                QJsonObject {{QStringLiteral("machine"), QStringLiteral("machine")},
                    {QStringLiteral("path"), QStringLiteral("/tmp/gone.png")},
                    {QStringLiteral("failure"), true},
                    {QStringLiteral("step"), QStringLiteral("test failed: Exception: boom")},
                    {QStringLiteral("scriptPath"), source}, {QStringLiteral("line"), 15}}},
            {QStringLiteral("copy"), failure}}));
        // A half-written last line, as a crash leaves it, is no warning.
        log.write("{\"event\":\"nixtide/lo");
        log.close();

        QString error;
        const std::optional<RunInfo> info = RunReader::readInfo(run, &error);
        QVERIFY2(info, qPrintable(error));
        QCOMPARE(info->test, QStringLiteral("demo"));
        QCOMPARE(info->status, QStringLiteral("passed"));
        QCOMPARE(info->durationSeconds, 8.5);
        QStringList warnings;
        const QList<RunScreenshot> shots = RunReader::screenshots(run, &warnings);
        QVERIFY2(warnings.isEmpty(), qPrintable(warnings.join(QLatin1Char('\n'))));
        QCOMPARE(shots.size(), 4);
        QCOMPARE(shots[0].name, QStringLiteral("machine-a"));
        QCOMPARE(shots[0].line, 20);
        QCOMPARE(shots[0].scriptPath, source);
        QCOMPARE(shots[0].step, QStringLiteral("making screenshot machine-a"));
        QVERIFY(shots[0].byDriver);
        QCOMPARE(shots[1].name, QStringLiteral("machine-1"));
        QCOMPARE(shots[1].machine, QStringLiteral("machine"));
        QVERIFY(!shots[1].byDriver);
        QCOMPARE(shots[2].name, QStringLiteral("machine-b"));
        QCOMPARE(shots[2].line, 21);
        QVERIFY(!shots[2].failure);
        QCOMPARE(shots[3].name, QStringLiteral("machine-failure"));
        QVERIFY(shots[3].failure);
        QCOMPARE(shots[3].line, 15);
        QCOMPARE(shots[3].scriptPath, source);
        QCOMPARE(shots[3].step, QStringLiteral("test failed: Exception: boom"));

        // A broken line in the middle is named.
        writeFile(run + QStringLiteral("/log.jsonl"), "not json\n{}\n");
        RunReader::screenshots(run, &warnings);
        QCOMPARE(warnings,
            QStringList {run + QStringLiteral("/log.jsonl:1: not a JSON object, skipped")});
        QVERIFY(!RunReader::readInfo(tmp.path(), &error));
        QVERIFY2(error.contains(tmp.filePath(QStringLiteral("result.json"))), qPrintable(error));
    }

    // The screens the driver's OCR read join the screenshots in the order
    // they came, each at its call's line; one image read again while the
    // screen stood still is one entry. References are only for screenshots.
    void ocrImagesJoinTheTimelineAndStayOutOfReview()
    {
        QTemporaryDir tmp;
        const QString source = tmp.filePath(QStringLiteral("test.nix"));
        const QString run = makeRun(tmp.path(), QStringLiteral("demo"), QStringLiteral("1"), source,
            QStringLiteral("2026-11-30T10:00:00.000Z"), {});
        const QString shot = run + QStringLiteral("/screenshots/machine-shot.png");
        const QString still = run + QStringLiteral("/ocr/machine-ocr-1.png");
        const QString changed = run + QStringLiteral("/ocr/machine-ocr-2.png");
        for (const QString &path : {shot, still, changed}) {
            QDir().mkpath(QFileInfo(path).absolutePath());
            QVERIFY(screen().save(path, "PNG"));
        }
        const auto ocr = [&](const QString &copy, int at, bool matched) {
            return line({{QStringLiteral("event"), QStringLiteral("nixtide/ocr")},
                {QStringLiteral("body"),
                    QJsonObject {{QStringLiteral("machine"), QStringLiteral("machine")},
                        {QStringLiteral("image"), QStringLiteral("/tmp/gone.png")},
                        {QStringLiteral("pattern"), QStringLiteral("login:")},
                        {QStringLiteral("matched"), matched},
                        {QStringLiteral("texts"), QJsonArray {QStringLiteral("login:")}},
                        {QStringLiteral("path"), source}, {QStringLiteral("line"), at}}},
                {QStringLiteral("copy"), copy}});
        };
        QByteArray log = line({{QStringLiteral("event"), QStringLiteral("nixtide/screenshot")},
            {QStringLiteral("body"),
                QJsonObject {{QStringLiteral("machine"), QStringLiteral("machine")},
                    {QStringLiteral("path"), QStringLiteral("/tmp/gone.png")}}},
            {QStringLiteral("copy"), shot}});
        log += ocr(still, 30, false) + ocr(still, 30, false) + ocr(changed, 30, true);
        // An attempt whose screen could not be kept has no image to show.
        log += ocr(QString(), 31, false);
        writeFile(run + QStringLiteral("/log.jsonl"), log);

        QStringList warnings;
        const QList<RunScreenshot> shots = RunReader::timeline(run, &warnings);
        QVERIFY2(warnings.isEmpty(), qPrintable(warnings.join(QLatin1Char('\n'))));
        QCOMPARE(shots.size(), 3);
        QCOMPARE(shots[0].name, QStringLiteral("machine-shot"));
        QVERIFY(!shots[0].ocr);
        QCOMPARE(shots[1].path, still);
        QCOMPARE(shots[1].name, QStringLiteral("machine-ocr-1"));
        QVERIFY(shots[1].ocr);
        QCOMPARE(shots[1].reads, 2);
        QCOMPARE(shots[1].machine, QStringLiteral("machine"));
        QCOMPARE(shots[1].scriptPath, source);
        QCOMPARE(shots[1].line, 30);
        QCOMPARE(shots[1].step, QStringLiteral("OCR: \"login:\" not found"));
        QCOMPARE(shots[2].path, changed);
        QCOMPARE(shots[2].reads, 1);
        QCOMPARE(shots[2].step, QStringLiteral("OCR: \"login:\" found"));

        const QList<RunScreenshot> reviewed = RunReader::screenshots(run, &warnings);
        QCOMPARE(reviewed.size(), 1);
        QCOMPARE(reviewed[0].name, QStringLiteral("machine-shot"));
    }

    void verdictsForMatchDiffersNewAndMissing()
    {
        QTemporaryDir tmp;
        const QString run = makeRun(tmp.path(), QStringLiteral("demo"), QStringLiteral("1"),
            tmp.filePath(QStringLiteral("t.nix")), QStringLiteral("2026-11-30T10:00:00.000Z"),
            {{QStringLiteral("machine-same"), screen()},
                {QStringLiteral("machine-changed"), screen({320, 200}, {60, 10, 40, 8})},
                {QStringLiteral("machine-fresh"), screen()},
                {QStringLiteral("machine-bigger"), screen({640, 400})}});
        ReferenceStore store(tmp.filePath(QStringLiteral("refs")));
        QString error;
        for (const char *name : {"same", "changed", "gone", "bigger"}) {
            const QString path
                = tmp.filePath(QStringLiteral("ref-%1.png").arg(QLatin1String(name)));
            screen().save(path, "PNG");
            QVERIFY(store.accept(QStringLiteral("machine-") + QLatin1String(name), path, &error));
        }
        QStringList warnings;
        const auto verdicts
            = reviewScreenshots(RunReader::screenshots(run, &warnings), store, &error);
        QVERIFY2(verdicts, qPrintable(error));
        QMap<QString, ScreenshotVerdict> byName;
        for (const ScreenshotVerdict &v : *verdicts)
            byName.insert(v.name, v);
        QCOMPARE(byName.size(), 5);
        QCOMPARE(byName[QStringLiteral("machine-same")].kind, ScreenshotVerdict::Kind::Match);
        QCOMPARE(byName[QStringLiteral("machine-changed")].kind, ScreenshotVerdict::Kind::Differs);
        QVERIFY2(byName[QStringLiteral("machine-changed")].describe().contains(
                     QStringLiteral("1.0000% > 0.0100% tolerance (640 of 64000 pixels differ, "
                                    "within 10,10 90x8)")),
            qPrintable(byName[QStringLiteral("machine-changed")].describe()));
        QCOMPARE(byName[QStringLiteral("machine-fresh")].kind, ScreenshotVerdict::Kind::New);
        QCOMPARE(byName[QStringLiteral("machine-gone")].kind, ScreenshotVerdict::Kind::Missing);
        QVERIFY(byName[QStringLiteral("machine-gone")].failing());
        QCOMPARE(byName[QStringLiteral("machine-bigger")].kind, ScreenshotVerdict::Kind::Differs);
        QVERIFY2(byName[QStringLiteral("machine-bigger")].describe().contains(
                     QStringLiteral("size differs: run 640x400, reference 320x200")),
            qPrintable(byName[QStringLiteral("machine-bigger")].describe()));

        // The HTML report: a row per name, images only where it does not match.
        const QString html = tmp.filePath(QStringLiteral("report"));
        QVERIFY2(writeHtmlReport(html, *RunReader::readInfo(run, &error), *verdicts, &error),
            qPrintable(error));
        QFile page(html + QStringLiteral("/index.html"));
        QVERIFY(page.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(page.readAll());
        QVERIFY2(text.contains(QStringLiteral("<td>differs</td><td>machine-changed</td><td>1.0000% "
                                              "&gt; 0.0100% tolerance")),
            qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("<td>missing</td><td>machine-gone</td>")));
        QStringList files = QDir(html).entryList(QDir::Files, QDir::Name);
        QCOMPARE(files,
            QStringList({QStringLiteral("index.html"),
                QStringLiteral("machine-bigger.reference.png"),
                QStringLiteral("machine-bigger.run.png"),
                QStringLiteral("machine-changed.difference.png"),
                QStringLiteral("machine-changed.reference.png"),
                QStringLiteral("machine-changed.run.png"), QStringLiteral("machine-fresh.run.png"),
                QStringLiteral("machine-gone.reference.png")}));
    }

    void historyListsRunsNewestFirstAndPrunesAroundOpenOnes()
    {
        QTemporaryDir tmp;
        const QString source = tmp.filePath(QStringLiteral("demo.nix"));
        QStringList dirs;
        for (int day = 1; day <= 4; ++day)
            dirs.append(makeRun(tmp.path(), QStringLiteral("demo"), QString::number(day), source,
                QStringLiteral("2026-11-0%1T10:00:00.000Z").arg(day), {}));
        makeRun(tmp.path(), QStringLiteral("other"), QStringLiteral("1"),
            tmp.filePath(QStringLiteral("other.nix")), QStringLiteral("2026-11-05T10:00:00.000Z"),
            {});
        const RunHistory history(tmp.path());
        QCOMPARE(history.tests(), QStringList({QStringLiteral("demo"), QStringLiteral("other")}));
        const QList<RunInfo> runs = history.runs(QStringLiteral("demo"));
        QCOMPARE(runs.size(), 4);
        QCOMPARE(runs.first().dir, dirs.last());
        QCOMPARE(history.latestRunOf(source)->dir, dirs.last());
        QVERIFY(!history.latestRunOf(tmp.filePath(QStringLiteral("none.nix"))));

        // Keep 2: runs 2 and 1 go, but run 1 is open in a viewer.
        const QStringList removed = history.prune({2, 0}, {dirs.first()});
        QCOMPARE(removed, QStringList {dirs.at(1)});
        QCOMPARE(history.runs(QStringLiteral("demo")).size(), 3);
        QCOMPARE(history.runs(QStringLiteral("other")).size(), 1);
    }

    void historyKnowsEachReferencesLatestRun()
    {
        QTemporaryDir tmp;
        const auto run = [&tmp](const QString &test, const QString &reference,
                             const QString &started, const QString &status) {
            const QString dir = tmp.filePath(test + QStringLiteral("/1"));
            QDir().mkpath(dir);
            QJsonObject result {{QStringLiteral("test"), test}, {QStringLiteral("status"), status},
                {QStringLiteral("startedAt"), started}, {QStringLiteral("durationSeconds"), 1.0}};
            if (!reference.isEmpty())
                result.insert(QStringLiteral("reference"), reference);
            writeFile(dir + QStringLiteral("/result.json"), QJsonDocument(result).toJson());
            return QFileInfo(dir).absoluteFilePath();
        };
        const QString file = QStringLiteral("/t/a.nix");
        const QString check = QStringLiteral("/t/flake#checks.x86_64-linux.b");
        // One test under two names (its `name` was changed): one reference.
        run(QStringLiteral("a"), file, QStringLiteral("2026-11-01T10:00:00.000Z"),
            QStringLiteral("passed"));
        const QString newest = run(QStringLiteral("renamed"), file,
            QStringLiteral("2026-11-02T10:00:00.000Z"), QStringLiteral("failed"));
        const QString flake = run(QStringLiteral("b"), check,
            QStringLiteral("2026-11-01T10:00:00.000Z"), QStringLiteral("passed"));
        // A record from before references were kept counts for no test.
        run(QStringLiteral("old"), QString(), QStringLiteral("2026-11-03T10:00:00.000Z"),
            QStringLiteral("passed"));

        const QHash<QString, RunInfo> latest = RunHistory(tmp.path()).latestByReference();
        QCOMPARE(latest.size(), 2);
        QCOMPARE(latest.value(file).dir, newest);
        QCOMPARE(latest.value(file).status, QStringLiteral("failed"));
        QCOMPARE(latest.value(check).dir, flake);
    }
};

QTEST_GUILESS_MAIN(TestReview)
#include "tst_review.moc"
