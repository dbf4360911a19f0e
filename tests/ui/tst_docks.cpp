// Dock widgets: the log tree and its filter, the REPL, lazy variables,
// breakpoints list and build output locations.
#include "ui/docks/breakpointsview.h"
#include "ui/docks/buildoutputview.h"
#include "ui/docks/callstackview.h"
#include "ui/docks/logtreemodel.h"
#include "ui/docks/logview.h"
#include "ui/docks/replwidget.h"
#include "ui/docks/variablesmodel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QBrush>
#include <QComboBox>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTest>
#include <QTextBlock>
#include <QTreeView>

using namespace nixtide;

namespace {

// The driver's log for a test with two machines and one failed command.
void fillLog(LogTreeModel &log)
{
    log.beginStep(QStringLiteral("start all VMs"));
    log.addMessage(QStringLiteral("starting vm"), QStringLiteral("server"), 3);
    log.addMessage(QStringLiteral("starting vm"), QStringLiteral("client"), 3);
    log.endStep(1.5);
    log.beginStep(QStringLiteral("subtest: connect"), {}, 5);
    log.beginStep(QStringLiteral("must succeed: curl http://server"), QStringLiteral("client"), 6);
    log.addMessage(QStringLiteral("curl: (7) Failed to connect"), QStringLiteral("client"));
    log.endStep(0.25, true);
    log.endStep(0.3, true);
    log.beginStep(QStringLiteral("waiting for unit nginx"), QStringLiteral("server"), 8);
}

} // namespace

class TestDocks : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void logTreeNestsStepsWithDurationsAndFailures()
    {
        LogTreeModel log;
        QAbstractItemModelTester tester(
            &log, QAbstractItemModelTester::FailureReportingMode::QtTest);
        fillLog(log);
        QCOMPARE(log.rowCount(), 3);
        QCOMPARE(log.openDepth(), 1);
        const QModelIndex start = log.index(0, 0);
        QCOMPARE(log.rowCount(start), 2);
        QCOMPARE(log.index(1, LogTreeModel::MachineColumn, start).data().toString(),
            QStringLiteral("client"));
        QCOMPARE(
            log.index(0, LogTreeModel::DurationColumn).data().toString(), QStringLiteral("1.50 s"));
        const QModelIndex subtest = log.index(1, 0);
        const QModelIndex curl = log.index(0, 0, subtest);
        QCOMPARE(curl.data().toString(), QStringLiteral("must succeed: curl http://server"));
        QCOMPARE(log.index(0, LogTreeModel::DurationColumn, subtest).data().toString(),
            QStringLiteral("250 ms"));
        QVERIFY(curl.data(LogTreeModel::FailedRole).toBool());
        QCOMPARE(curl.data(Qt::ForegroundRole).value<QBrush>().color(), QColor(0xc0, 0x10, 0x10));
        QVERIFY(!log.index(0, 0).data(Qt::ForegroundRole).isValid());
        QCOMPARE(curl.data(LogTreeModel::ScriptLineRole).toInt(), 6);
        QCOMPARE(log.rowCount(curl), 1);
        // The open step shows that it runs.
        QCOMPARE(log.index(2, LogTreeModel::DurationColumn).data().toString(), QStringLiteral("…"));
        QCOMPARE(log.machines(), QStringList({QStringLiteral("server"), QStringLiteral("client")}));
        log.endStep(12.0);
        QCOMPARE(log.openDepth(), 0);
        log.endStep(1.0); // unbalanced: ignored
        QCOMPARE(log.rowCount(), 3);
    }

    void logFilterByMachineAndTextKeepsParents()
    {
        LogTreeModel log;
        fillLog(log);
        LogFilterModel filter;
        filter.setSourceModel(&log);
        filter.setMachine(QStringLiteral("client"));
        // "start all VMs" (a client child), "subtest: connect" (client steps).
        QCOMPARE(filter.rowCount(), 2);
        QCOMPARE(filter.rowCount(filter.index(0, 0)), 1);
        QCOMPARE(filter.index(0, 0, filter.index(0, 0)).data(LogTreeModel::MachineRole).toString(),
            QStringLiteral("client"));
        filter.setMachine({});
        filter.setText(QStringLiteral("NGINX"));
        QCOMPARE(filter.rowCount(), 1);
        QCOMPARE(filter.index(0, 0).data().toString(), QStringLiteral("waiting for unit nginx"));
        filter.setText(QStringLiteral("no such step"));
        QCOMPARE(filter.rowCount(), 0);
    }

    void logViewActivationEmitsTheScriptLine()
    {
        LogTreeModel log;
        LogView view(&log);
        fillLog(log);
        QCOMPARE(view.machineFilter()->count(), 3); // all, server, client
        QSignalSpy lines(&view, &LogView::scriptLineActivated);
        const QModelIndex subtest = view.filterModel()->index(1, 0);
        const QModelIndex curl = view.filterModel()->index(0, 0, subtest);
        Q_EMIT view.tree()->activated(curl);
        QCOMPARE(lines.count(), 1);
        QCOMPARE(lines.at(0).at(0).toInt(), 6);
        view.textFilter()->setText(QStringLiteral("nginx"));
        QCOMPARE(view.filterModel()->rowCount(), 1);
        log.clear();
        QCOMPARE(view.machineFilter()->count(), 1);
    }

    void replSubmitsWithHistoryAndMultiLineInput()
    {
        ReplWidget repl;
        repl.show();
        QSignalSpy evaluate(&repl, &ReplWidget::evaluateRequested);
        ReplInput *input = repl.input();
        input->setFocus();
        QTest::keyClicks(input, QStringLiteral("for m in machines:"));
        QTest::keyClick(input, Qt::Key_Return, Qt::ShiftModifier);
        QTest::keyClicks(input, QStringLiteral("    print(m.name)"));
        QCOMPARE(evaluate.count(), 0); // Shift+Enter only added a line
        QTest::keyClick(input, Qt::Key_Return);
        QCOMPARE(evaluate.count(), 1);
        QCOMPARE(evaluate.at(0).at(0).toString(),
            QStringLiteral("for m in machines:\n    print(m.name)"));
        QVERIFY(input->toPlainText().isEmpty());

        QTest::keyClicks(input, QStringLiteral("machine.succeed('true')"));
        QTest::keyClick(input, Qt::Key_Enter);
        QTest::keyClicks(input, QStringLiteral("draft"));
        QTest::keyClick(input, Qt::Key_Up);
        QCOMPARE(input->toPlainText(), QStringLiteral("machine.succeed('true')"));
        QTest::keyClick(input, Qt::Key_Up);
        QCOMPARE(input->toPlainText(), QStringLiteral("for m in machines:\n    print(m.name)"));
        QTest::keyClick(input, Qt::Key_Down); // cursor is on the last line: next entry
        QCOMPARE(input->toPlainText(), QStringLiteral("machine.succeed('true')"));
        QTest::keyClick(input, Qt::Key_Down);
        QCOMPARE(input->toPlainText(), QStringLiteral("draft"));
        QCOMPARE(input->history().size(), 2);
    }

    void replShowsResultsOutputAndErrorsApart()
    {
        ReplWidget repl;
        QSignalSpy evaluate(&repl, &ReplWidget::evaluateRequested);
        Q_EMIT repl.input()->submitted(QStringLiteral("1 + 1"));
        repl.showResult(QStringLiteral("2"));
        repl.showOutput(QStringLiteral("machine: booted"));
        repl.showError(QStringLiteral("NameError: name 'x' is not defined"));
        QTextDocument *doc = repl.transcript()->document();
        QCOMPARE(doc->blockCount(), 4);
        auto kind = [&](int block) {
            return static_cast<ReplWidget::Kind>(doc->findBlockByNumber(block).userState());
        };
        QCOMPARE(kind(0), ReplWidget::Kind::Input);
        QCOMPARE(doc->findBlockByNumber(0).text(), QStringLiteral(">>> 1 + 1"));
        QCOMPARE(kind(1), ReplWidget::Kind::Result);
        QCOMPARE(kind(2), ReplWidget::Kind::Output);
        QCOMPARE(kind(3), ReplWidget::Kind::Error);
        const QTextBlock error = doc->findBlockByNumber(3);
        const QColor errorColour = error.begin().fragment().charFormat().foreground().color();
        const QColor resultColour
            = doc->findBlockByNumber(1).begin().fragment().charFormat().foreground().color();
        QVERIFY(errorColour != resultColour);

        repl.setReady(false);
        Q_EMIT repl.input()->submitted(QStringLiteral("2 + 2"));
        QCOMPARE(evaluate.count(), 1); // only the first one was sent
        QCOMPARE(kind(doc->blockCount() - 1), ReplWidget::Kind::Error);
    }

    void variablesAreFetchedLazily()
    {
        VariablesModel model;
        QSignalSpy requested(&model, &VariablesModel::childrenRequested);
        model.setScopes(
            {{QStringLiteral("Locals"), {}, {}, 7}, {QStringLiteral("Globals"), {}, {}, 8}});
        QCOMPARE(model.rowCount(), 2);
        const QModelIndex locals = model.index(0, 0);
        QVERIFY(model.hasChildren(locals));
        QCOMPARE(model.rowCount(locals), 0);
        QVERIFY(model.canFetchMore(locals));
        model.fetchMore(locals);
        QCOMPARE(requested.count(), 1);
        QCOMPARE(requested.at(0).at(0).toInt(), 7);
        model.fetchMore(locals); // already asked
        QCOMPARE(requested.count(), 1);
        model.setChildren(7,
            {{QStringLiteral("machine"), QStringLiteral("<Machine 'machine'>"),
                 QStringLiteral("Machine"), 12},
                {QStringLiteral("hostname"), QStringLiteral("'machine'"), QStringLiteral("str"),
                    0}});
        QCOMPARE(model.rowCount(locals), 2);
        const QModelIndex machine = model.index(0, 0, locals);
        QCOMPARE(model.index(0, VariablesModel::ValueColumn, locals).data().toString(),
            QStringLiteral("<Machine 'machine'>"));
        QVERIFY(model.hasChildren(machine));
        QVERIFY(!model.hasChildren(model.index(1, 0, locals)));
        model.setChildren(99, {{QStringLiteral("stale"), {}, {}, 0}}); // unknown: ignored
        {
            // Structure checks (these fetch everything they can).
            QAbstractItemModelTester tester(
                &model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        }
        model.setScopes({});
        QCOMPARE(model.rowCount(), 0);
    }

    void lazyVariablesInAViewRequestOnExpand()
    {
        VariablesModel model;
        QTreeView view;
        view.setModel(&model);
        QSignalSpy requested(&model, &VariablesModel::childrenRequested);
        model.setScopes({{QStringLiteral("Locals"), {}, {}, 3}});
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(requested.count(), 0); // nothing is fetched before it is opened
        view.expand(model.index(0, 0));
        QTRY_COMPARE(requested.count(), 1);
    }

    void callStackSelectionAndBreakpointsList()
    {
        CallStackView stack;
        QSignalSpy selected(&stack, &CallStackView::frameSelected);
        stack.setFrames({{1, QStringLiteral("<module>"), QStringLiteral("/t/test.nix"), 17},
            {2, QStringLiteral("helper"), QStringLiteral("/t/test.nix"), 4}});
        QCOMPARE(stack.topLevelItemCount(), 2);
        QCOMPARE(selected.count(), 0); // setting frames is not a user selection
        stack.setCurrentItem(stack.topLevelItem(1));
        QCOMPARE(selected.count(), 1);
        QCOMPARE(selected.at(0).at(0).value<StackFrameEntry>().line, 4);

        BreakpointsView breakpoints;
        breakpoints.setBreakpoints(
            QStringLiteral("/t/a.nix"), {{3, {}}, {9, QStringLiteral("i > 1")}});
        breakpoints.setBreakpoints(QStringLiteral("/t/b.py"), {{1, {}}});
        QCOMPARE(breakpoints.breakpointCount(), 3);
        breakpoints.setBreakpoints(QStringLiteral("/t/a.nix"), {{4, {}}});
        QCOMPARE(breakpoints.breakpointCount(), 2);
        QSignalSpy activated(&breakpoints, &BreakpointsView::breakpointActivated);
        Q_EMIT breakpoints.itemActivated(breakpoints.topLevelItem(1), 0);
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.at(0).at(0).toString(), QStringLiteral("/t/a.nix"));
        QCOMPARE(activated.at(0).at(1).toInt(), 4);
    }

    void buildOutputFindsLocations()
    {
        QString path;
        int line = 0;
        int column = 0;
        QVERIFY(BuildOutputView::parseLocation(
            QStringLiteral("       at /home/u/tests/web.nix:12:5:"), &path, &line, &column));
        QCOMPARE(path, QStringLiteral("/home/u/tests/web.nix"));
        QCOMPARE(line, 12);
        QCOMPARE(column, 5);
        QVERIFY(!BuildOutputView::parseLocation(
            QStringLiteral("building '/nix/store/x.drv'..."), &path, &line, &column));
    }
};

QTEST_MAIN(TestDocks)
#include "tst_docks.moc"
