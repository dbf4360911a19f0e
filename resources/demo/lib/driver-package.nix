# The demo driver's entry point, in the shape of nixpkgs' wrapped Python
# application: the package (resources/demo/driver: `test_driver` and the
# `ptpython` stand-in) under $out/lib/python, and $out/bin/nixos-test-driver,
# a script for the host's Python that puts that directory first on sys.path
# and runs test_driver.main().
{
  lib,
  pkgs,
  src,
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

  python = "/usr/bin/python3";

  entryPoint = ''
    #!${python}
    # -*- coding: utf-8 -*-
    import sys
    sys.argv[0] = "nixos-test-driver"
    sys.path.insert(0, "@out@/lib/python")
    from test_driver import main
    if __name__ == "__main__":
        sys.exit(main())
  '';
in
pkgs.runCommand "nixtide-demo-test-driver"
  {
    inherit entryPoint source;
    passAsFile = [ "entryPoint" ];
  }
  ''
    mkdir -p "$out/bin" "$out/lib"
    cp -R "$source" "$out/lib/python"
    chmod -R u+w "$out/lib/python"
    sed "s|@out@|$out|g" "$entryPointPath" > "$out/bin/nixos-test-driver"
    chmod +x "$out/bin/nixos-test-driver"
  ''
