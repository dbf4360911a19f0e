{ lib }:
lib.runTest {
  name = "one";
  nodes.machine = { };
  testScript = ''
    machine.succeed("one")
  '';
}
