#pragma once

#include "core/nix/nixbuild.h"

#include <QString>

#include <cstdio>

namespace nixtide {

// Headless build progress for `nixtide run` and friends:
//   Terminal  one line rewritten in place (\r, erase to end of line)
//   Plain     one line per change of what is being built (logs, CI)
//   Json      one JSON object per line for tools:
//             {"event":"progress",…} {"event":"log",…} {"event":"finished",…}
class ProgressFormatter
{
public:
    enum class Mode { Terminal, Plain, Json };
    // "auto" (Terminal when `out` is a terminal, else Plain), "plain", "json".
    static std::optional<Mode> parseMode(const QString &name, FILE *out);

    explicit ProgressFormatter(Mode mode)
        : m_mode(mode)
    { }
    Mode mode() const { return m_mode; }

    // Text to write for each event; empty when there is nothing to show.
    QString progress(const NixProgress &p);
    QString logLine(const QString &derivation, const QString &line);
    QString finished(const NixBuildResult &result);
    static QString summary(const NixProgress &p); // "[2/5 built, 1 running] foo"

    // Connects to `build` and writes to `out` as events arrive.
    void attach(NixBuild *build, FILE *out, bool showLogs);

private:
    QString clearLine() const;
    Mode m_mode;
    QString m_lastPlain;
    bool m_lineOpen = false;
};

} // namespace nixtide
