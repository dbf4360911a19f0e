# A Wayland session on the screen, tested the way graphical NixOS tests are:
# wait for the session, open a GTK application, type into it and read the
# text back with OCR, click its button with the mouse and check what the
# click did through the backdoor, take screenshots. The node runs the
# Wayland demo guest: weston's kiosk shell, so the application's window
# fills the 1280x800 screen and its widgets sit at fixed places (`cmake
# --build build --target demo-guest-wayland` builds the guest).
let
  demo = import ./lib { };
in
demo.runTest {
  name = "wayland";
  enableOCR = true;

  nodes.machine = {
    demo.guest = "wayland";
    virtualisation.memorySize = 1024;
  };

  testScript = ''
    def click(x, y):
        """A left click at (x, y) of the screen. The pointer is a tablet:
        QMP's absolute axes run from 0 to 32767 across the screen."""
        machine.qmp_client.send("input-send-event", {"events": [
            {"type": "abs", "data": {"axis": "x", "value": x * 32767 // 1279}},
            {"type": "abs", "data": {"axis": "y", "value": y * 32767 // 799}}]})
        for down in (True, False):
            machine.qmp_client.send("input-send-event", {"events": [
                {"type": "btn", "data": {"button": "left", "down": down}}]})

    machine.start()
    machine.wait_for_unit("wayland-session.service", timeout=300)

    with subtest("the terminal is on the screen"):
        machine.wait_for_text("root@machine", timeout=300)
        machine.screenshot("terminal")

    with subtest("typed text reaches the application"):
        machine.succeed("nixtide-demo-app >/dev/null 2>&1 &")
        machine.wait_for_text("nixtide demo app", timeout=300)
        machine.send_chars("hello nixtide")
        machine.wait_for_text("hello nixtide", timeout=120)

    with subtest("a click on the button runs its command"):
        click(640, 108)
        machine.wait_for_file("/tmp/greeted", timeout=120)
        machine.succeed("grep -qx clicked /tmp/greeted")
        machine.screenshot("application")
  '';
}
