#pragma once

#include <QMenu>

class QSettings;

namespace nixtide {

// File > Recent Files / Recent Tests: the last ten paths (or test
// references) opened, newest first, kept in the settings under `key`.
// Choosing one emits chosen(); entries that no longer exist are dropped
// when the menu opens.
class RecentMenu : public QMenu
{
    Q_OBJECT

public:
    RecentMenu(
        const QString &title, QSettings *settings, const QString &key, QWidget *parent = nullptr);

    void add(const QString &entry);
    QStringList entries() const;

Q_SIGNALS:
    void chosen(const QString &entry);

private:
    void rebuild();

    QSettings *m_settings;
    QString m_key;
};

} // namespace nixtide
