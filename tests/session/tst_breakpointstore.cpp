// BreakpointStore, the one owner of breakpoints: the user's edits keep ids
// and answers where the breakpoint stays, the debugger's answers move what
// is shown without changing what is asked, one-shots come and go without
// touching the user's list, and the settings format of earlier versions
// still loads.
#include "core/breakpoints/breakpointstore.h"

#include <QFileInfo>
#include <QSignalSpy>
#include <QTest>

using namespace nixtide;

class TestBreakpointStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void answersMoveWhatIsShownNotWhatIsAsked()
    {
        BreakpointStore store;
        QSignalSpy requests(&store, &BreakpointStore::requestsChanged);
        QSignalSpy changed(&store, &BreakpointStore::breakpointsChanged);
        const QString file = QStringLiteral("/t/a.nix");
        store.setBreakpoint(file, {4, {}});
        QCOMPARE(requests.count(), 1);
        QCOMPARE(requests.at(0).at(0).toString(), file);
        const StoredBreakpoint asked = store.entries(file).value(0);
        QVERIFY(asked.id > 0);
        QCOMPARE(asked.line(), 4);

        // The debugger sets it two lines on (a blank line before a statement).
        store.setAnswer(file, asked.id, true, 6, {});
        QCOMPARE(requests.count(), 1); // an answer is nothing to send
        QCOMPARE(changed.count(), 2);
        StoredBreakpoint answered = *store.entry(file, asked.id);
        QVERIFY(answered.verified);
        QCOMPARE(answered.actualLine, 6);
        QCOMPARE(answered.request.line, 4);
        QCOMPARE(answered.line(), 6);
        QCOMPARE(store.breakpoints(file), BreakpointList({{4, {}}}));

        // The same answer again changes nothing.
        store.setAnswer(file, asked.id, true, 6, {});
        QCOMPARE(changed.count(), 2);

        // A condition set where it is shown keeps the line it was asked for,
        // its id and its answer.
        store.setBreakpoint(file, {6, QStringLiteral(" x > 1 ")});
        QCOMPARE(requests.count(), 2);
        answered = *store.entry(file, asked.id);
        QCOMPARE(answered.request, Breakpoint({4, QStringLiteral("x > 1")}));
        QCOMPARE(answered.line(), 6);

        // A refusal: shown where asked, with the reason.
        store.setAnswer(file, asked.id, false, 4, QStringLiteral("outside the testScript"));
        QCOMPARE(store.entry(file, asked.id)->line(), 4);
        QCOMPARE(store.entry(file, asked.id)->message, QStringLiteral("outside the testScript"));

        store.setAnswer(file, asked.id, true, 6, {});
        store.clearAnswers();
        QCOMPARE(store.entry(file, asked.id)->line(), 4);
        QVERIFY(!store.entry(file, asked.id)->verified);

        store.setAnswer(file, asked.id, true, 6, {});
        store.removeBreakpoint(file, 6);
        QVERIFY(store.entries(file).isEmpty());
        QCOMPARE(requests.count(), 3);
    }

    void replacingTheListKeepsWhatStays()
    {
        BreakpointStore store;
        const QString file = QStringLiteral("/t/a.nix");
        store.setBreakpoints(file, {{2, {}}, {5, QStringLiteral("i")}});
        const QList<StoredBreakpoint> before = store.entries(file);
        QCOMPARE(before.size(), 2);
        store.setAnswer(file, before.at(1).id, true, 7, {});

        QSignalSpy requests(&store, &BreakpointStore::requestsChanged);
        // The editor hands over what it shows: 7 is the answered one.
        store.setBreakpoints(file, {{7, QStringLiteral("i")}, {9, {}}, {9, {}}});
        QCOMPARE(requests.count(), 1);
        const QList<StoredBreakpoint> after = store.entries(file);
        QCOMPARE(after.size(), 2);
        QCOMPARE(after.at(0).id, before.at(1).id);
        QCOMPARE(after.at(0).request.line, 5);
        QCOMPARE(after.at(0).line(), 7);
        QVERIFY(after.at(1).id != before.at(0).id);
        QCOMPARE(after.at(1).line(), 9);

        // The same list again sends nothing.
        store.setBreakpoints(file, {{7, QStringLiteral("i")}, {9, {}}});
        QCOMPARE(requests.count(), 1);
    }

    void followingTextEditsMovesAnswersAlongAndSendsNothing()
    {
        BreakpointStore store;
        const QString file = QStringLiteral("/t/a.nix");
        store.setBreakpoints(file, {{2, {}}, {5, {}}});
        const QList<StoredBreakpoint> before = store.entries(file);
        store.setAnswer(file, before.at(1).id, true, 6, {});
        QSignalSpy requests(&store, &BreakpointStore::requestsChanged);
        QSignalSpy changed(&store, &BreakpointStore::breakpointsChanged);
        // Two lines typed above both.
        store.follow(file, {{before.at(0).id, 4}, {before.at(1).id, 8}});
        QCOMPARE(requests.count(), 0);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(store.entry(file, before.at(0).id)->request.line, 4);
        QCOMPARE(store.entry(file, before.at(1).id)->request.line, 7);
        QCOMPARE(store.entry(file, before.at(1).id)->line(), 8);
        store.follow(file, {{before.at(0).id, 4}, {before.at(1).id, 8}});
        QCOMPARE(changed.count(), 1);
    }

    void oneShotsStayOutOfTheUsersList()
    {
        BreakpointStore store;
        const QString a = QStringLiteral("/t/a.nix");
        const QString b = QStringLiteral("/t/b.py");
        store.setBreakpoints(a, {{3, {}}});
        QSignalSpy requests(&store, &BreakpointStore::requestsChanged);
        store.setOneShot(a, 3); // on a breakpoint's line: both are sent
        QCOMPARE(store.entries(a).size(), 2);
        QCOMPARE(store.breakpoints(a), BreakpointList({{3, {}}}));
        // Another run to cursor replaces the first, in any file.
        store.setOneShot(b, 8);
        QCOMPARE(store.entries(a).size(), 1);
        QCOMPARE(store.entries(b).size(), 1);
        QVERIFY(store.entries(b).at(0).oneShot);
        QVERIFY(store.breakpoints(b).isEmpty());
        // The user's edits leave a one-shot be.
        store.setBreakpoints(b, {{1, {}}});
        store.removeBreakpoint(b, 8);
        QCOMPARE(store.entries(b).size(), 2);
        QVERIFY(store.save().value(b).toStringList() == QStringList {QStringLiteral("1\t\t\t")});
        requests.clear();
        store.dropOneShots();
        QCOMPARE(requests.count(), 1);
        QCOMPARE(requests.at(0).at(0).toString(), b);
        QCOMPARE(store.entries(b).size(), 1);
        store.dropOneShots();
        QCOMPARE(requests.count(), 1);
    }

    void settingsOfEarlierVersionsStillLoad()
    {
        BreakpointStore store;
        const QString file = QStringLiteral("/t/a.nix");
        // "line<TAB>condition" before hit counts and log messages existed.
        QVariantMap saved {{file,
            QStringList {QStringLiteral("3\tx > 1"), QStringLiteral("4\t\t>= 2\tx is {x}"),
                QStringLiteral("junk"), QStringLiteral("0\t")}}};
        store.restore(saved);
        const BreakpointList expected {{3, QStringLiteral("x > 1")},
            {4, {}, QStringLiteral(">= 2"), QStringLiteral("x is {x}")}};
        QCOMPARE(store.breakpoints(file), expected);
        store.setOneShot(file, 9);
        BreakpointStore again;
        again.restore(store.save());
        QCOMPARE(again.breakpoints(file), expected);
        QCOMPARE(again.entries(file).size(), 2);
    }

    void pathsAreAbsolute()
    {
        BreakpointStore store;
        store.setBreakpoint(QStringLiteral("rel.nix"), {1, {}});
        QCOMPARE(
            store.files(), QStringList {QFileInfo(QStringLiteral("rel.nix")).absoluteFilePath()});
        QCOMPARE(
            store.breakpoints(QFileInfo(QStringLiteral("rel.nix")).absoluteFilePath()).size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestBreakpointStore)
#include "tst_breakpointstore.moc"
