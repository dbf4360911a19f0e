# Just enough of nixpkgs to evaluate packaging/nix/package.nix without a
# nixpkgs checkout (the build machines have none): the attributes the package
# asks for as plain sets, the `lib` functions it calls with the argument
# checks nixpkgs makes, and a callPackage that, like nixpkgs', refuses an
# argument the set does not have. Dependencies are named, never built.
# lib.fileset.toSource returns the files it was given (relative to the root),
# so tests/packaging/test_package_nix.py can configure exactly that source set.
let
  dependency = name: extra: { inherit name; } // extra;

  python =
    let
      ps = {
        pyflakes = dependency "pyflakes" { };
        jedi = dependency "jedi" { };
        pybind11 = dependency "pybind11" { };
      };
    in
    dependency "python3" {
      pkgs = ps;
      sitePackages = "lib/python3.13/site-packages";
      withPackages =
        select:
        let
          chosen = select ps;
        in
        assert builtins.isList chosen;
        dependency "python3-env" {
          packages = map (p: p.name) chosen;
          # The host's interpreter: the configure check runs with what the
          # package passes as Python_EXECUTABLE.
          meta.mainProgram = "python3";
          outPath = "/usr";
          sitePackages = "lib/python3/dist-packages";
        };
    };

  isBoolOrThrow = flag: builtins.isBool flag || throw "cmakeBool: ${builtins.toJSON flag} is not a bool";

  relativeTo =
    root: path:
    let
      rootString = toString root;
      pathString = toString path;
      prefixLength = builtins.stringLength rootString + 1;
    in
    assert builtins.substring 0 prefixLength pathString == rootString + "/"
      || throw "lib.fileset: ${pathString} is not under the root ${rootString}";
    assert builtins.pathExists path || throw "lib.fileset: ${pathString} does not exist";
    builtins.substring prefixLength (-1) pathString;

  lib = rec {
    optional = condition: value: if condition then [ value ] else [ ];
    getExe = package: "${package.outPath}/bin/${package.meta.mainProgram}";
    makeBinPath = packages: builtins.concatStringsSep ":" (map (p: "${p.name}/bin") packages);
    cmakeOptionType =
      type: feature: value:
      assert builtins.elem type [
        "BOOL"
        "FILEPATH"
        "PATH"
        "STRING"
      ];
      assert builtins.isString feature && builtins.isString value;
      "-D${feature}:${type}=${value}";
    cmakeBool =
      feature: flag:
      assert isBoolOrThrow flag;
      cmakeOptionType "BOOL" feature (if flag then "TRUE" else "FALSE");
    cmakeFeature = feature: value: cmakeOptionType "STRING" feature value;
    fileset = {
      unions =
        paths:
        assert builtins.isList paths;
        paths;
      toSource =
        { root, fileset }:
        {
          stubSourceFiles = map (relativeTo root) fileset;
        };
    };
    licenses.gpl3Plus = {
      spdxId = "GPL-3.0-or-later";
    };
    platforms.linux = [
      "x86_64-linux"
      "aarch64-linux"
    ];
  };

  pkgs = {
    inherit lib;
    stdenv.mkDerivation =
      f:
      let
        attrs = if builtins.isFunction f then f final else f;
        final = attrs // {
          type = "derivation";
          name = "${attrs.pname}-${attrs.version}";
        };
      in
      final;
    cmake = dependency "cmake" { };
    ninja = dependency "ninja" { };
    pkg-config = dependency "pkg-config" { };
    qt6 = {
      qtbase = dependency "qtbase" { };
      wrapQtAppsHook = dependency "wrap-qt6-apps-hook" { };
    };
    qt6Packages.qscintilla = dependency "qscintilla-qt6" { };
    lxqt.qtermwidget = dependency "qtermwidget" { };
    kdePackages.syntax-highlighting = dependency "syntax-highlighting" { };
    libvncserver = dependency "libvncserver" { };
    python3 = python;
    netpbm = dependency "netpbm" { };
    tesseract = dependency "tesseract" { };
    callPackage =
      path: overrides:
      let
        f = import path;
        wanted = builtins.functionArgs f;
        missing = builtins.filter (name: !wanted.${name} && !(pkgs ? ${name}) && !(overrides ? ${name})) (
          builtins.attrNames wanted
        );
      in
      assert missing == [ ] || throw "callPackage: the stub pkgs has no ${builtins.toJSON missing}";
      f (builtins.intersectAttrs wanted pkgs // overrides);
  };
in
pkgs
