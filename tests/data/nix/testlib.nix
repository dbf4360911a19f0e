# A stand-in for runNixOSTest that needs nothing but /bin/sh, so that the
# real `nix` can evaluate and build it offline. Its driver derivations write
# the testScript to `test-script` as the real ones do, and depend on one
# derivation per node, so a build has several steps to report.
#
# The result is the test's own attribute set plus `driver`,
# `driverInteractive` and `nodes`: `//` keeps the position of the user's
# `testScript` definition for builtins.unsafeGetAttrPos.
{
  nonce ? "",
  system ? "x86_64-linux",
}:
let
  shell =
    name: script: extra:
    derivation (
      {
        inherit name system nonce;
        builder = "/bin/sh";
        args = [ "-c" script ];
        PATH = "/usr/bin:/bin";
      }
      // extra
    );
in
{
  runTest =
    test@{
      name,
      nodes ? { },
      testScript,
      sleep ? 0,
      failBuild ? false,
      ...
    }:
    let
      script = if builtins.isFunction testScript then testScript { inherit nodes; } else testScript;
      vms = builtins.mapAttrs (
        node: _:
        shell "vm-${node}" ''
          echo "vm ${node} ${nonce}"
          echo vm > $out
        '' { }
      ) nodes;
      driverFor =
        attr:
        shell "${name}-${attr}"
          ''
            echo "building the ${attr} of ${name}"
            ${if sleep > 0 then "sleep ${toString sleep}" else ""}
            ${if failBuild then "echo 'the driver is broken'; exit 3" else ""}
            mkdir -p $out/bin
            printf '%s' "$testScript" > $out/test-script
            printf '#!/bin/sh\necho driver\n' > $out/bin/nixos-test-driver
            chmod +x $out/bin/nixos-test-driver
          ''
          {
            testScript = script;
            vms = builtins.attrValues vms;
          };
    in
    test
    // {
      driver = driverFor "driver";
      driverInteractive = driverFor "driverInteractive";
      nodes = builtins.mapAttrs (node: vm: { virtualisation.vlans = [ 1 ]; system.build.vm = vm; }) vms;
    };
}
