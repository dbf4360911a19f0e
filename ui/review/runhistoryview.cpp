#include "ui/review/runhistoryview.h"

#include "core/review/runhistory.h"
#include "ui/review/background.h"

#include <QFormLayout>
#include <QHeaderView>
#include <QSettings>
#include <QSpinBox>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace nixtide {

namespace {

constexpr int kRunRole = Qt::UserRole + 1;

struct Listing
{
    QList<QPair<QString, QList<RunInfo>>> tests;
};

QString duration(double seconds)
{
    return seconds < 60
        ? QStringLiteral("%1 s").arg(seconds, 0, 'f', 1)
        : QStringLiteral("%1 min %2 s").arg(int(seconds) / 60).arg(int(seconds) % 60);
}

} // namespace

RunHistoryView::RunHistoryView(const QString &base, QWidget *parent)
    : QWidget(parent)
    , m_base(base)
    , m_tree(new QTreeWidget(this))
    , m_keep(new QSpinBox(this))
    , m_days(new QSpinBox(this))
{
    m_tree->setObjectName(QStringLiteral("runHistoryTree"));
    m_tree->setHeaderLabels({tr("Run"), tr("Result"), tr("Duration"), tr("Source SHA-256")});
    m_tree->setRootIsDecorated(true);
    m_tree->setUniformRowHeights(true);
    m_tree->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    const QSettings settings;
    m_keep->setRange(0, 10000);
    m_keep->setSpecialValueText(tr("all"));
    m_keep->setValue(settings.value(QStringLiteral("review/keepRuns"), 0).toInt());
    m_keep->setToolTip(tr("Runs kept per test; older ones are deleted (never an open one)"));
    m_days->setRange(0, 3650);
    m_days->setSpecialValueText(tr("forever"));
    m_days->setSuffix(tr(" days"));
    m_days->setValue(settings.value(QStringLiteral("review/keepDays"), 0).toInt());
    connect(m_keep, &QSpinBox::valueChanged, this,
        [](int n) { QSettings().setValue(QStringLiteral("review/keepRuns"), n); });
    connect(m_days, &QSpinBox::valueChanged, this,
        [](int n) { QSettings().setValue(QStringLiteral("review/keepDays"), n); });
    auto *form = new QFormLayout;
    form->addRow(tr("Keep runs per test:"), m_keep);
    form->addRow(tr("Keep runs for:"), m_days);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tree, 1);
    layout->addLayout(form);
    connect(m_tree, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        if (!item || !item->data(0, kRunRole).isValid())
            return;
        Q_EMIT runSelected(m_runs.value(item->data(0, kRunRole).toInt()));
    });
}

void RunHistoryView::refresh()
{
    const int generation = ++m_generation;
    const QString base = m_base;
    const RunHistory::PrunePolicy policy {m_keep->value(), m_days->value()};
    const QSet<QString> open = m_openRun.isEmpty() ? QSet<QString>() : QSet<QString> {m_openRun};
    runInBackground<Listing>(
        this,
        [base, policy, open] {
            const RunHistory history(base);
            if (policy.keepCount > 0 || policy.maxAgeDays > 0)
                history.prune(policy, open);
            Listing listing;
            for (const QString &test : history.tests())
                listing.tests.append({test, history.runs(test)});
            return listing;
        },
        [this, generation](const Listing &listing) {
            if (generation != m_generation)
                return;
            const QString selected = m_tree->currentItem()
                ? m_tree->currentItem()->data(0, Qt::UserRole).toString()
                : QString();
            m_tree->clear();
            m_runs.clear();
            for (const auto &[test, runs] : listing.tests) {
                auto *top = new QTreeWidgetItem(m_tree, {test});
                top->setText(1, tr("%n run(s)", nullptr, int(runs.size())));
                for (const RunInfo &run : runs) {
                    auto *item = new QTreeWidgetItem(top,
                        {run.startedAt.toLocalTime().toString(
                             QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                            run.status, duration(run.durationSeconds),
                            run.sourceSha256.isEmpty() ? tr("(not recorded)")
                                                       : run.sourceSha256.left(12)});
                    item->setToolTip(0, run.dir);
                    item->setToolTip(3, run.source + QLatin1Char('\n') + run.sourceSha256);
                    item->setForeground(1,
                        run.status == u"passed" ? QColor(0, 120, 0)
                            : run.status == u"running" || run.status == u"stopped"
                            ? palette().text().color()
                            : QColor(180, 0, 0));
                    item->setData(0, Qt::UserRole, run.dir);
                    item->setData(0, kRunRole, int(m_runs.size()));
                    m_runs.append(run);
                }
                top->setExpanded(true);
            }
            if (!selected.isEmpty())
                selectRun(selected);
            Q_EMIT refreshed();
        });
}

bool RunHistoryView::selectRun(const QString &dir)
{
    for (int t = 0; t < m_tree->topLevelItemCount(); ++t) {
        QTreeWidgetItem *top = m_tree->topLevelItem(t);
        for (int r = 0; r < top->childCount(); ++r) {
            if (top->child(r)->data(0, Qt::UserRole).toString() == dir) {
                m_tree->setCurrentItem(top->child(r));
                return true;
            }
        }
    }
    return false;
}

int RunHistoryView::runCount() const
{
    return int(m_runs.size());
}

} // namespace nixtide
