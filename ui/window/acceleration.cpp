#include "ui/window/acceleration.h"

#include <QCoreApplication>
#include <QFile>

#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace nixtide {

bool kvmUsable(const QString &device)
{
    // Asking the kernel is the real test: a device node can exist (and even
    // open) while the module behind it cannot create a VM, e.g. in a nested
    // guest without virtualisation extensions. These are the calls QEMU's
    // -accel kvm makes first.
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

QString accelerationText(bool kvm)
{
    return kvm ? QCoreApplication::translate("nixtide", "KVM")
               : QCoreApplication::translate("nixtide", "software emulation (no KVM: slow)");
}

} // namespace nixtide
