#include "ui/editor/editortheme.h"

#include <QCoreApplication>
#include <QEvent>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QPalette>
#include <QPointer>
#include <QSettings>

#include <KSyntaxHighlighting/Repository>
#include <algorithm>

namespace nixtide {

namespace {

Q_GLOBAL_STATIC(KSyntaxHighlighting::Repository, s_repository)

QColor mix(QRgb base, QRgb tint, double amount)
{
    const QColor a = QColor::fromRgba(base);
    const QColor b = QColor::fromRgba(tint);
    const auto channel = [amount](int x, int y) { return int(x + (y - x) * amount); };
    return QColor(
        channel(a.red(), b.red()), channel(a.green(), b.green()), channel(a.blue(), b.blue()));
}

} // namespace

EditorColours EditorColours::from(const KSyntaxHighlighting::Theme &theme)
{
    using KSyntaxHighlighting::Theme;
    const auto role
        = [&theme](Theme::EditorColorRole r) { return QColor::fromRgba(theme.editorColor(r)); };
    const QRgb background = theme.editorColor(Theme::BackgroundColor);
    const QRgb markError = theme.editorColor(Theme::MarkError);
    EditorColours c;
    c.background = QColor::fromRgba(background);
    c.text = QColor::fromRgba(theme.textColor(Theme::Normal));
    c.caretLine = role(Theme::CurrentLine);
    c.selection = role(Theme::TextSelection);
    c.matchedBrace = role(Theme::BracketMatching);
    c.marginBackground = role(Theme::IconBorder);
    c.lineNumbers = role(Theme::LineNumbers);
    c.currentLine = mix(background, theme.editorColor(Theme::MarkExecution), 0.35);
    c.exceptionLine = mix(background, markError, 0.3);
    c.error = QColor::fromRgba(theme.textColor(Theme::Error));
    c.errorPaper = mix(background, markError, 0.15);
    c.exceptionPaper = mix(background, markError, 0.3);
    c.warning = QColor::fromRgba(theme.textColor(Theme::Warning));
    c.warningPaper = mix(background, theme.editorColor(Theme::MarkWarning), 0.2);
    return c;
}

EditorTheme::EditorTheme(QObject *parent)
    : QObject(parent)
{
    if (parent)
        parent->installEventFilter(this);
}

EditorTheme *EditorTheme::instance()
{
    // Owned by the application object, so it dies with it.
    static QPointer<EditorTheme> shared;
    if (!shared)
        shared = new EditorTheme(QCoreApplication::instance());
    return shared;
}

KSyntaxHighlighting::Repository &EditorTheme::repository()
{
    return *s_repository;
}

KSyntaxHighlighting::Theme EditorTheme::theme() const
{
    if (!m_chosen.isEmpty()) {
        const KSyntaxHighlighting::Theme chosen = repository().theme(m_chosen);
        if (chosen.isValid())
            return chosen;
    }
    return repository().themeForPalette(QGuiApplication::palette());
}

QStringList EditorTheme::themeNames() const
{
    QStringList names;
    for (const KSyntaxHighlighting::Theme &theme : repository().themes())
        names.append(theme.name());
    return names;
}

void EditorTheme::restore(const QSettings &settings)
{
    const QString name = settings.value(QLatin1String(kSettingsKey)).toString();
    if (!name.isEmpty() && !repository().theme(name).isValid())
        qWarning("nixtide: %s: unknown editor theme \"%s\" in %s; following the desktop palette",
            kSettingsKey, qPrintable(name), qPrintable(settings.fileName()));
    const QString font = settings.value(QLatin1String(kFontKey)).toString();
    const int tabWidth = std::clamp(settings.value(QLatin1String(kTabWidthKey), 0).toInt(), 0, 16);
    if (name == m_chosen && font == m_font && tabWidth == m_tabWidth)
        return;
    m_chosen = name;
    m_font = font;
    m_tabWidth = tabWidth;
    Q_EMIT changed();
}

QFont EditorTheme::font() const
{
    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    if (!m_font.isEmpty())
        font.fromString(m_font);
    return font;
}

void EditorTheme::setFont(const QFont &font, QSettings *settings)
{
    const QString text = font.toString();
    if (settings)
        settings->setValue(QLatin1String(kFontKey), text);
    if (text == m_font)
        return;
    m_font = text;
    Q_EMIT changed();
}

void EditorTheme::setTabWidth(int width, QSettings *settings)
{
    if (settings)
        settings->setValue(QLatin1String(kTabWidthKey), width);
    if (width == m_tabWidth)
        return;
    m_tabWidth = width;
    Q_EMIT changed();
}

void EditorTheme::choose(const QString &name, QSettings *settings)
{
    if (settings) {
        if (name.isEmpty())
            settings->remove(QLatin1String(kSettingsKey));
        else
            settings->setValue(QLatin1String(kSettingsKey), name);
    }
    if (name == m_chosen)
        return;
    m_chosen = name;
    Q_EMIT changed();
}

bool EditorTheme::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == parent() && event->type() == QEvent::ApplicationPaletteChange
        && m_chosen.isEmpty())
        Q_EMIT changed();
    return QObject::eventFilter(watched, event);
}

} // namespace nixtide
