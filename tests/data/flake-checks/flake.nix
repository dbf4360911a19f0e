# Three demo tests as flake checks, one failing on purpose: the fixture of
# `nixtide run-all` (tests/cli/test_run_all.py). Each check is the test's
# result derivation, so `nix build .#checks.x86_64-linux.boots` runs it.
#
# A template, as tests/data/flake-demo: tests/open/demoflake.py fills in the
# demo library and the built guest (`path:` inputs), a nonce (every run of
# the suite builds the tests again instead of finding last run's results in
# the store) and whether `failing` fails.
{
  inputs.demo = {
    url = "path:@DEMO_DIR@";
    flake = false;
  };
  inputs.guest = {
    url = "path:@GUEST_DIR@";
    flake = false;
  };

  outputs =
    {
      self,
      demo,
      guest,
    }:
    let
      lib = import (demo + "/lib") { guestDir = guest; };
      nonce = "@NONCE@";
      broken = "@BROKEN@" == "true";
      failingCommand = if broken then "echo this-command-fails; exit 1" else "echo fixed";
    in
    {
      checks.x86_64-linux = {
        boots = lib.runTest {
          name = "boots";
          nodes.machine = { };
          testScript = ''
            machine.start()
            machine.wait_for_unit("multi-user.target")
            hostname = machine.succeed("hostname").strip()
            assert hostname == "machine", f"unexpected host name {hostname!r}"
            # ${nonce}
          '';
        };

        units = lib.runTest {
          name = "units";
          nodes.server = {
            demo.activeUnits = [ "web.service" ];
          };
          testScript = ''
            server.start()
            server.wait_for_unit("web.service")
            server.fail("systemctl is-active missing.service")
            # ${nonce}
          '';
        };

        failing = lib.runTest {
          name = "failing";
          nodes.machine = { };
          testScript = ''
            machine.start()
            machine.wait_for_unit("multi-user.target")
            machine.succeed("${failingCommand}")
            machine.succeed("true")
            # ${nonce}
          '';
        };
      };
    };
}
