#include "ui/machines/consolecolorscheme.h"

#include <QColor>
#include <QDir>
#include <QPalette>
#include <QSaveFile>

#include <array>
#include <unistd.h>

namespace nixtide {

namespace {

struct AnsiColour
{
    QColor normal;
    QColor intense;
};

// Tango: readable on light and dark backgrounds alike.
const std::array<AnsiColour, 8> kAnsi {{
    {QColor(0, 0, 0), QColor(85, 87, 83)},
    {QColor(204, 0, 0), QColor(239, 41, 41)},
    {QColor(78, 154, 6), QColor(138, 226, 52)},
    {QColor(196, 160, 0), QColor(252, 233, 79)},
    {QColor(52, 101, 164), QColor(114, 159, 207)},
    {QColor(117, 80, 123), QColor(173, 127, 168)},
    {QColor(6, 152, 154), QColor(52, 226, 226)},
    {QColor(211, 215, 207), QColor(238, 238, 236)},
}};

QColor mix(const QColor &a, const QColor &b)
{
    return QColor((a.red() + b.red()) / 2, (a.green() + b.green()) / 2, (a.blue() + b.blue()) / 2);
}

QByteArray entry(const QByteArray &name, const QColor &colour)
{
    return "[" + name + "]\nColor=" + QByteArray::number(colour.red()) + ','
        + QByteArray::number(colour.green()) + ',' + QByteArray::number(colour.blue()) + "\n\n";
}

} // namespace

QString consoleColorSchemeFile(const QPalette &palette)
{
    const QColor background = palette.color(QPalette::Active, QPalette::Base);
    const QColor foreground = palette.color(QPalette::Active, QPalette::Text);
    QByteArray scheme;
    scheme += entry("Background", background);
    scheme += entry("BackgroundIntense", background);
    scheme += entry("BackgroundFaint", background);
    scheme += entry("Foreground", foreground);
    scheme += entry("ForegroundIntense", foreground);
    scheme += entry("ForegroundFaint", mix(foreground, background));
    for (size_t i = 0; i < kAnsi.size(); ++i) {
        const QByteArray name = "Color" + QByteArray::number(qulonglong(i));
        scheme += entry(name, kAnsi[i].normal);
        scheme += entry(name + "Intense", kAnsi[i].intense);
        scheme += entry(name + "Faint", mix(kAnsi[i].normal, background));
    }
    scheme += "[General]\nDescription=nixtide (application palette)\nOpacity=1\n";

    // QTermWidget names a scheme after its file and keeps it by that name:
    // a new palette needs a new name.
    const QString dir
        = QDir::temp().filePath(QStringLiteral("nixtide-%1/colorschemes").arg(getuid()));
    const QString path = QStringLiteral("%1/nixtide-%2-%3.colorscheme")
                             .arg(dir, background.name().mid(1), foreground.name().mid(1));
    if (QFile::exists(path))
        return path;
    QSaveFile file(path);
    if (!QDir().mkpath(dir) || !file.open(QIODevice::WriteOnly) || file.write(scheme) < 0
        || !file.commit()) {
        qWarning("serial console: cannot write the colour scheme %s", qPrintable(path));
        return {};
    }
    return path;
}

} // namespace nixtide
