# The demo driver's entry point, in the shape of nixpkgs' wrapped Python
# application: the package (resources/demo/driver: `test_driver` and the
# `ptpython` stand-in) under $out/lib/python, and $out/bin/nixos-test-driver,
# a script for `python` that puts that directory first on sys.path and runs
# test_driver.main(). One package per generation: the generation is baked
# into test_driver/generation.py, and each runs on the Python its upstream
# releases used (see default.nix).
{
  lib,
  pkgs,
  src,
  # "environment" or "configuration" (test_driver/generation.py).
  generation,
  # "current" or, environment era only, "nixos-22.11": whose options the
  # driver's argparse has (test_driver/generation.py).
  commandLine ? "current",
  # The interpreter's absolute path; the driver runs on it as it is.
  python,
}:
let
  source = builtins.path {
    path = src;
    name = "nixtide-demo-driver-source";
    filter =
      path: type:
      let
        base = baseNameOf path;
      in
      !(type == "directory" && base == "__pycache__")
      && !(lib.hasSuffix ".pyc" base)
      && !(type == "directory" && lib.hasPrefix "." base);
  };

  entryPoint = ''
    #!${python}
    # -*- coding: utf-8 -*-
    import sys
    # Run as root without a read-only store (these build machines), Python
    # would write __pycache__ into this store path, whose contents then no
    # longer match its hash: copying it to a remote builder (or `nix store
    # verify`) fails with "hash mismatch importing path".
    sys.dont_write_bytecode = True
    sys.argv[0] = "nixos-test-driver"
    sys.path.insert(0, "@out@/lib/python")
    from test_driver import main
    if __name__ == "__main__":
        sys.exit(main())
  '';
in
pkgs.runCommand
  "nixtide-demo-test-driver-${generation}${lib.optionalString (commandLine != "current") "-${commandLine}"}"
  {
    inherit entryPoint source python;
    generationModule = ''
      """Written by the demo's driver-package.nix: this copy of the driver
      behaves as the ${generation} generation (see the source tree's file)."""
      GENERATIONS = ("environment", "configuration")
      GENERATION = "${generation}"
      COMMAND_LINES = ("current", "nixos-22.11")
      COMMAND_LINE = "${commandLine}"
    '';
    passAsFile = [
      "entryPoint"
      "generationModule"
    ];
  }
  ''
    mkdir -p "$out/bin" "$out/lib"
    cp -R "$source" "$out/lib/python"
    chmod -R u+w "$out/lib/python"
    cp "$generationModulePath" "$out/lib/python/test_driver/generation.py"
    sed "s|@out@|$out|g" "$entryPointPath" > "$out/bin/nixos-test-driver"
    chmod +x "$out/bin/nixos-test-driver"
  ''
