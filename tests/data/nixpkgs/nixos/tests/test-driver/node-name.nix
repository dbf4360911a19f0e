# Nested in all-tests.nix (`test-driver.node-name`), as nixpkgs nests
# `nixos-test-driver = { node-name = runTest ./…; … }`.
{ lib, ... }:
{
  name = "test-driver-node-name";
  nodes."node-with-dashes" = { };
  testScript = ''
    node_with_dashes.start()
    node_with_dashes.succeed("hostname")
  '';
}
