# Shaped like nixpkgs' nixos/tests/all-tests.nix: one attribute per test,
# written the ways nixpkgs writes them.
{ system, pkgs }:
let
  inherit (pkgs.nixosLib) runTest;
  handleTest = path: args: import path ({ inherit system pkgs; } // args);
  handleTestOn =
    systems: path: args:
    if builtins.elem system systems then handleTest path args else { };
in
{
  module-style = runTest ./module-style.nix;
  plain-set = runTest ./plain-set.nix;
  let-in = runTest ./let-in.nix;
  # An old-style test (./old-style.nix is not module-style).
  old-style = handleTest ./old-style.nix { };
  several = handleTestOn [ "x86_64-linux" ] ./several.nix { };
  read-file = runTest ./read-file;
  imported-script = runTest { imports = [ ./imported-script.nix ]; };
  nodes-function = runTest ./nodes-function.nix;
  containers = runTest ./containers.nix;
  imported-nodes = runTest ./imported-nodes.nix;
  # Nested, as nixpkgs' `nixos-test-driver = { node-name = runTest ./…; … }`.
  test-driver = {
    node-name = runTest ./test-driver/node-name.nix;
    timeout = runTest ./test-driver/timeout.nix;
  };
  # makeTest written here rather than in the test's file.
  make-test = pkgs.nixosLib.makeTest (import ./make-test.nix { inherit pkgs; });
}
