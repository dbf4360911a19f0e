{ pkgs, ... }:
{
  name = "nodes-function";
  nodes = {
    # the only node
    machine = { }; # no options
  };
  testScript =
    { nodes, ... }:
    ''
      machine.start()
      machine.succeed("test $(hostname) = ${nodes.machine.networking.hostName}")
    '';
}
