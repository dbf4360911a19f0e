# A flake whose check gives a module-style test file to runNixOSTest, as
# projects write `checks.<system>.<name> = pkgs.testers.runNixOSTest ./test.nix`.
# A template like ../flake-demo: tests/open/demoflake.py copies it with
# test.nix and fills in the demo library and the guest as `path:` inputs.
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
      demoLib = import (demo + "/lib") { guestDir = guest; };
      pkgs = demoLib.pkgs // {
        testers.runNixOSTest = demoLib.runTest;
      };
    in
    {
      checks.x86_64-linux.module-check = pkgs.testers.runNixOSTest ./test.nix;
    };
}
