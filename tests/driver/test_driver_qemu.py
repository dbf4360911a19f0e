"""The demo driver against real QEMU: a run that boots the demo guest and
runs commands, and no QEMU or vde_switch left after SIGTERM or SIGKILL of the
driver. Needs the demo guest ($NIXTIDE_DEMO_GUEST, built with
resources/demo/guest/build-guest.sh).

Run: NIXTIDE_DEMO_GUEST=DIR /usr/bin/python3 tests/driver/test_driver_qemu.py
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
DRIVER = HERE.parent.parent / "resources" / "demo" / "driver" / "bin" / "nixos-test-driver"
GUEST = Path(os.environ.get("NIXTIDE_DEMO_GUEST", ""))

# A start script shaped like the demo library's: exec QEMU, which dies with
# its parent. The driver appends its own options ("$@").
START_SCRIPT = """#!/bin/bash
exec setpriv --pdeathsig TERM qemu-system-x86_64 -machine q35 -accel tcg -m 256 \\
  -kernel {guest}/kernel -initrd {guest}/initrd \\
  -append "console=tty0 console=ttyS0,115200n8 panic=-1 no_timer_check quiet nixtide.hostname={name}" \\
  -netdev vde,id=vlan1,sock="$QEMU_VDE_SOCKET_1" -device virtio-net-pci,netdev=vlan1 \\
  -virtfs local,path="$SHARED_DIR",security_model=none,mount_tag=shared \\
  $QEMU_OPTS "$@"
"""


def processes_mentioning(text):
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{entry}/stat", "rb") as f:
                state = f.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if text in cmdline and state != b"Z":
            found.append((int(entry), cmdline))
    return found


class DriverOnQemu(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Not a skip: a missing guest must not read as a pass.
        if not (GUEST / "kernel").exists():
            raise RuntimeError(f"demo guest not built in {GUEST!s} (NIXTIDE_DEMO_GUEST)")

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="nixtide-driver-"))
        self.script = self.tmp / f"run-{self.tmp.name}-vm"
        self.script.write_text(START_SCRIPT.format(guest=GUEST, name="probe"))
        self.script.chmod(0o755)
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("startScripts", "testScript", "vlans", "DISPLAY",
                                 "WAYLAND_DISPLAY")}
        self.env.update(TMPDIR=str(self.tmp), startScripts=str(self.script), vlans="1",
                        NIXTIDE_DEMO_DRIVER_GENERATION="environment")
        self.env.pop("XDG_RUNTIME_DIR", None)

    def tearDown(self):
        for pid, _ in processes_mentioning(str(self.tmp)):
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start_driver(self, script_text):
        test_script = self.tmp / "test-script"
        test_script.write_text(script_text)
        self.env["testScript"] = str(test_script)
        return subprocess.Popen(
            [sys.executable, str(DRIVER), "-o", str(self.tmp)],
            env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )

    def wait_for_line(self, proc, text, timeout=120):
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
            if text in line:
                return
        self.fail(f"no {text!r} in driver output:\n{''.join(seen[-30:])}")

    def assert_nothing_left(self):
        deadline = time.monotonic() + 10
        while processes_mentioning(str(self.tmp)) and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertEqual(processes_mentioning(str(self.tmp)), [])

    def test_run_commands_and_exit_cleanly(self):
        proc = self.start_driver(
            'machine.wait_for_unit("multi-user.target")\n'
            'assert machine.succeed("hostname").strip() == "probe"\n'
            'assert machine.execute("exit 7")[0] == 7\n'
            'machine.fail("false")\n'
            'machine.screenshot("shot")\n'
            'print("DONE", vlan1.nr)\n'
        )
        out, _ = proc.communicate(timeout=180)
        self.assertEqual(proc.returncode, 0, out[-3000:])
        self.assertIn("DONE 1", out)
        self.assertTrue((self.tmp / "shot.png").stat().st_size > 0)
        self.assert_nothing_left()

    def test_sigterm_cleans_up(self):
        proc = self.start_driver('machine.wait_for_unit("multi-user.target")\n'
                                 'print("BOOTED", flush=True)\nimport time\ntime.sleep(600)\n')
        self.wait_for_line(proc, "BOOTED")
        self.assertTrue(processes_mentioning(str(self.tmp)))
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 128 + signal.SIGTERM)
        self.assert_nothing_left()

    def test_sigkill_leaves_no_qemu_or_switch(self):
        proc = self.start_driver('machine.wait_for_unit("multi-user.target")\n'
                                 'print("BOOTED", flush=True)\nimport time\ntime.sleep(600)\n')
        self.wait_for_line(proc, "BOOTED")
        proc.kill()
        proc.communicate(timeout=30)
        self.assert_nothing_left()


if __name__ == "__main__":
    unittest.main()
