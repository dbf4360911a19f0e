#pragma once

#include <QLockFile>
#include <QString>

#include <memory>

namespace nixtide {

// The directory a --keep-vm-state run gives the driver as its working
// directory: the `vm-state-<machine>` directories stay there for the next run
// of the test. Only one run may use it at a time (a lock held for the
// object's life), and what the driver puts there only for one run (its VLAN
// control sockets `vde<N>.ctl`, the shared directory) is removed before the
// run, in case a killed run left it, and when the object goes away.
class KeptStateDir
{
public:
    KeptStateDir() = default;
    ~KeptStateDir();
    KeptStateDir(const KeptStateDir &) = delete;
    KeptStateDir &operator=(const KeptStateDir &) = delete;

    // Creates `path` (mode 0700) and takes it. False and `error` set when
    // another run holds it or it cannot be made.
    bool take(const QString &path, QString *error);
    QString path() const { return m_path; }

private:
    void removeRunLeftovers() const;

    QString m_path;
    std::unique_ptr<QLockFile> m_lock;
};

} // namespace nixtide
