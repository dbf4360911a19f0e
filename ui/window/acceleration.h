#pragma once

#include <QList>
#include <QString>

#include <optional>

namespace nixtide {

// Whether QEMU could use KVM here: /dev/kvm opens read-write, answers the
// API version and creates a VM. A device node alone proves little (nested
// guests have one that cannot run anything useful).
bool kvmUsable(const QString &device = QStringLiteral("/dev/kvm"));
// Whether the CPU advertises hardware virtualisation (vmx or svm flags).
bool cpuHasVirtualisation(const QString &cpuinfo = QStringLiteral("/proc/cpuinfo"));
// What the host offers before any machine runs: both checks must pass.
bool hostKvmAvailable();

// What a running QEMU really uses: a process accelerated by KVM holds
// descriptors on /dev/kvm and its anon_inode:kvm-vm; one under TCG holds
// neither. nullopt when the process cannot be inspected (gone, not ours).
// procRoot is for tests.
std::optional<bool> processUsesKvm(qint64 pid, const QString &procRoot = QStringLiteral("/proc"));

// Status bar words. Host check: "KVM available" or "no KVM". Machines: one
// entry per inspected QEMU, true when it uses KVM: "KVM", "software
// emulation (no KVM)" or "KVM on 1 of 2 machines".
QString hostAccelerationText(bool kvmAvailable);
QString machinesAccelerationText(const QList<bool> &usesKvm);

} // namespace nixtide
