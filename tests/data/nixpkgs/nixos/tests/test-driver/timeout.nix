# The other test of the nested entry: opening node-name.nix must not offer it.
{
  name = "test-driver-timeout";
  nodes.machine = { };
  testScript = ''
    machine.start()
    machine.succeed("true", timeout=60)
  '';
}
