#include "ui/open/testpickerdialog.h"

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
    QStringList tests;
    QString error;
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
            NixError error;
            Listing out;
            out.tests = TestInfo::listTests(source, &error);
            if (error.kind != NixError::Kind::None)
                out.error = error.toText();
            return out;
        },
        [this](Listing listing) { onListed(listing.tests, listing.error); });
}

void TestPickerDialog::onListed(const QStringList &tests, const QString &error)
{
    for (const QString &path : tests) {
        // A file that is itself a test has an empty path: show the file.
        auto *item = new QListWidgetItem(path.isEmpty() ? m_source.toString() : path, m_list);
        item->setData(Qt::UserRole, path);
    }
    if (!error.isEmpty())
        m_status->setText(tr("Cannot list the tests of %1:\n%2").arg(m_source.toString(), error));
    else if (tests.isEmpty())
        m_status->setText(tr("%1 has no tests (attribute sets with driverInteractive or driver).")
                .arg(m_source.toString()));
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
    TestRef chosen = m_source;
    const QString path = item->data(Qt::UserRole).toString();
    if (!path.isEmpty())
        chosen.attrPath = path;
    return chosen;
}

bool TestPickerDialog::choose(const QString &attrPath)
{
    for (int row = 0; row < m_list->count(); ++row) {
        if (m_list->item(row)->data(Qt::UserRole).toString() == attrPath) {
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
