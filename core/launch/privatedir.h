#pragma once

#include <QString>

namespace nixtide {

// A directory only this user can enter (mode 0700, made by mkdtemp), removed
// with its contents when the object goes away. It holds the agent's socket:
// anyone who can connect to it can run code in the test driver.
class PrivateDir
{
public:
    PrivateDir() = default;
    ~PrivateDir();
    PrivateDir(const PrivateDir &) = delete;
    PrivateDir &operator=(const PrivateDir &) = delete;

    // Creates `<parent>/<prefix>XXXXXX`. False and `error` set on failure.
    bool create(const QString &parent, const QString &prefix, QString *error);
    QString path() const { return m_path; }
    void setAutoRemove(bool remove) { m_autoRemove = remove; }

private:
    QString m_path;
    bool m_autoRemove = true;
};

} // namespace nixtide
