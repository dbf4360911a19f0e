#pragma once

#include <QWidget>

class QComboBox;
class QLineEdit;
class QTreeView;

namespace nixtide {

class LogFilterModel;
class LogTreeModel;

// The log dock's content: filter by machine and text above the step tree.
class LogView : public QWidget
{
    Q_OBJECT

public:
    explicit LogView(LogTreeModel *model, QWidget *parent = nullptr);

    LogFilterModel *filterModel() const { return m_filter; }
    QTreeView *tree() const { return m_tree; }
    QComboBox *machineFilter() const { return m_machine; }
    QLineEdit *textFilter() const { return m_text; }

Q_SIGNALS:
    // A step with a known script line was activated (double-click, Enter).
    // path: the file the line is in; empty when the step did not say.
    void scriptLineActivated(int line, const QString &path);
    // A step with a picture (an OCR attempt's screen) was activated.
    void imageActivated(const QString &imagePath, const QString &title);

private:
    LogTreeModel *m_model;
    LogFilterModel *m_filter;
    QComboBox *m_machine;
    QLineEdit *m_text;
    QTreeView *m_tree;
};

} // namespace nixtide
