# Two nodes, a testScript with escapes and antiquotations.
let
  lib = import ./testlib.nix { nonce = "@NONCE@"; };
  greeting = "hello";
  setup = ''
    machine.succeed("true")
    other.succeed("true")
  '';
in
lib.runTest {
  name = "single";
  nodes.machine = { };
  nodes.other = { };
  testScript = ''
    start_all()
    machine.succeed("echo ${greeting}")
    ${setup}
    cost = "''${HOME} '''x'''"

    with subtest("second"):
        other.succeed("true")
  '';
}
