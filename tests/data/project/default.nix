# A project that keeps its NixOS tests beside its code and builds them from
# its own default.nix, as many do: `nix-build -A tests.web`.
{
  demo ? import (
    let
      fromEnv = builtins.getEnv "NIXTIDE_DEMO_LIB";
    in
    if fromEnv != "" then /. + fromEnv else ../../../resources/demo/lib
  ) { },
}:
{
  tests.web = demo.runTest ./tests/web.nix;
}
