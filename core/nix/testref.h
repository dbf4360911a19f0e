#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace nixtide {

// What the user asked to open:
//   file.nix, file.nix#attr.path   a .nix file (a function with defaulted
//                                  arguments is called with them)
//   DIR/, .#checks.x86_64-linux.t, path:DIR#…, git+file:…#…   a flake
//   DIR with bin/nixos-test-driver a built driver bundle
//   module:file.nix                a test module (`{ pkgs, lib, ... }: { nodes …;
//                                  testScript …; }`) given to
//                                  `(import <nixpkgs> { }).testers.runNixOSTest`,
//                                  as runTest would; nixtide picks this form
//                                  when nothing else in the tree builds it
//   module:file.nix?flake=DIR      the same with the `nixpkgs` input of the
//                                  flake in DIR
struct TestRef
{
    enum class Kind { NixFile, Flake, Bundle, Module };
    Kind kind = Kind::NixFile;
    QString path; // NixFile, Module: absolute .nix file; Flake: local flake dir (may be empty);
                  // Bundle: dir
    QString attrPath; // attribute path inside the file or flake, may be empty
    QString flakeRef; // Flake: the part before '#' (absolute when local); Module: the flake
                      // whose nixpkgs input runs it, empty for <nixpkgs>

    static std::optional<TestRef> parse(const QString &arg, QString *error);
    // The argument form again (file.nix#attr, ref#attr, bundle dir).
    QString toString() const;
    // The same test with `attr` appended to the attribute path.
    TestRef child(const QString &attr) const;
    // Attribute path split into names ("a.\"b.c\"" → a, b.c).
    static QStringList splitAttrPath(const QString &attrPath);
    static QString joinAttrPath(const QStringList &names);
    // The .nix file whose text holds the test (NixFile, Module), else empty.
    QString sourceFile() const
    {
        return kind == Kind::NixFile || kind == Kind::Module ? path : QString();
    }
};

} // namespace nixtide
