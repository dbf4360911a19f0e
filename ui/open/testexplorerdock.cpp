#include "ui/open/testexplorerdock.h"

#include "core/nix/testinfo.h"
#include "core/review/runhistory.h"
#include "core/session/suitehistory.h"
#include "core/worker.h"

#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace nixtide {

namespace {

constexpr int kReferenceRole = Qt::UserRole + 1;

struct Listing
{
    QStringList attrs;
    QString error;
};

} // namespace

struct TestExplorerDock::LastResult
{
    QString state; // as run-all names it: PASS, FAIL, KILLED…
    double seconds = 0;
    QString detail;
    bool passed = false;
    QDateTime finished;
};

TestExplorerDock::TestExplorerDock(QWidget *parent)
    : QDockWidget(tr("Tests"), parent)
    , m_tree(new QTreeWidget)
    , m_debug(new QPushButton(tr("Debug this test")))
    , m_status(new QLabel)
{
    m_tree->setObjectName(QStringLiteral("TestExplorerTree"));
    m_tree->setHeaderLabels({tr("Test"), tr("Last result"), tr("Time")});
    m_tree->setRootIsDecorated(false);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_tree->header()->setStretchLastSection(false);
    m_debug->setEnabled(false);
    m_debug->setToolTip(tr("Open the selected test and run it under the debugger"));
    m_status->setWordWrap(true);
    auto *content = new QWidget;
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_tree);
    layout->addWidget(m_debug);
    layout->addWidget(m_status);
    setWidget(content);
    connect(m_tree, &QTreeWidget::itemSelectionChanged, this,
        [this] { m_debug->setEnabled(m_tree->currentItem() != nullptr); });
    connect(m_tree, &QTreeWidget::itemActivated, this, &TestExplorerDock::requestDebug);
    connect(m_debug, &QPushButton::clicked, this, &TestExplorerDock::requestDebug);
}

QString TestExplorerDock::referenceOf(const QTreeWidgetItem *item)
{
    return item ? item->data(0, kReferenceRole).toString() : QString();
}

void TestExplorerDock::setSource(const TestRef &source)
{
    const QString key = source.toString() + u'|' + source.flakeRef;
    if (key == m_sourceKey) {
        refreshResults();
        return;
    }
    m_sourceKey = key;
    m_source = source;
    m_tree->clear();
    m_status->setText(tr("Listing the tests of %1…").arg(source.toString()));
    const int generation = ++m_generation;
    runOnWorker(
        this,
        [source] {
            Listing l;
            NixError error;
            l.attrs = TestInfo::listTests(source, &error);
            if (error.kind != NixError::Kind::None)
                l.error = error.toText().section(u'\n', 0, 0);
            return l;
        },
        [this, generation](Listing l) {
            if (generation == m_generation)
                showTests(l.attrs, l.error);
        });
}

void TestExplorerDock::showTests(const QStringList &attrs, const QString &error)
{
    m_tree->clear();
    for (const QString &attr : attrs) {
        TestRef test = m_source;
        test.attrPath = attr;
        // A file that is one test: its name, as the pane is narrow and the
        // full path is in the tooltip.
        const QString label = attr.isEmpty() ? QFileInfo(test.path).fileName() : attr;
        auto *item = new QTreeWidgetItem(m_tree, {label.isEmpty() ? test.toString() : label});
        item->setData(0, kReferenceRole, test.toString());
        item->setToolTip(0, test.toString());
    }
    m_status->setText(error.isEmpty() ? tr("%n test(s)", nullptr, int(attrs.size())) : error);
    refreshResults();
    Q_EMIT listed(error);
}

void TestExplorerDock::refreshResults()
{
    const QString historyFile = m_historyFile.isEmpty() ? SuiteHistory::path() : m_historyFile;
    const QString runBase = m_runBase.isEmpty() ? RunHistory::defaultBase() : m_runBase;
    const int generation = ++m_resultsGeneration;
    // Every run record's result.json is read: not on the GUI thread.
    runOnWorker(
        this, [historyFile, runBase] { return readResults(historyFile, runBase); },
        [this, generation](const QHash<QString, LastResult> &results) {
            if (generation == m_resultsGeneration)
                showResults(results);
        });
}

QHash<QString, TestExplorerDock::LastResult> TestExplorerDock::readResults(
    const QString &historyFile, const QString &runBase)
{
    QHash<QString, LastResult> results;
    const QHash<QString, SuiteHistory::Result> suite = SuiteHistory::load(historyFile);
    for (auto it = suite.cbegin(); it != suite.cend(); ++it) {
        const SuiteHistory::Result &r = it.value();
        results.insert(it.key(),
            {r.state, r.seconds,
                tr("nixtide run-all: %1, %2")
                    .arg(r.message.isEmpty() ? r.state : r.message,
                        QLocale().toString(r.finished.toLocalTime(), QLocale::ShortFormat)),
                r.passed(), r.finished});
    }
    // A run in the IDE or with `nixtide run` counts when it is the newer.
    const QHash<QString, RunInfo> runs = RunHistory(runBase).latestByReference();
    for (auto it = runs.cbegin(); it != runs.cend(); ++it) {
        const RunInfo &run = it.value();
        const QDateTime finished = run.startedAt.addMSecs(qint64(run.durationSeconds * 1000));
        const auto known = results.constFind(it.key());
        if (known != results.constEnd() && known->finished >= finished)
            continue;
        const QString status = run.status == u"passed" ? QStringLiteral("PASS")
            : run.status == u"failed"                  ? QStringLiteral("FAIL")
                                                       : run.status.toUpper();
        const QString how = run.exitCode >= 0 && run.status == u"failed"
            ? tr("%1 (exit code %2)").arg(run.status).arg(run.exitCode)
            : run.status;
        results.insert(it.key(),
            {status, run.durationSeconds,
                tr("A run in the IDE or with nixtide run: %1, %2\n%3")
                    .arg(how, QLocale().toString(run.startedAt.toLocalTime(), QLocale::ShortFormat),
                        run.dir),
                run.status == u"passed", finished});
    }
    return results;
}

void TestExplorerDock::showResults(const QHash<QString, LastResult> &results)
{
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_tree->topLevelItem(i);
        const auto it = results.constFind(referenceOf(item));
        if (it == results.constEnd()) {
            item->setText(1, tr("not run"));
            item->setText(2, QString());
            item->setForeground(1, QBrush());
            item->setToolTip(1, tr("No run recorded"));
            continue;
        }
        item->setText(1, it->state);
        item->setText(
            2, it->state == u"RUNNING" ? QString() : tr("%1 s").arg(it->seconds, 0, 'f', 1));
        item->setForeground(1,
            it->passed                                               ? QBrush(Qt::darkGreen)
                : it->state == u"RUNNING" || it->state == u"STOPPED" ? QBrush()
                                                                     : QBrush(Qt::red));
        item->setToolTip(1, it->detail);
    }
    Q_EMIT resultsShown();
}

void TestExplorerDock::requestDebug()
{
    const QString reference = referenceOf(m_tree->currentItem());
    if (!reference.isEmpty())
        Q_EMIT debugRequested(reference);
}

} // namespace nixtide
