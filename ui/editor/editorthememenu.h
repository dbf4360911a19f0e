#pragma once

#include <QMenu>

class QActionGroup;
class QSettings;

namespace nixtide {

// View > Editor Theme: "Follow Desktop Colours" and every KSyntaxHighlighting
// theme, the current one checked. A choice goes to EditorTheme and is
// remembered in the given settings.
class EditorThemeMenu : public QMenu
{
    Q_OBJECT

public:
    EditorThemeMenu(QSettings *settings, QWidget *parent = nullptr);

private:
    void updateChecked();

    QSettings *m_settings;
    QActionGroup *m_group;
};

} // namespace nixtide
