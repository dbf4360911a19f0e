# The demo tests as flake checks: `nixtide run path:DIR#checks.x86_64-linux.single`.
#
# Pure evaluation reads no environment variable (NIXTIDE_DEMO_GUEST) and no
# path outside the flake, so the demo library and the built guest come in
# as `path:` inputs (copied into the store, no network). This directory is a
# template: tests/open/demoflake.py copies it, with single.nix and vlan.nix
# from resources/demo, into a temporary directory and writes the two inputs'
# absolute paths in place of the @…@ markers.
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
    in
    {
      checks.x86_64-linux = {
        single = import ./single.nix { demo = lib; };
        vlan = import ./vlan.nix { demo = lib; };
      };
    };
}
