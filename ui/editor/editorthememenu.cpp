#include "ui/editor/editorthememenu.h"

#include "ui/editor/editortheme.h"

#include <QActionGroup>

#include <KSyntaxHighlighting/Repository>

namespace nixtide {

EditorThemeMenu::EditorThemeMenu(QSettings *settings, QWidget *parent)
    : QMenu(tr("Editor &Theme"), parent)
    , m_settings(settings)
    , m_group(new QActionGroup(this))
{
    setObjectName(QStringLiteral("EditorThemeMenu"));
    const auto add = [this](const QString &text, const QString &name) {
        QAction *action = addAction(text);
        action->setCheckable(true);
        action->setData(name);
        m_group->addAction(action);
        connect(action, &QAction::triggered, this,
            [this, name] { EditorTheme::instance()->choose(name, m_settings); });
    };
    add(tr("Follow Desktop Colours"), QString());
    addSeparator();
    for (const KSyntaxHighlighting::Theme &theme : EditorTheme::repository().themes())
        add(theme.translatedName(), theme.name());
    updateChecked();
    connect(EditorTheme::instance(), &EditorTheme::changed, this, &EditorThemeMenu::updateChecked);
}

void EditorThemeMenu::updateChecked()
{
    const QString chosen = EditorTheme::instance()->chosenName();
    for (QAction *action : m_group->actions())
        action->setChecked(action->data().toString() == chosen);
}

} // namespace nixtide
