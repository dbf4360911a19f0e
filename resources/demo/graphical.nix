# The screen: the banner on tty1 read back with OCR, text typed on tty1 with
# send_chars and checked through the backdoor, and a screenshot.
let
  demo = import ./lib { };
in
demo.runTest {
  name = "graphical";
  enableOCR = true;

  nodes.machine = { };

  testScript = ''
    machine.start()
    machine.wait_for_unit("multi-user.target")

    with subtest("the banner is on the screen"):
        machine.wait_for_text("nixtide demo guest", timeout=60)
        text = machine.get_screen_text()
        assert "machine" in text, f"host name not on screen: {text!r}"

    with subtest("keys typed on tty1 reach its shell"):
        machine.send_chars("echo typed-ok > /tmp/typed\n")
        machine.wait_for_file("/tmp/typed", timeout=60)
        machine.succeed("grep -qx typed-ok /tmp/typed")

    with subtest("screenshot"):
        machine.screenshot("graphical")
  '';
}
