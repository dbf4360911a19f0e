#pragma once

// Small file and process helpers the suites share.
#include <QByteArray>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QString>
#include <QTest>

namespace nixtide::testing {

inline bool writeFile(const QString &path, const QByteArray &data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

// Fails the calling test function when the file cannot be written.
inline void writeAll(const QString &path, const QString &text)
{
    QVERIFY2(writeFile(path, text.toUtf8()), qPrintable(path));
}

inline QString readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

// Pids whose command line or environment mention `needle`.
inline QStringList processesMentioning(const QString &needle)
{
    QStringList found;
    const QByteArray n = needle.toUtf8();
    const QStringList pids = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &pid : pids) {
        bool isNumber = false;
        if (pid.toInt(&isNumber) == QCoreApplication::applicationPid() || !isNumber)
            continue;
        for (const char *file : {"cmdline", "environ"}) {
            QFile f(QStringLiteral("/proc/%1/%2").arg(pid, QLatin1StringView(file)));
            if (f.open(QIODevice::ReadOnly) && f.readAll().contains(n)) {
                found.append(
                    pid + u' ' + readAll(QStringLiteral("/proc/%1/comm").arg(pid)).trimmed());
                break;
            }
        }
    }
    return found;
}

} // namespace nixtide::testing
