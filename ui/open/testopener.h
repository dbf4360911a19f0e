#pragma once

#include "core/nix/testref.h"
#include "ui/open/testpickerdialog.h"

#include <QObject>
#include <QPointer>

class QWidget;

namespace nixtide {

// Turns what the user named (a .nix file, a flake directory or reference,
// with or without an attribute path) into the test the window opens: lists
// the tests in it (TestPickerDialog, `nix eval` on a worker thread), shows
// the picker when there are several, then finds the file holding the
// chosen one (TestInfo::locateTestScript, also on a worker). Nothing here
// waits on the GUI thread; the answer comes as chosen() or failed().
class TestOpener : public QObject
{
    Q_OBJECT

public:
    explicit TestOpener(QWidget *dialogParent);
    ~TestOpener() override;

    // A newer call supersedes one still listing or locating.
    void open(const QString &argument);
    // The picker while it is up (tests choose in it with choose()).
    TestPickerDialog *picker() const { return m_picker; }

Q_SIGNALS:
    void pickerShown(nixtide::TestPickerDialog *picker);
    // `file`: the .nix file that holds the test's script (for a flake test
    // not located, the flake.nix); `note`: why it is only a guess, or empty.
    void chosen(const nixtide::TestRef &test, const QString &file, const QString &note);
    void failed(const QString &message);

private:
    void onListed(const TestRef &source, int count, const QString &error);
    void locate(const TestRef &test);
    void closePicker();

    QWidget *m_dialogParent;
    QPointer<TestPickerDialog> m_picker;
    quint64 m_generation = 0;
};

} // namespace nixtide
