# The smallest demo test: boot one machine and connect to its backdoor shell
# (the text guest), or wait for its Wayland session (`--argstr guest
# wayland`). bench/guest-boot times it.
{
  guest ? "text",
}:
let
  demo = import ../resources/demo/lib { };
in
demo.runTest {
  name = "guest-boot";
  nodes.machine = {
    demo.guest = guest;
    virtualisation.memorySize = if guest == "wayland" then 1024 else 256;
  };
  testScript =
    if guest == "wayland" then
      ''
        machine.start()
        machine.wait_for_unit("wayland-session.service", timeout=600)
      ''
    else
      ''
        machine.start()
        machine.connect()
      '';
}
