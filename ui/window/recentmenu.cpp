#include "ui/window/recentmenu.h"

#include <QFileInfo>
#include <QSettings>

namespace nixtide {

namespace {
constexpr int kKept = 10;

// A test reference (path:DIR#attr, file.nix#attr) names a file before '#'.
bool stillThere(const QString &entry)
{
    QString path = entry.section(u'#', 0, 0);
    if (path.startsWith(QLatin1String("path:")))
        path = path.mid(5);
    return path.contains(u':') || QFileInfo::exists(path);
}
} // namespace

RecentMenu::RecentMenu(
    const QString &title, QSettings *settings, const QString &key, QWidget *parent)
    : QMenu(title, parent)
    , m_settings(settings)
    , m_key(key)
{
    connect(this, &QMenu::aboutToShow, this, &RecentMenu::rebuild);
    rebuild();
}

QStringList RecentMenu::entries() const
{
    return m_settings->value(m_key).toStringList();
}

void RecentMenu::add(const QString &entry)
{
    QStringList list = entries();
    list.removeAll(entry);
    list.prepend(entry);
    m_settings->setValue(m_key, list.mid(0, kKept));
    rebuild();
}

void RecentMenu::rebuild()
{
    clear();
    QStringList list = entries();
    list.removeIf([](const QString &entry) { return !stillThere(entry); });
    for (int i = 0; i < list.size(); ++i) {
        const QString entry = list.at(i);
        // "&&": a path's own '&' is not a mnemonic.
        QString label = QFileInfo(entry.section(u'#', 0, 0)).fileName();
        if (entry.contains(u'#'))
            label += u'#' + entry.section(u'#', 1);
        QAction *action = addAction(QStringLiteral("&%1 %2")
                .arg(i + 1 < 10 ? i + 1 : 0)
                .arg(QString(label).replace(u'&', QLatin1String("&&"))));
        action->setToolTip(entry);
        action->setStatusTip(entry);
        connect(action, &QAction::triggered, this, [this, entry] { Q_EMIT chosen(entry); });
    }
    setEnabled(!list.isEmpty());
}

} // namespace nixtide
