#pragma once

#include "core/launch/driverrunner.h"

#include <memory>

namespace nixtide {

// The runner for a launch plan's host: this machine when `host` is empty,
// else an `ssh://…` host. Null with `error` naming the value when it is not
// a host nixtide can reach.
std::unique_ptr<DriverRunner> createDriverRunner(const QString &host, QString *error);

} // namespace nixtide
