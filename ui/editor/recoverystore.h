#pragma once

#include <QString>

#include <optional>

namespace nixtide {

// Copies of unsaved editor buffers, so that a crash loses at most a few
// seconds of typing. One JSON file per source file under
// $XDG_STATE_HOME/nixtide/recovery (or a directory given by tests).
class RecoveryStore
{
public:
    explicit RecoveryStore(QString directory = defaultDirectory());

    static QString defaultDirectory();
    QString directory() const { return m_dir; }

    // The recovery file that belongs to the source file at path.
    QString recoveryFileFor(const QString &path) const;

    // Atomically replaces the recovery copy of path with text.
    bool write(const QString &path, const QString &text, QString *error = nullptr);
    void remove(const QString &path);

    // The recovered text when a recovery copy of path exists, is newer than
    // the file and differs from it; nothing otherwise (a stale copy is
    // removed).
    std::optional<QString> pending(const QString &path);

private:
    QString m_dir;
};

} // namespace nixtide
