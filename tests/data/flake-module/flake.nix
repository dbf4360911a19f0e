# A project's flake whose check gives a module-style test file to
# runNixOSTest of its `nixpkgs` input, as projects write
# `checks.<system>.<name> = pkgs.testers.runNixOSTest ./test.nix`; other.nix is
# a test module no check uses (nixtide runs it through the same input).
# A template like ../flake-demo: tests/open/demoflake.py copies it with
# test.nix and other.nix, and writes nixpkgs-flake.nix (a stand-in for
# nixpkgs made from the demo library) as the `nixpkgs` input beside it.
{
  inputs.nixpkgs.url = "path:@NIXPKGS_DIR@";

  outputs =
    { self, nixpkgs }:
    let
      pkgs = nixpkgs.legacyPackages.x86_64-linux;
    in
    {
      checks.x86_64-linux.module-check = pkgs.testers.runNixOSTest ./test.nix;
    };
}
