# Driver bundles laid out as upstream's: $out/bin/nixos-test-driver, a wrapper
# that sets the driver's inputs and execs the driver (kept as
# $out/bin/.nixos-test-driver-wrapped, as wrapProgram leaves it), and
# $out/test-script, the script text.
#
# Two generations, as nixpkgs has had them:
# - "environment" (up to about nixos-25.05): the wrapper exports
#   startScripts, testScript, vlans and globalTimeout, which the driver's
#   argparse reads as defaults.
# - "configuration" (master): the wrapper adds `--config
#   driverConfiguration.json --log-level info`; the JSON names the VMs' start
#   scripts, the VLANs, the global timeout and the test script's path.
# driverInteractive adds `--interactive` to either. Each generation has its
# own build of the demo driver (driverPackages.<generation>, chosen by the
# caller), which behaves as that generation and runs on its Python.
{
  lib,
  pkgs,
  hostTools,
}:
{
  name,
  generation,
  globalTimeout,
  nodes,
  containers,
  testScript,
  driverPackage,
}:
# Containers came with the configuration era (nixos-26.05).
assert
  generation != "environment"
  || containers == { }
  || throw "nixtide demo: containers need the configuration-era driver (driverGeneration = \"configuration\"), as nixos-26.05's";
let
  startScriptOf = node: "${node.system.build.vm}/bin/run-${node.system.name}-vm";
  containerScriptOf = node: "${node.system.build.container}/bin/run-${node.system.name}-container";

  vlans = lib.unique (
    builtins.concatMap (node: node.virtualisation.vlans) (builtins.attrValues (nodes // containers))
  );

  testScriptFile = pkgs.writeText "test-script" testScript;

  driverConfiguration = pkgs.writeText "driverConfiguration.json" (
    builtins.toJSON {
      vms = builtins.mapAttrs (name: node: {
        inherit name;
        start_script = startScriptOf node;
      }) nodes;
      containers = builtins.mapAttrs (name: node: {
        inherit name;
        start_script = containerScriptOf node;
      }) containers;
      inherit vlans;
      global_timeout = globalTimeout;
      enable_ssh_backdoor = false;
      test_script = testScriptFile;
    }
  );

  # `export NAME='value'` lines (makeWrapper's --set).
  exports =
    vars: lib.concatMapStringsSep "\n" (n: "export ${n}=${lib.escapeShellArg vars.${n}}") (builtins.attrNames vars);

  generationFlags =
    if generation == "configuration" then
      [
        "--config"
        "${driverConfiguration}"
        "--log-level"
        "info"
      ]
    else
      [ ];

  generationEnv =
    if generation == "environment" then
      {
        startScripts = lib.concatMapStringsSep " " startScriptOf (builtins.attrValues nodes);
        testScript = "@out@/test-script";
        vlans = lib.concatMapStringsSep " " toString vlans;
        globalTimeout = toString globalTimeout;
      }
    else
      { };

  makeBundle =
    interactive:
    let
      flags = generationFlags ++ lib.optional interactive "--interactive";
      wrapper = ''
        #! ${hostTools.bash} -e
        ${exports generationEnv}
        export PATH=${lib.escapeShellArg hostTools.driverPath}''${PATH:+':'$PATH}
        if [ ! -x ${lib.escapeShellArg driverPackage.python} ]; then
          echo "nixos-test-driver: the ${generation}-era demo driver runs on ${driverPackage.python}, which is missing" >&2
          exit 127
        fi
        exec -a "$0" "@out@/bin/.nixos-test-driver-wrapped" ${lib.escapeShellArgs flags} "$@"
      '';
    in
    pkgs.runCommand "nixos-test-driver-${name}" {
      inherit wrapper;
      passAsFile = [ "wrapper" ];
      testScript = testScriptFile;
    } ''
      mkdir -p "$out/bin"
      cp "$testScript" "$out/test-script"
      ln -s ${driverPackage}/bin/nixos-test-driver "$out/bin/.nixos-test-driver-wrapped"
      sed "s|@out@|$out|g" "$wrapperPath" > "$out/bin/nixos-test-driver"
      chmod +x "$out/bin/nixos-test-driver"
    '';
in
{
  driver = makeBundle false;
  driverInteractive = makeBundle true;
  inherit driverConfiguration;
}
