# A test shaped like runNixOSTest, for the editor tests.
{ pkgs, ... }:
let
  greeting = "hello ${pkgs.hello.name}";
in
{
  name = "sample";
  nodes.machine = { pkgs, ... }: {
    environment.systemPackages = with pkgs; [ hello ];
    imports = [ ./module.nix ];
  };
  testScript = { nodes, ... }: ''
    start_all()
    machine.wait_for_unit("multi-user.target")  # boot
    with subtest("greets"):
        out = machine.succeed("${pkgs.hello}/bin/hello")
        assert "${greeting}" in out, f"got {out!r}"
    for i in range(3):
        machine.sleep(1)
  '';
}
