# A text screen for bench/screen-ocr: the demo guest's tty1 with its banner
# and a directory listing, saved as a screenshot next to the text the
# console really holds (read from /dev/vcs1 through the backdoor).
let
  demo = import ../resources/demo/lib { };
in
demo.runTest {
  name = "screen-ocr";
  nodes.machine = { };
  testScript = ''
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
}
