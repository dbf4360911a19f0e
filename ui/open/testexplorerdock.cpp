#include "ui/open/testexplorerdock.h"

#include "core/nix/testinfo.h"
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
    const QHash<QString, SuiteHistory::Result> results
        = m_historyFile.isEmpty() ? SuiteHistory::load() : SuiteHistory::load(m_historyFile);
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_tree->topLevelItem(i);
        const auto it = results.constFind(referenceOf(item));
        if (it == results.constEnd()) {
            item->setText(1, tr("not run"));
            item->setText(2, QString());
            item->setToolTip(1, tr("No run-all result recorded"));
            continue;
        }
        item->setText(1, it->state);
        item->setText(2, tr("%1 s").arg(it->seconds, 0, 'f', 1));
        item->setForeground(1, it->passed() ? QColor(Qt::darkGreen) : QColor(Qt::red));
        item->setToolTip(1,
            tr("%1 on %2")
                .arg(it->message.isEmpty() ? it->state : it->message,
                    QLocale().toString(it->finished, QLocale::ShortFormat)));
    }
}

void TestExplorerDock::requestDebug()
{
    const QString reference = referenceOf(m_tree->currentItem());
    if (!reference.isEmpty())
        Q_EMIT debugRequested(reference);
}

} // namespace nixtide
