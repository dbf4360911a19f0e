#include "ui/open/testpickerdialog.h"

#include "core/nix/testfinder.h"
#include "core/nix/testinfo.h"
#include "core/worker.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace nixtide {

namespace {

struct Listing
{
    QStringList tests; // TestRef::toString() of each
    QString error;
    QString how;
};

} // namespace

TestPickerDialog::TestPickerDialog(const TestRef &source, QWidget *parent)
    : QDialog(parent)
    , m_source(source)
    , m_status(new QLabel(this))
    , m_list(new QListWidget(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Open a test of %1").arg(source.toString()));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setText(tr("Looking for tests in %1…").arg(source.toString()));
    m_buttons->button(QDialogButtonBox::Open)->setEnabled(false);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_status);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_list, &QListWidget::currentRowChanged, this,
        [this](int row) { m_buttons->button(QDialogButtonBox::Open)->setEnabled(row >= 0); });
    connect(m_list, &QListWidget::itemActivated, this, &QDialog::accept);

    // listTests waits for `nix eval`: never on the GUI thread.
    runOnWorker(
        this,
        [source] {
            Listing out;
            if (source.kind == TestRef::Kind::NixFile && source.attrPath.isEmpty()) {
                // A file: whatever builds it (nixpkgs, a flake, runNixOSTest…).
                const FoundTests found = TestFinder::find(source.path);
                for (const TestRef &t : found.tests)
                    out.tests.append(t.toString());
                out.error = found.error;
                out.how = found.how;
                return out;
            }
            NixError error;
            const TestRef base = source;
            for (const QString &attr : TestInfo::listTests(source, &error)) {
                TestRef t = base;
                if (!attr.isEmpty())
                    t.attrPath = attr;
                out.tests.append(t.toString());
            }
            if (error.kind != NixError::Kind::None)
                out.error = error.toText();
            return out;
        },
        [this](Listing listing) { onListed(listing.tests, listing.error, listing.how); });
}

void TestPickerDialog::onListed(const QStringList &tests, const QString &error, const QString &how)
{
    for (const QString &ref : tests) {
        QString parseError;
        const std::optional<TestRef> test = TestRef::parse(ref, &parseError);
        // Within the same file or flake the attribute path says enough.
        const bool sameSource = test && test->kind == m_source.kind && test->path == m_source.path
            && test->flakeRef == m_source.flakeRef && !test->attrPath.isEmpty();
        auto *item = new QListWidgetItem(sameSource ? test->attrPath : ref, m_list);
        item->setData(Qt::UserRole, ref);
        item->setData(Qt::UserRole + 1, test ? test->attrPath : QString());
    }
    if (!error.isEmpty())
        m_status->setText(tr("Cannot list the tests of %1:\n%2").arg(m_source.toString(), error));
    else if (tests.isEmpty())
        m_status->setText(tr("%1 has no tests (attribute sets with driverInteractive or driver).")
                .arg(m_source.toString()));
    else if (!how.isEmpty() && how != QLatin1StringView("the file itself"))
        m_status->setText(tr("%n test(s) build %1 (found in %2):", nullptr, int(tests.size()))
                .arg(m_source.toString(), how));
    else
        m_status->setText(
            tr("%n test(s) in %1:", nullptr, int(tests.size())).arg(m_source.toString()));
    if (!tests.isEmpty()) {
        m_list->setCurrentRow(0);
        m_list->setFocus();
    }
    Q_EMIT listed(int(tests.size()), error);
}

std::optional<TestRef> TestPickerDialog::chosenTest() const
{
    const QListWidgetItem *item = m_list->currentItem();
    if (!item)
        return std::nullopt;
    QString error;
    return TestRef::parse(item->data(Qt::UserRole).toString(), &error);
}

bool TestPickerDialog::choose(const QString &attrPath)
{
    for (int row = 0; row < m_list->count(); ++row) {
        if (m_list->item(row)->data(Qt::UserRole + 1).toString() == attrPath) {
            m_list->setCurrentRow(row);
            accept();
            return true;
        }
    }
    return false;
}

QString TestPickerDialog::statusText() const
{
    return m_status->text();
}

} // namespace nixtide
