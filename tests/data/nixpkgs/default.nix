# A nixpkgs checkout in miniature, for nixtide's tests of real test files:
# `nixosTests` from nixos/tests/all-tests.nix, `testers.runNixOSTest`, and a
# nixos/lib with runTest and makeTest, all built by nixtide's demo library
# (no nixpkgs exists here). Used as a checkout (`-f default.nix
# nixosTests.<name>`) and as `<nixpkgs>` on NIX_PATH for test modules that
# stand alone.
{
  system ? builtins.currentSystem,
  ...
}:
let
  # Tests copy this tree elsewhere; NIXTIDE_DEMO_LIB then names the library.
  demoLibDir =
    let
      fromEnv = builtins.getEnv "NIXTIDE_DEMO_LIB";
    in
    if fromEnv != "" then /. + fromEnv else ../../../resources/demo/lib;
  demo = import demoLibDir { inherit system; };
  pkgs = demo.pkgs // {
    inherit system;
    lib = import (demoLibDir + "/lib.nix");
    nixosLib = import ./nixos/lib { inherit demo; };
    nixosTests = import ./nixos/tests/all-tests.nix { inherit system pkgs; };
    testers.runNixOSTest = pkgs.nixosLib.runTest;
  };
in
pkgs
