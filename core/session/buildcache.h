#pragma once

#include "core/session/launchplan.h"
#include "core/session/scriptreuse.h"

#include <QString>

#include <optional>

namespace nixtide {

// The last build of each test run with `nixtide run --reuse-build`: its
// bundle and the .nix text and testScript location it was built from, one
// JSON file per test and attribute under DataPaths::stateDir()/builds, so
// that the next run can check an edit with ScriptReuse instead of Nix.
class BuildCache
{
public:
    struct Entry
    {
        LaunchPlan plan; // bundle, sourcePath and the built script's line map
        BuiltSource source;
    };

    explicit BuildCache(const QString &dir = QString()); // empty: stateDir()/builds

    bool save(const QString &test, const QString &attribute, const LaunchPlan &plan,
        const BuiltSource &source, QString *error) const;
    // nullopt with `why` set when there is no usable entry (none yet, or its
    // bundle is gone from the store).
    std::optional<Entry> load(const QString &test, const QString &attribute, QString *why) const;

private:
    QString fileFor(const QString &test, const QString &attribute) const;

    QString m_dir;
};

} // namespace nixtide
