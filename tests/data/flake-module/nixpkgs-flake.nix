# The `nixpkgs` input of ../flake-module (written as its own flake.nix by
# tests/open/demoflake.py): `legacyPackages.<system>.testers.runNixOSTest`
# from the demo library, which comes in with the built guest as `path:`
# inputs (pure evaluation reads nothing outside the store).
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
    in
    {
      legacyPackages.x86_64-linux = demoLib.pkgs // {
        testers.runNixOSTest = demoLib.runTest;
      };
    };
}
