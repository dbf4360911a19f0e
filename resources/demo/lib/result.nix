# The test's result derivation, as upstream's runTest/runNixOSTest return it
# (nixos/lib/testing/run.nix): a build that runs the non-interactive driver
# and fails when the test script fails. `nix build` of a flake's check or of
# nixosTests.<name> builds this, so Nix's own machinery (remote builders,
# --keep-going, -j, `nix log`) runs whole test suites.
{ pkgs }:
{ name, driver }:
pkgs.runCommand "vm-test-run-${name}"
  {
    # Upstream also requires "kvm" on Linux. The demo guest runs under TCG
    # (start-script.nix forces it), so a builder without /dev/kvm, such as
    # these build machines, may take it; "nixos-test" still keeps the test
    # on builders that declare they run VM tests.
    requiredSystemFeatures = [ "nixos-test" ];
    # A VM test is heavy: wherever the user's Nix sends builds (remote
    # builders), not pinned to this machine as the demo's small files are.
    preferLocalBuild = false;
  }
  ''
    mkdir -p "$out"
    # The driver's screenshots and JUnit file go to -o; the log is the
    # build's log (what `nix log` shows), as upstream mutes its XML logger.
    export LOGFILE=/dev/null
    ${driver}/bin/nixos-test-driver -o "$out"
  ''
