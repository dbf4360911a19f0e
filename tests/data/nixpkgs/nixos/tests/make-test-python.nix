# The old entry point: `import ./make-test-python.nix ({ pkgs, ... }: { … })`.
f:
{
  system ? builtins.currentSystem,
  pkgs ? import ../.. { inherit system; },
  ...
}@args:
pkgs.nixosLib.makeTest (
  if builtins.isFunction f then
    f (
      args
      // {
        inherit pkgs;
        inherit (pkgs) lib;
      }
    )
  else
    f
)
