# Screens for bench/screen-ocr, each saved as a screenshot next to the text
# really on it.
#
# The text guest (default): tty1 with its banner and a directory listing;
# the text is the console's own memory, read from /dev/vcs1 through the
# backdoor.
#
# The Wayland guest (`--argstr guest wayland`): the foot terminal showing a
# listing and a page of known prose (each `clear`ed first, so the screen is
# exactly the command's output and the next prompt), then the GTK demo
# application. The listing is saved a second time with one line rewritten
# in place (listing-changed). The terminal's text is what the typed command
# wrote (tee), so the truth does not depend on OCR. It also times the
# driver's own OCR (`get_screen_text`, as tests call it) on each screen and
# keeps its text.
{
  guest ? "text",
}:
let
  demo = import ../resources/demo/lib { };

  textScript = ''
    import os
    out = os.environ["NIXTIDE_BENCH_OUT"]
    machine.start()
    machine.connect()
    machine.wait_until_succeeds("grep -q 'nixtide demo guest' /dev/vcs1", timeout=120)
    machine.send_chars("ls -l /bin | head -30; echo listed\n")
    # The command line holds "listed" once, its output a second time.
    machine.wait_until_succeeds("test $(grep -o listed /dev/vcs1 | wc -l) -ge 2", timeout=120)
    size = machine.succeed("head -c 2 /dev/vcsa1 | od -An -tu1").split()
    rows, columns = int(size[0]), int(size[1])
    screen = machine.succeed("cat /dev/vcs1")
    with open(os.path.join(out, "screen.txt"), "w") as handle:
        for row in range(rows):
            handle.write(screen[row * columns:(row + 1) * columns].rstrip() + "\n")
    machine.screenshot(os.path.join(out, "screen.png"))
  '';

  # Lines of the kind tests wait for: messages, addresses, paths, numbers,
  # mixed case; none longer than the terminal is wide (about 110 columns).
  prose = [
    "nixtide demo guest: a page of known text for OCR"
    "The quick brown fox jumps over the lazy dog."
    "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG 0123456789"
    "Welcome to NixOS 25.11 (Xantusia)!"
    "Started nginx.service - Nginx Web Server."
    "Reached target multi-user.target - Multi-User System."
    "Connected to 192.168.1.2 port 8080 after 3 attempts"
    "GET /index.html HTTP/1.1 200 OK (1532 bytes)"
    "error: path '/nix/store/q3b8ksn7-hello-2.12.1' is not valid"
    "Login successful for user alice on tty1"
    "Name: Ada Lovelace, born 10 December 1815, London"
    "Total: 42 passed, 0 failed, 3 skipped in 12.7 s"
    "PING server (192.168.1.1) 56(84) bytes of data."
    "64 bytes from server: icmp_seq=1 ttl=64 time=0.412 ms"
    "Press Enter to continue or Ctrl-C to abort"
    "Your password will expire in 7 days."
    "Firefox Nightly - Mozilla Firefox"
    "Hello, world! Wayland session ready at 17:42:05"
    "user@example.org: mail delivered (queue id 4F2A1C3B)"
    "Disk /dev/vda: 2.0 GiB, 2147483648 bytes"
  ];
  proseFile = builtins.toFile "screen-ocr-prose.txt" (builtins.concatStringsSep "\n" prose + "\n");

  waylandScript = ''
    import json
    import os
    import resource
    import tempfile
    import time

    out = os.environ["NIXTIDE_BENCH_OUT"]
    prompt = "[root@machine:~]#"

    def dump():
        """The screen as QEMU's screendump (binary PPM) bytes."""
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "screen.ppm")
            machine.send_monitor_command(f"screendump {path}")
            with open(path, "rb") as f:
                return f.read()

    def settled(before=None):
        """Wait until the screen differs from `before` and stands still
        (the same twice in a row, a second apart): the command's output and
        the next prompt are drawn."""
        last = [dump()]
        def still(_):
            now = dump()
            done = now == last[0] and now != before
            last[0] = now
            return done
        retry(still, timeout=300)
        return last[0]

    def child_cpu():
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def in_terminal(command, flag):
        """Type `command` into the terminal, then wait for it to have run
        (it touches /tmp/<flag>) and for the screen to settle."""
        before = dump()
        machine.send_chars(f"clear; {command}; touch /tmp/{flag}\n")
        machine.wait_for_file(f"/tmp/{flag}", timeout=300)
        settled(before)

    driver_ocr = {}

    def save(name, truth, driver=True):
        """The screen as <name>.png with its text as <name>.txt, and the
        driver's own OCR of it (get_screen_text) timed."""
        machine.screenshot(os.path.join(out, f"{name}.png"))
        with open(os.path.join(out, f"{name}.txt"), "w") as handle:
            handle.write("\n".join(truth) + "\n")
        if not driver:
            return
        tic, cpu = time.monotonic(), child_cpu()
        text = machine.get_screen_text()
        driver_ocr[name] = {"seconds": time.monotonic() - tic, "cpu": child_cpu() - cpu}
        with open(os.path.join(out, f"{name}.driver.txt"), "w") as handle:
            handle.write(text)

    machine.start()
    machine.wait_for_unit("wayland-session.service", timeout=600)

    # The shell runs, but foot may not have its window (and the keyboard
    # focus) yet: keys typed before then are lost. Type until a command
    # arrives whole.
    def typed(_):
        machine.send_chars("clear; touch /tmp/typed\n")
        return machine.execute("for i in $(seq 50); do [ -e /tmp/typed ] && exit 0; sleep 0.2; done; exit 1")[0] == 0
    retry(typed, timeout=60)

    in_terminal("ls -l /usr/bin/ | head -30 | tee /tmp/listing.txt", "listed")
    listing = machine.succeed("cat /tmp/listing.txt").splitlines()
    save("listing", listing + [prompt])

    # The listing with one line rewritten in place (row 10), the rest and the
    # prompt where they were: the command's own line (row 31, the prompt's)
    # is erased and the next prompt drawn there again. For ScreenOcr
    # following a screen (bench_screenocr --then).
    changed = "Rewritten in place: row 10 of the listing, 0123456789"
    before = dump()
    machine.send_chars(
        f"printf '\\033[10;1H\\033[2K%s\\033[{len(listing) + 1};1H\\033[J' '{changed}'; "
        "touch /tmp/rewritten\n")
    machine.wait_for_file("/tmp/rewritten", timeout=300)
    settled(before)
    rewritten = list(listing)
    rewritten[9] = changed
    save("listing-changed", rewritten + [prompt], driver=False)

    machine.copy_from_host("${proseFile}", "/tmp/prose.txt")
    in_terminal("cat /tmp/prose.txt", "shown")
    prose = machine.succeed("cat /tmp/prose.txt").splitlines()
    save("prose", prose + [prompt])

    # The application's window covers the terminal (kiosk shell). Its text
    # field's cursor blinks until GTK's blink timeout (10 s): settled()
    # waits that out.
    before = dump()
    machine.succeed("nixtide-demo-app >/dev/null 2>&1 &")
    settled(before)
    save("app", ["nixtide demo app", "Name", "Greet"])

    with open(os.path.join(out, "driver-ocr.json"), "w") as handle:
        json.dump(driver_ocr, handle)
  '';
in
demo.runTest {
  name = "screen-ocr";
  nodes.machine =
    if guest == "wayland" then
      {
        demo.guest = "wayland";
        virtualisation.memorySize = 1024;
      }
    else
      { };
  testScript = if guest == "wayland" then waylandScript else textScript;
}
