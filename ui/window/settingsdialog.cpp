#include "ui/window/settingsdialog.h"

#include "ui/editor/editortheme.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace nixtide {

SettingsDialog::SettingsDialog(QSettings *settings, QWidget *parent)
    : QDialog(parent)
    , m_settings(settings)
    , m_theme(new QComboBox(this))
    , m_font(new QFontComboBox(this))
    , m_fontSize(new QSpinBox(this))
    , m_tabWidth(new QSpinBox(this))
    , m_keepRuns(new QSpinBox(this))
    , m_keepDays(new QSpinBox(this))
{
    setWindowTitle(tr("Preferences"));
    EditorTheme *theme = EditorTheme::instance();

    // Light and dark first: what most people choose between.
    m_theme->addItem(tr("Follow the desktop (light or dark)"), QString());
    m_theme->addItem(tr("Light (Breeze Light)"), QStringLiteral("Breeze Light"));
    m_theme->addItem(tr("Dark (Breeze Dark)"), QStringLiteral("Breeze Dark"));
    m_theme->insertSeparator(m_theme->count());
    for (const QString &name : theme->themeNames()) {
        if (name != QLatin1String("Breeze Light") && name != QLatin1String("Breeze Dark"))
            m_theme->addItem(name, name);
    }
    m_theme->setCurrentIndex(std::max(0, m_theme->findData(theme->chosenName())));

    const QFont font = theme->font();
    m_font->setFontFilters(QFontComboBox::MonospacedFonts);
    m_font->setCurrentFont(font);
    m_fontSize->setRange(6, 48);
    m_fontSize->setSuffix(tr(" pt"));
    m_fontSize->setValue(font.pointSize() > 0 ? font.pointSize() : 10);

    m_tabWidth->setRange(0, 16);
    m_tabWidth->setSpecialValueText(tr("by language (Nix 2, Python 4)"));
    m_tabWidth->setValue(theme->tabWidth());

    m_keepRuns->setRange(0, 10000);
    m_keepRuns->setSpecialValueText(tr("all"));
    m_keepRuns->setValue(m_settings->value(QLatin1String(kKeepRunsKey), 0).toInt());
    m_keepDays->setRange(0, 3650);
    m_keepDays->setSpecialValueText(tr("forever"));
    m_keepDays->setSuffix(tr(" days"));
    m_keepDays->setValue(m_settings->value(QLatin1String(kKeepDaysKey), 0).toInt());

    auto *editor = new QGroupBox(tr("Editor"), this);
    auto *editorForm = new QFormLayout(editor);
    editorForm->addRow(tr("&Theme:"), m_theme);
    editorForm->addRow(tr("&Font:"), m_font);
    editorForm->addRow(tr("Font &size:"), m_fontSize);
    editorForm->addRow(tr("Ta&b width:"), m_tabWidth);
    auto *runs = new QGroupBox(tr("Run records"), this);
    auto *runsForm = new QFormLayout(runs);
    runsForm->addRow(tr("&Keep runs per test:"), m_keepRuns);
    runsForm->addRow(tr("Keep runs &for:"), m_keepDays);

    auto *buttons = new QDialogButtonBox(
        QDialogButtonBox::Ok | QDialogButtonBox::Apply | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        apply();
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons->button(QDialogButtonBox::Apply), &QPushButton::clicked, this,
        &SettingsDialog::apply);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(editor);
    layout->addWidget(runs);
    layout->addWidget(buttons);
}

void SettingsDialog::apply()
{
    EditorTheme *theme = EditorTheme::instance();
    theme->choose(m_theme->currentData().toString(), m_settings);
    QFont font = m_font->currentFont();
    font.setPointSize(m_fontSize->value());
    theme->setFont(font, m_settings);
    theme->setTabWidth(m_tabWidth->value(), m_settings);
    m_settings->setValue(QLatin1String(kKeepRunsKey), m_keepRuns->value());
    m_settings->setValue(QLatin1String(kKeepDaysKey), m_keepDays->value());
}

} // namespace nixtide
