#pragma once

#include "core/nix/testref.h"

#include <QDialog>

#include <optional>

class QDialogButtonBox;
class QLabel;
class QListWidget;

namespace nixtide {

// Lets the user choose one test of a .nix file or flake: lists the
// attribute paths TestInfo::listTests finds (a `nix eval` on a worker
// thread) and shows Nix's error when there are none.
//
//   TestPickerDialog picker(*TestRef::parse(dir, &error), window);
//   if (picker.exec() == QDialog::Accepted) open(*picker.chosenTest());
class TestPickerDialog : public QDialog
{
    Q_OBJECT

public:
    explicit TestPickerDialog(const TestRef &source, QWidget *parent = nullptr);

    // The chosen test (`source` with the attribute path filled in).
    std::optional<TestRef> chosenTest() const;
    QListWidget *list() const { return m_list; }
    // Selects the test at `attrPath` and accepts, as a user's double-click
    // would (tests, scripted use); false when the list has no such test.
    bool choose(const QString &attrPath);
    QString statusText() const;

Q_SIGNALS:
    // The list arrived: `count` tests (0 with `error` set when listing failed).
    void listed(int count, const QString &error);

private:
    void onListed(const QStringList &tests, const QString &error, const QString &how);

    TestRef m_source;
    QLabel *m_status;
    QListWidget *m_list;
    QDialogButtonBox *m_buttons;
};

} // namespace nixtide
