# One machine: boot, wait for the default target, check a command's output,
# take a screenshot. Configuration-era driver bundle (upstream master).
{
  demo ? import ./lib { },
}:
demo.runTest {
  name = "single";

  nodes.machine =
    { config, ... }:
    {
      demo.activeUnits = [ "hello.service" ];
    };

  testScript = ''
    machine.start()
    machine.wait_for_unit("multi-user.target")

    hostname = machine.succeed("hostname").strip()
    assert hostname == "machine", f"unexpected host name {hostname!r}"
    machine.succeed("uname -s | grep -qx Linux")

    machine.wait_for_unit("hello.service")
    machine.fail("test -e /nonexistent")
    machine.screenshot("single")
  '';
}
