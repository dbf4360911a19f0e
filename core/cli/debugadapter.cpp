#include "core/cli/debugadapter.h"

namespace nixtide::cli {

int debugAdapter(const QStringList &arguments)
{
    Q_UNUSED(arguments);
    return 2;
}

} // namespace nixtide::cli
