{
  name = "imported-script";
  nodes.machine = { };
  testScript = import ./imported-script-text.nix;
}
