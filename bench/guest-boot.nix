# The smallest demo test: boot one machine and connect to its backdoor shell.
# bench/guest-boot times it.
let
  demo = import ../resources/demo/lib { };
in
demo.runTest {
  name = "guest-boot";
  nodes.machine = { };
  testScript = ''
    machine.start()
    machine.connect()
  '';
}
