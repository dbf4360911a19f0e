#include "ui/window/acceleration.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace nixtide {

bool kvmUsable(const QString &device)
{
    // These are the calls QEMU's -accel kvm makes first.
    const int fd = ::open(QFile::encodeName(device).constData(), O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool usable = ::ioctl(fd, KVM_GET_API_VERSION, 0) == KVM_API_VERSION;
    if (usable) {
        const int vm = ::ioctl(fd, KVM_CREATE_VM, 0);
        usable = vm >= 0;
        if (vm >= 0)
            ::close(vm);
    }
    ::close(fd);
    return usable;
}

bool cpuHasVirtualisation(const QString &cpuinfo)
{
    QFile file(cpuinfo);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    static const QRegularExpression flags(
        QStringLiteral("^flags\\s*:.*\\b(vmx|svm)\\b"), QRegularExpression::MultilineOption);
    return flags.match(QString::fromLatin1(file.readAll())).hasMatch();
}

bool hostKvmAvailable()
{
    return cpuHasVirtualisation() && kvmUsable();
}

std::optional<bool> processUsesKvm(qint64 pid, const QString &procRoot)
{
    if (pid <= 0)
        return std::nullopt;
    const QString fdDir = QStringLiteral("%1/%2/fd").arg(procRoot).arg(pid);
    QDir dir(fdDir);
    if (!dir.exists())
        return std::nullopt;
    const QStringList fds = dir.entryList(QDir::Files | QDir::System | QDir::NoDotAndDotDot);
    if (fds.isEmpty())
        return std::nullopt; // not readable: not ours
    for (const QString &fd : fds) {
        const QString target = QFileInfo(dir.filePath(fd)).symLinkTarget();
        if (target == QLatin1String("/dev/kvm") || target.contains(QLatin1String("kvm-vm")))
            return true;
    }
    return false;
}

QString hostAccelerationText(bool kvmAvailable)
{
    return kvmAvailable ? QCoreApplication::translate("nixtide", "KVM available")
                        : QCoreApplication::translate("nixtide", "no KVM");
}

QString machinesAccelerationText(const QList<bool> &usesKvm)
{
    if (usesKvm.isEmpty())
        return {};
    const auto kvm = static_cast<int>(usesKvm.count(true));
    if (kvm == usesKvm.size())
        return QCoreApplication::translate("nixtide", "KVM");
    if (kvm == 0)
        return QCoreApplication::translate("nixtide", "software emulation (no KVM)");
    return QCoreApplication::translate("nixtide", "KVM on %1 of %2 machines")
        .arg(kvm)
        .arg(usesKvm.size());
}

} // namespace nixtide
