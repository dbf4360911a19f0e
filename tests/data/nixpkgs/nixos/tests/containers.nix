# A systemd-nspawn container beside a VM, declared as nixpkgs' tests do
# since the configuration-era driver (`containers.<name>`).
{ ... }:
{
  name = "containers";
  nodes.machine = { };
  containers.box = { };
  testScript = ''
    start_all()
    box.succeed("test ! -e /dev/hvc0")
    machine.succeed("test -e /dev/hvc0")
  '';
}
