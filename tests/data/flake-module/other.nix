# A test module of the project that no check uses.
{ lib, ... }:
{
  name = "other";
  nodes.machine = { };
  testScript = ''
    machine.start()
    machine.succeed("true")
  '';
}
