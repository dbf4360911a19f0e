#pragma once

#include <QString>
#include <QStringList>

namespace nixtide {

// Where a remote run goes: `ssh://[user@]host[:port]`, as the user writes it
// in the session's settings or `nixtide run --host`. Extra ssh options (an
// identity, a known-hosts file) come from NIX_SSHOPTS, the variable Nix's own
// ssh stores read, so one setting serves nixtide and `nix copy`.
struct SshTarget
{
    QString user; // empty: ssh's default (the config's User, else ours)
    QString host;
    int port = 0; // 0: ssh's default
    QStringList options; // passed to every ssh command before the destination

    // False with `error` naming the value when `uri` is not ssh://[user@]host[:port].
    static bool parse(const QString &uri, SshTarget *target, QString *error);
    static QStringList optionsFromEnvironment();

    QString destination() const; // user@host or host
    QString uri() const; // ssh://user@host:port, as parsed
    // The store URI `nix copy --to` takes; the port goes in NIX_SSHOPTS.
    QString storeUri() const;
    bool isValid() const { return !host.isEmpty(); }
};

} // namespace nixtide
