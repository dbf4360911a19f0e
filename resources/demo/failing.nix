# A test that fails on a known line (line 4 of the script: the `succeed` of a
# command that exits 1), for the driver's exit code and error report.
let
  demo = import ./lib { };
in
demo.runTest {
  name = "failing";

  nodes.machine = { };

  testScript = ''
    machine.start()
    machine.wait_for_unit("multi-user.target")
    machine.succeed("true")
    machine.succeed("echo this-command-fails; exit 1")
    machine.succeed("echo never reached")
  '';
}
