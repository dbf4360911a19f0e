# The script of imported-script.nix, imported as a Nix value.
{ nodes, ... }:
''
  machine.start()
  machine.succeed("test ${nodes.machine.networking.hostName} = machine")
''
