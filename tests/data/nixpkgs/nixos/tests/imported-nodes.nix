# The nodes come from a file of their own: no machine name is in this
# text, only Nix's evaluation names `gateway-1` (lint knows it from there).
{ ... }:
{
  name = "imported-nodes";
  nodes = import ./imported-nodes-machines.nix;
  testScript = ''
    gateway_1.start()
    gateway_1.succeed("true")
  '';
}
