# Wrapped by makeTest in all-tests.nix itself, not by this file.
{ pkgs, ... }:
{
  name = "make-test";
  nodes.machine = { };
  testScript = ''
    machine.start()
    machine.succeed("test -d /")
  '';
}
