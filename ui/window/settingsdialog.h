#pragma once

#include <QDialog>

class QComboBox;
class QFontComboBox;
class QSettings;
class QSpinBox;

namespace nixtide {

// Edit > Preferences: the editor's theme (light, dark, any of Kate's, or
// the desktop's), font and tab width, and how many run records are kept.
// OK applies and remembers them in the settings given; EditorTheme passes
// the editor's part to every open editor.
class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    static constexpr auto kKeepRunsKey = "review/keepRuns";
    static constexpr auto kKeepDaysKey = "review/keepDays";

    explicit SettingsDialog(QSettings *settings, QWidget *parent = nullptr);

    QComboBox *themeBox() const { return m_theme; }
    QFontComboBox *fontBox() const { return m_font; }
    QSpinBox *fontSizeBox() const { return m_fontSize; }
    QSpinBox *tabWidthBox() const { return m_tabWidth; }
    QSpinBox *keepRunsBox() const { return m_keepRuns; }
    QSpinBox *keepDaysBox() const { return m_keepDays; }

    void apply();

private:
    QSettings *m_settings;
    QComboBox *m_theme;
    QFontComboBox *m_font;
    QSpinBox *m_fontSize;
    QSpinBox *m_tabWidth;
    QSpinBox *m_keepRuns;
    QSpinBox *m_keepDays;
};

} // namespace nixtide
