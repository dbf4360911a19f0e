#pragma once

#include <QHash>
#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <functional>

namespace nixtide {

struct NixProgress
{
    int done = 0; // derivations built
    int expected = 0; // derivations to build
    int running = 0;
    int failed = 0;
    int downloadsDone = 0; // store paths substituted from a cache
    int downloadsExpected = 0;
    qint64 bytesDone = 0; // bytes transferred, when Nix reports them
    qint64 bytesExpected = 0;
    QString current; // the derivation most recently started, e.g. "driver-interactive"
    QString currentDrv; // its .drv path
    QString phase; // the builder's phase when it reports one
    QJsonObject toJson() const;
};

struct NixError
{
    enum class Kind {
        None,
        Eval,
        Build,
        NixMissing,
        FileMissing,
        AttributeMissing,
        Cancelled,
        Other
    };
    Kind kind = Kind::None;
    QString file; // working-tree path when it could be mapped
    int line = 0;
    int column = 0;
    QString message; // one line, no ANSI colours
    QString details; // Nix's full message (trace, code excerpt), no colours
    QString derivation; // Build: the .drv that failed
    QStringList logTail; // Build: its last log lines
    static QString kindName(Kind kind);
    // "file:line:column: error: message", then the details or the log tail.
    QString toText() const;
    QJsonObject toJson() const;
};

// Reads Nix's `--log-format internal-json` stream (`@nix {…}` lines on
// stderr) into a progress model, log lines and the error Nix reported.
class NixLogParser
{
public:
    // Maps a store path of a flake's source copy to the working tree.
    std::function<QString(const QString &)> mapPath;
    std::function<void(const NixProgress &)> onProgress;
    std::function<void(const QString &drvName, const QString &line)> onLogLine;
    // Nix's own messages at warning level or above (errors and the hints
    // after them), as Nix would print them: ANSI colours kept.
    std::function<void(const QString &text)> onMessage;

    void feed(const QByteArray &line);
    const NixProgress &progress() const { return m_progress; }
    // The error to show: the last error-level message, classified.
    NixError error() const;
    static QString stripAnsi(const QString &text);
    static QString drvName(const QString &drvPath); // /nix/store/…-foo.drv → foo

private:
    void handle(const QJsonObject &o);
    NixProgress m_progress;
    QHash<qint64, int> m_types; // activity id → type
    QHash<qint64, QString> m_buildDrvs; // build activity id → drv path
    QHash<QString, QStringList> m_tails; // drv path → last log lines
    QString m_lastFailedDrv;
    QList<QJsonObject> m_errors;
    QStringList m_plainLines; // stderr lines that were not JSON
};

} // namespace nixtide

Q_DECLARE_METATYPE(nixtide::NixProgress)
Q_DECLARE_METATYPE(nixtide::NixError)
