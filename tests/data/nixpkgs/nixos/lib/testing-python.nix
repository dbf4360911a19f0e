# What old-style multi-test files import (`with import ../lib/testing-python.nix { … }`).
{
  system ? builtins.currentSystem,
  pkgs ? import ../.. { inherit system; },
}:
{
  inherit (pkgs.nixosLib) makeTest runTest;
}
