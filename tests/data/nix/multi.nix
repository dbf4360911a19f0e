# A function with defaulted arguments holding two tests, one nested.
{ nonce ? "@NONCE@" }:
let
  lib = import ./testlib.nix { inherit nonce; };
in
{
  first = lib.runTest {
    name = "first";
    testScript = "start_all()";
  };
  group.second = lib.runTest {
    name = "second";
    testScript = { nodes, ... }: ''
      start_all()
    '';
  };
  notATest = "x";
}
