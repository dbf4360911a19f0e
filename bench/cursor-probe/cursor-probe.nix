# bench/cursor-probe/run's test: the Wayland demo guest on virtio-vga (the
# start script gets `-vga none -device virtio-vga` through QEMU_OPTS), with
# the virtio-gpu module and hwcursor loaded by hand through the 9p share
# (the guest itself has only bochs). Two phases, each timed by
# bench_vnccursor on QEMU's VNC socket:
#   1. weston (pixman renderer) on virtio-gpu while the tablet moves;
#   2. weston stopped, hwcursor sets an opaque hardware cursor.
let
  demo = import ../../resources/demo/lib { };
in
demo.runTest {
  name = "cursor-probe";
  nodes.machine = {
    demo.guest = "wayland";
    virtualisation.memorySize = 1024;
  };
  testScript = ''
    import os
    import subprocess

    vnc = os.environ["PROBE_VNC"]
    bench = os.environ["PROBE_BENCH"]
    out = os.environ["PROBE_OUT"]

    def point(x, y):
        machine.qmp_client.send("input-send-event", {"events": [
            {"type": "abs", "data": {"axis": "x", "value": x * 32767 // 1279}},
            {"type": "abs", "data": {"axis": "y", "value": y * 32767 // 799}}]})

    def probe(name, seconds):
        """bench_vnccursor in the background; its output in a file, so a
        flood of shapes cannot fill a pipe nobody reads."""
        log = open(os.path.join(out, f"{name}.txt"), "w")
        return subprocess.Popen([bench, vnc, str(seconds)], stdout=log), log

    def report(name, process, log):
        process.wait()
        log.close()
        with open(os.path.join(out, f"{name}.txt")) as f:
            lines = f.read().splitlines()
        print(f"{name}: exit {process.returncode}: " + " / ".join(lines[:1] + lines[-1:]))

    machine.start()
    machine.connect()
    machine.succeed("for m in drm_shmem_helper virtio_dma_buf virtio-gpu; do insmod /tmp/shared/$m.ko; done")
    machine.wait_until_succeeds("test -e /dev/dri/card0", timeout=120)
    # The session's weston may have looked for a card before the module
    # was loaded: then start one by hand.
    machine.wait_for_unit("wayland-session.service", timeout=600)
    if machine.execute("pgrep -x weston")[0] != 0:
        machine.succeed("source /etc/profile; (seatd-launch -- weston --backend=drm --renderer=pixman --socket=wayland-1 --log=/tmp/weston.log >/dev/null 2>&1 &)")
        machine.wait_until_succeeds("test -S /run/user/0/wayland-1", timeout=120)
    print(machine.succeed("grep -E 'using /dev/dri|cursor planes' /tmp/weston.log"))

    process, log = probe("weston", 45)
    moved = 0
    while process.poll() is None:
        point(300 + 37 * (moved % 20), 300 + 11 * (moved % 30))
        moved += 1
        machine.sleep(0.5)
    report("weston", process, log)
    print(f"(the tablet moved {moved} times)")

    process, log = probe("hwcursor", 90)
    machine.execute("pkill -x foot; pkill -x weston")
    machine.wait_until_fails("pgrep -x weston", timeout=60)
    machine.succeed("(/tmp/shared/hwcursor >/tmp/hwcursor.log 2>&1 &)")
    report("hwcursor", process, log)
    print(machine.succeed("cat /tmp/hwcursor.log"))
  '';
}
