# nixtide's demo test library: turns runNixOSTest-shaped test modules into
# driver bundles of both upstream generations, with the Debian-made demo
# guest as every node's VM and the demo driver as the test driver.
#
#   let demo = import ./lib { };
#   in demo.runTest {
#     name = "example";
#     nodes.machine = { demo.activeUnits = [ "foo.service" ]; };
#     testScript = ''
#       machine.wait_for_unit("foo.service")
#     '';
#   }
#
# The result is the test's result derivation (result.nix: building it runs
# the test) with `driver`, `driverInteractive`, `nodes.<name>` (each node's
# evaluated configuration, with `system.build.vm`), `config.name` and
# `driverConfiguration` (the configuration-era JSON file) as attributes. No nixpkgs is
# needed: derivations use the host's /bin/sh and tools, so this builds offline
# with a bare `nix`.
{
  system ? "x86_64-linux",
  # Directory with the guest's `kernel` and `initrd` (build-guest.sh OUTDIR):
  # an absolute path, or a store path such as a flake input (pure evaluation
  # reads neither NIXTIDE_DEMO_GUEST nor paths outside the store).
  guestDir ? null,
  # Directory of the Wayland guest (build-wayland-guest.sh OUTDIR: `kernel`,
  # `initrd`, `disk.img`), for nodes with `demo.guest = "wayland"`; read only
  # when such a node exists. Default: NIXTIDE_DEMO_WAYLAND_GUEST, else
  # build/demo-guest-wayland of this checkout.
  waylandGuestDir ? null,
  # Python 3.11 for the environment-era driver (nixos-22.11 to 24.x ran
  # theirs on 3.11): packaging/dev.sh unpacks Debian 12's into
  # /opt/nixtide-python3.11; NIXTIDE_PYTHON311 names another one.
  python311 ? null,
}:
let
  lib = import ./lib.nix;

  # A guest directory: the argument, else the environment variable, else
  # next to the demo of an installed nixtide (share/nixtide/NAME), else
  # build/NAME of this checkout.
  dirFrom =
    argument: variable: default:
    let
      fromEnv = builtins.getEnv variable;
      installed = toString ../.. + "/${default}";
    in
    if argument != null then
      toString argument
    else if fromEnv != "" then
      fromEnv
    else if builtins.pathExists (installed + "/kernel") then
      installed
    else
      toString ../../.. + "/build/${default}";

  # The hashes a guest's builder listed for its files (list-hashes.sh), by
  # file name; none without the list, or when the list was made for another
  # stamp than the directory's (its outputs replaced since).
  listedHashes =
    guestPath:
    let
      listing = guestPath + "/sha256";
      stampFile = guestPath + "/stamp";
      lines = builtins.filter builtins.isString (builtins.split "\n" (builtins.readFile listing));
      entries = builtins.filter (m: m != null) (map (builtins.match "([0-9a-f]{64})  (.+)") lines);
      stamp = builtins.match "([0-9a-f]+)\n?" (builtins.readFile stampFile);
    in
    if
      builtins.pathExists listing
      && builtins.pathExists stampFile
      && stamp != null
      && lines != [ ]
      && builtins.head lines == "# stamp ${builtins.head stamp}"
    then
      builtins.listToAttrs (
        map (m: {
          name = builtins.elemAt m 1;
          value = builtins.elemAt m 0;
        }) entries
      )
    else
      { };

  # One file of a built guest, as a store path. With its hash listed,
  # builtins.path takes the file from the store without reading it, once it
  # is there (else every evaluation hashes the guest: about a second for the
  # Wayland guest's 270 MB).
  guestFile =
    guestPath: builder: file:
    let
      path = guestPath + "/" + file;
      hash = (listedHashes guestPath).${file} or null;
    in
    if !(lib.hasPrefix "/" guestPath) then
      throw "nixtide demo: the guest directory must be absolute, not '${guestPath}'"
    else if !builtins.pathExists path then
      throw ''
        nixtide demo: the demo guest is not built: ${path} is missing.
        Build it with: ${builder} (or point NIXTIDE_DEMO_GUEST /
        NIXTIDE_DEMO_WAYLAND_GUEST at a built guest directory).''
    # Already in the store (a flake input): a path with its string context
    # is a dependency as it is, and `/. +` would refuse the context.
    else if builtins.hasContext path then
      path
    else
      builtins.path (
        {
          path = /. + path;
          name = "nixtide-demo-guest-${file}";
          recursive = false;
        }
        // lib.optionalAttrs (hash != null) { sha256 = hash; }
      );

  textGuestPath = dirFrom guestDir "NIXTIDE_DEMO_GUEST" "demo-guest";
  waylandGuestPath = dirFrom waylandGuestDir "NIXTIDE_DEMO_WAYLAND_GUEST" "demo-guest-wayland";

  # The guests a node can run (its `demo.guest`). Attributes are lazy: a test
  # without Wayland nodes never looks for the Wayland guest.
  guests = {
    text =
      let
        file = guestFile textGuestPath "resources/demo/guest/build-guest.sh ${textGuestPath}";
      in
      {
        kernel = file "kernel";
        initrd = file "initrd";
      };
    wayland =
      let
        file = guestFile waylandGuestPath "cmake --build build --target demo-guest-wayland";
      in
      {
        kernel = file "kernel";
        initrd = file "initrd";
        disk = file "disk.img";
      };
  };
  guest = guests.text;

  hostTools = import ./host-tools.nix;

  pkgs = import ./pkgs.nix { inherit lib system hostTools; };

  python311Path =
    let
      fromEnv = builtins.getEnv "NIXTIDE_PYTHON311";
    in
    if python311 != null then
      toString python311
    else if fromEnv != "" then
      fromEnv
    else
      "/opt/nixtide-python3.11/bin/python3.11";

  # The configuration era (upstream master) imports pydantic and needs 3.13:
  # the platform's Python, with Debian's python3-pydantic.
  # "environment-nixos-22.11": the environment era with nixos-22.11's
  # command line (no --junit-xml, --global-timeout, --log-level).
  driverPackage =
    {
      generation,
      python,
      commandLine ? "current",
    }:
    import ./driver-package.nix {
      inherit
        lib
        pkgs
        generation
        python
        commandLine
        ;
      src = ../driver;
    };
  driverPackages = {
    environment = driverPackage {
      generation = "environment";
      python = python311Path;
    };
    "environment-nixos-22.11" = driverPackage {
      generation = "environment";
      python = python311Path;
      commandLine = "nixos-22.11";
    };
    configuration = driverPackage {
      generation = "configuration";
      python = hostTools.python3;
    };
  };

  startScript = import ./start-script.nix { inherit lib pkgs hostTools guests; };

  containerScript = import ./container-script.nix { inherit lib pkgs hostTools guest; };

  evalNodes = import ./nodes.nix {
    inherit
      lib
      pkgs
      startScript
      containerScript
      ;
  };

  bundle = import ./bundle.nix { inherit lib pkgs hostTools; };

  resultDerivation = import ./result.nix { inherit pkgs; };

  runTest =
    moduleOrPath:
    let
      # `runTest ./test.nix` as well as the module itself.
      module = if builtins.isPath moduleOrPath then import moduleOrPath else moduleOrPath;
      # A test module may take runTest's arguments: pkgs, lib, the test's
      # own `config` (lazily, its final attributes) and `nodes`.
      test =
        if builtins.isFunction module then
          lib.callWith module {
            inherit pkgs lib;
            config = test // {
              nodes = allNodes;
            };
            nodes = allNodes;
          }
        else
          module;
      name = test.name or "unnamed";
      generation = test.driverGeneration or "configuration";
      # Whose command-line options the driver has: "current", or
      # "nixos-22.11" (environment era only).
      commandLine = test.driverCommandLine or "current";
      globalTimeout = test.globalTimeout or 3600;
      allNodes = evalNodes {
        nodes = test.nodes or { };
        containers = test.containers or { };
        defaults = test.defaults or { };
      };
      nodes = lib.filterAttrs (_: node: !node.demo.isContainer) allNodes;
      containers = lib.filterAttrs (_: node: node.demo.isContainer) allNodes;
      testScript =
        let
          script = test.testScript or (throw "nixtide demo: test '${name}' has no testScript");
        in
        if builtins.isFunction script then
          lib.callWith script {
            inherit pkgs lib containers;
            nodes = allNodes;
          }
        else
          script;
      result = resultDerivation {
        inherit name;
        inherit (built) driver;
      };
      built = bundle {
        inherit
          name
          generation
          globalTimeout
          nodes
          containers
          testScript
          ;
        driverPackage =
          driverPackages.${generation + lib.optionalString (commandLine != "current") "-${commandLine}"};
      };
    in
    if
      !(builtins.elem generation [
        "configuration"
        "environment"
      ])
    then
      throw "nixtide demo: driverGeneration must be \"configuration\" or \"environment\", not \"${generation}\""
    else if
      !(builtins.elem commandLine [
        "current"
        "nixos-22.11"
      ])
      || (commandLine == "nixos-22.11" && generation != "environment")
    then
      throw "nixtide demo: driverCommandLine must be \"current\", or \"nixos-22.11\" with driverGeneration \"environment\", not \"${commandLine}\""
    else
      # As upstream: the result derivation (what building the test runs)
      # with the test's parts as attributes next to its outputs.
      result
      // {
        inherit nodes containers;
        inherit (built) driver driverInteractive driverConfiguration;
        driverGeneration = generation;
        driverCommandLine = commandLine;
        testScriptText = testScript;
        # Where the testScript is written, as NixOS tests' meta.position.
        pos = builtins.unsafeGetAttrPos "testScript" test;
        meta.position =
          let
            pos = builtins.unsafeGetAttrPos "testScript" test;
          in
          if pos == null then null else "${pos.file}:${toString pos.line}";
        # What runNixOSTest calls `config`: enough of it for tools that look.
        # `name` is the test's own; the derivation's is vm-test-run-NAME.
        config = {
          inherit name nodes globalTimeout;
          testScriptString = testScript;
          test = result;
          inherit result;
        };
      };
in
{
  inherit
    runTest
    driverPackages
    guest
    guests
    pkgs
    ;
}
