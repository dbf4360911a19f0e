# Two machines on VLAN 1: a TCP exchange with nc, then the client's link is
# blocked and healed. The testScript is a function of the evaluated nodes, so
# the server's address is an antiquotation. Environment-era driver bundle
# (nixos-22.11 to 25.05).
{
  demo ? import ./lib { },
}:
demo.runTest {
  name = "vlan";
  driverGeneration = "environment";

  nodes = {
    server = {
      virtualisation.vlans = [ 1 ];
    };
    client = {
      virtualisation.vlans = [ 1 ];
    };
  };

  testScript =
    { nodes, ... }:
    ''
      start_all()
      server.wait_for_unit("multi-user.target")
      client.wait_for_unit("multi-user.target")

      with subtest("the client sends a line to the server over VLAN 1"):
          # Listen again after every connection: wait_for_open_port's probe
          # is a connection of its own.
          server.succeed(
              "(while true; do nc -l -p 1234 >> /tmp/received; done) >/dev/null 2>&1 &"
          )
          server.wait_for_open_port(1234)
          client.wait_until_succeeds(
              "echo hello-from-client | nc ${nodes.server.networking.primaryIPAddress} 1234"
          )
          server.wait_until_succeeds("grep -q hello-from-client /tmp/received")

      with subtest("block() cuts the client off"):
          client.block()
          client.fail("ping -c 1 -W 1 ${nodes.server.networking.primaryIPAddress}")

      with subtest("unblock() heals the link"):
          client.unblock()
          client.wait_until_succeeds("ping -c 1 -W 1 server", timeout=30)
    '';
}
