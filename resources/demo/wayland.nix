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
    import os
    import tempfile

    def point(x, y):
        """Move the pointer to (x, y) of the screen. It is a tablet: QMP's
        absolute axes run from 0 to 32767 across the screen."""
        machine.qmp_client.send("input-send-event", {"events": [
            {"type": "abs", "data": {"axis": "x", "value": x * 32767 // 1279}},
            {"type": "abs", "data": {"axis": "y", "value": y * 32767 // 799}}]})

    def click():
        """Press and release the left button where the pointer is."""
        for down in (True, False):
            machine.qmp_client.send("input-send-event", {"events": [
                {"type": "btn", "data": {"button": "left", "down": down}}]})

    def screen_row(y, x0, x1):
        """Pixels x0..x1 of row y of the screen, as RGB bytes (QEMU's
        screendump writes a binary PPM)."""
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "screen.ppm")
            machine.send_monitor_command(f"screendump {path}")
            with open(path, "rb") as f:
                magic, size, depth, pixels = f.read().split(b"\n", 3)
        width = int(size.split()[0])
        return pixels[(y * width + x0) * 3:(y * width + x1) * 3]

    machine.start()
    machine.wait_for_unit("wayland-session.service", timeout=300)

    with subtest("the terminal is on the screen"):
        machine.wait_for_text("root@machine", timeout=300)
        machine.screenshot("terminal")

    with subtest("typed text reaches the application"):
        machine.succeed("nixtide-demo-app >/dev/null 2>&1 &")
        machine.wait_for_text("nixtide demo app", timeout=300)
        machine.send_chars("hello nixtide")
        machine.wait_for_text("hello nixtide", timeout=300)

    with subtest("a click on the button runs its command"):
        # The "Greet" button spans the screen at y 63 to 97. weston offers
        # the pointer to applications only once the tablet has sent its
        # first event: a press sent right behind that first move reaches
        # weston before the application has its wl_pointer, and only the
        # release arrives (WAYLAND_DEBUG shows it). So: move onto the
        # button, wait until GTK draws it hovered (its left part, away
        # from the cursor, changes: the application has the pointer), then
        # click.
        idle = screen_row(80, 100, 500)
        point(640, 80)
        retry(lambda _: screen_row(80, 100, 500) != idle, timeout=120)
        click()
        machine.wait_for_file("/tmp/greeted", timeout=120)
        machine.succeed("grep -qx clicked /tmp/greeted")
        machine.screenshot("application")
  '';
}
