# Module style, as nixpkgs writes tests since runTest.
{ pkgs, lib, config, ... }:
{
  name = "module-style";
  meta.maintainers = [ ];

  nodes.machine =
    { config, ... }:
    {
      demo.activeUnits = [ "hello.service" ];
    };

  testScript = ''
    machine.start()
    machine.wait_for_unit("hello.service")
    with subtest("the host name is the node's"):
        hostname = machine.succeed("hostname").strip()
        assert hostname == "machine", f"unexpected host name {hostname!r}"
    machine.succeed("test -d /etc")
  '';
}
