#pragma once

#include <QWidget>

class QLineEdit;
class QTreeView;
class QTreeWidget;

namespace nixtide {

class VariablesModel;

// Variables of the selected frame (lazy tree) above the watch expressions.
class VariablesView : public QWidget
{
    Q_OBJECT

public:
    explicit VariablesView(VariablesModel *model, QWidget *parent = nullptr);

    QStringList watches() const;
    void setWatches(const QStringList &expressions);
    void addWatch(const QString &expression);
    // Result of a watch evaluation; shown in red when it is an error.
    void setWatchResult(const QString &expression, const QString &value, bool error);
    // Asks for every watch to be evaluated again (after each stop).
    void refreshWatches();
    // Blanks every watch's value (the expressions stay): no session, no value.
    void clearWatchValues();
    QString watchValue(const QString &expression) const;

    QTreeView *variablesTree() const { return m_variables; }
    QTreeWidget *watchTree() const { return m_watches; }

Q_SIGNALS:
    void watchEvaluateRequested(const QString &expression);
    void watchesChanged();

private:
    QTreeView *m_variables;
    QTreeWidget *m_watches;
    QLineEdit *m_newWatch;
};

} // namespace nixtide
