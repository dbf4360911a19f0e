# Module style: the flake's check, never called on its own.
{ pkgs, lib, ... }:
{
  name = "module-check";
  nodes.machine = { };
  testScript = ''
    machine.start()
    machine.succeed("uname -a")
  '';
}
