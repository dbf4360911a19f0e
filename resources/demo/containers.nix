# A VM and a systemd-nspawn container on VLAN 1, as nixos-26.05 tests declare
# containers: both answer the backdoor, each reaches the other by name and
# address, and a line sent from the container over TCP arrives in the VM.
# Configuration-era driver bundle (containers came with it).
{
  demo ? import ./lib { },
}:
demo.runTest {
  name = "containers";

  nodes.server = {
    virtualisation.vlans = [ 1 ];
    demo.activeUnits = [ "listener.service" ];
  };

  containers.box = {
    virtualisation.vlans = [ 1 ];
    demo.activeUnits = [ "client.service" ];
  };

  testScript =
    { nodes, ... }:
    ''
      start_all()
      server.wait_for_unit("multi-user.target")
      box.wait_for_unit("client.service")

      with subtest("the container is a container, the VM a VM"):
          assert box.succeed("hostname").strip() == "box"
          box.succeed("test ! -e /dev/hvc0")
          server.succeed("test -e /dev/hvc0")

      with subtest("the container and the VM share VLAN 1"):
          box.wait_until_succeeds("ping -c 1 -W 1 ${nodes.server.networking.primaryIPAddress}", timeout=60)
          server.wait_until_succeeds("ping -c 1 -W 1 box", timeout=60)

      with subtest("the container sends a line to the VM"):
          server.succeed(
              "(while true; do nc -l -p 1234 >> /tmp/received; done) >/dev/null 2>&1 &"
          )
          server.wait_for_open_port(1234)
          box.wait_until_succeeds("echo hello-from-box | nc server 1234")
          server.wait_until_succeeds("grep -q hello-from-box /tmp/received")
    '';
}
