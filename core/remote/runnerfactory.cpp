#include "core/remote/runnerfactory.h"

#include "core/launch/driverprocess.h"
#include "core/remote/remotedriverprocess.h"

namespace nixtide {

std::unique_ptr<DriverRunner> createDriverRunner(const QString &host, QString *error)
{
    if (host.isEmpty())
        return std::make_unique<DriverProcess>();
    SshTarget target;
    if (!SshTarget::parse(host, &target, error))
        return nullptr;
    return std::make_unique<RemoteDriverProcess>(target);
}

} // namespace nixtide
