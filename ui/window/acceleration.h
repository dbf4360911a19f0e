#pragma once

#include <QString>

namespace nixtide {

// Whether QEMU can use KVM here: /dev/kvm exists and this user may open it
// for reading and writing. Without it guests run under software emulation,
// many times slower, which the status bar says plainly.
bool kvmUsable(const QString &device = QStringLiteral("/dev/kvm"));
QString accelerationText(bool kvm);

} // namespace nixtide
