#include "ui/open/testopener.h"

#include "core/nix/scriptlinemap.h"
#include "core/nix/testinfo.h"
#include "core/worker.h"
#include "ui/open/testpickerdialog.h"

#include <QDir>
#include <QFileInfo>
#include <QWidget>

namespace nixtide {

TestOpener::TestOpener(QWidget *dialogParent)
    : QObject(dialogParent)
    , m_dialogParent(dialogParent)
{ }

TestOpener::~TestOpener()
{
    closePicker();
}

void TestOpener::closePicker()
{
    if (m_picker) {
        m_picker->disconnect(this);
        m_picker->close();
        m_picker->deleteLater();
    }
    m_picker.clear();
}

void TestOpener::open(const QString &argument)
{
    ++m_generation;
    closePicker();
    QString error;
    const std::optional<TestRef> ref = TestRef::parse(argument, &error);
    if (!ref) {
        Q_EMIT failed(error);
        return;
    }
    if (ref->kind == TestRef::Kind::Bundle) {
        Q_EMIT failed(tr("%1 is a built driver: it has no source to edit (run it with "
                         "`nixtide run`)")
                .arg(ref->path));
        return;
    }
    // An attribute path names one test already.
    if (!ref->attrPath.isEmpty()) {
        locate(*ref);
        return;
    }
    // The picker lists on its own worker thread from its constructor; it is
    // shown only when there is something to choose.
    auto *picker = new TestPickerDialog(*ref, m_dialogParent);
    picker->setWindowModality(Qt::WindowModal);
    m_picker = picker;
    const TestRef source = *ref;
    connect(picker, &TestPickerDialog::listed, this,
        [this, source](
            int count, const QString &listError) { onListed(source, count, listError); });
    connect(picker, &QDialog::accepted, this, [this, picker] {
        const std::optional<TestRef> test = picker->chosenTest();
        closePicker();
        if (test)
            locate(*test);
    });
    connect(picker, &QDialog::rejected, this, [this] { closePicker(); });
}

void TestOpener::onListed(const TestRef &source, int count, const QString &error)
{
    if (!m_picker)
        return;
    if (count == 1) {
        const std::optional<TestRef> test = m_picker->chosenTest();
        closePicker();
        if (test)
            locate(*test);
        return;
    }
    if (count == 0 && source.kind == TestRef::Kind::NixFile) {
        // A test being written may not evaluate yet: open the file anyway.
        closePicker();
        Q_EMIT chosen(source, source.path,
            error.isEmpty() ? tr("no test found in %1").arg(source.path)
                            : error.section(u'\n', 0, 0));
        return;
    }
    // Several tests to choose from, or a flake with none (the picker shows
    // Nix's error).
    m_picker->open();
    Q_EMIT pickerShown(m_picker);
}

void TestOpener::locate(const TestRef &test)
{
    const quint64 generation = m_generation;
    runOnWorker(
        this, [test] { return TestInfo::locateTestScript(test); },
        [this, test, generation](ScriptLocation location) {
            if (generation != m_generation)
                return;
            if (location.found() && QFileInfo(location.file).isFile()) {
                Q_EMIT chosen(test, location.file, QString());
                return;
            }
            const QString fallback = !test.sourceFile().isEmpty()
                ? test.path
                : QDir(test.path).filePath(QStringLiteral("flake.nix"));
            if (test.path.isEmpty() || !QFileInfo(fallback).isFile()) {
                Q_EMIT failed(tr("Cannot find the file that holds %1: %2")
                        .arg(test.toString(), location.error));
                return;
            }
            Q_EMIT chosen(test, fallback,
                tr("the testScript of %1 was not located (%2)")
                    .arg(test.toString(), location.error));
        });
}

} // namespace nixtide
