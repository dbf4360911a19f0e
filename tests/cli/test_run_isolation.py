"""Where `nixtide run` lets the driver work: newer drivers put their VLAN
sockets (`vde<N>.ctl`), `vm-state-<machine>` and the shared directory in
$XDG_RUNTIME_DIR before $TMPDIR. With the desktop session's
$XDG_RUNTIME_DIR shared by two runs, each run must still have its own, kept
state must be where nixtide says, and nothing may be left behind. Real Nix
builds of the demo, real QEMU guests and vde_switch."""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from test_run import alive, command, descendants

SOURCE = os.environ.get("NIXTIDE_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("NIXTIDE_BINARY") or os.path.join(SOURCE, "build", "app", "nixtide")
DEMO = os.path.join(SOURCE, "resources", "demo")

LEFTOVER = re.compile(r"^(vm-state-.*|vde\d+\.ctl|shared-xchg|nixtide-[A-Za-z0-9]{6})$")


def leftovers(root, keep=None):
    """Paths under `root` a driver run leaves behind (its working files or a
    private directory of nixtide's), except under `keep`."""
    found = []
    for top, dirs, files in os.walk(root):
        if keep and os.path.commonpath([top, keep]) == keep:
            dirs[:] = []
            continue
        found += [os.path.join(top, n) for n in dirs + files if LEFTOVER.match(n)]
    return sorted(found)


def session_dirs(test, prefix, extra=()):
    """A desktop session's state, XDG_RUNTIME_DIR and TMPDIR (plus `extra`
    folders), removed after `test`; returns the folders and the environment
    of a nixtide started in that session."""
    dirs = {}
    for name in ("state", "runtime", "tmp", *extra):
        folder = tempfile.TemporaryDirectory(prefix="%s-%s-" % (prefix, name))
        test.addCleanup(folder.cleanup)
        dirs[name] = folder.name
    os.chmod(dirs["runtime"], 0o700)
    env = dict(os.environ, XDG_STATE_HOME=dirs["state"],
               XDG_RUNTIME_DIR=dirs["runtime"], TMPDIR=dirs["tmp"])
    env.setdefault("NIXTIDE_DEMO_GUEST", os.path.join(SOURCE, "build", "demo-guest"))
    return dirs, env


class RunIsolation(unittest.TestCase):
    def setUp(self):
        # Shared by the runs, as in one desktop session.
        self.dirs, self.env = session_dirs(self, "nixtide-iso")

    def start(self, *args):
        proc = subprocess.Popen([BINARY, "run", *args], env=self.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        return proc

    def finish(self, proc, timeout):
        started = time.monotonic()
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
            self.fail("nixtide run did not end within %d s:\n%s" % (timeout, err[-6000:]))
        sys.stderr.write("\n[nixtide run: exit %d, %.1f s after the wait began]\n"
                         % (proc.returncode, time.monotonic() - started))
        return proc.returncode, err

    def serial_tails(self, lines=40):
        """The end of every machine's serial log in the session's run
        records: why a guest did not boot is there, not in the driver's log."""
        out = []
        for top, _, files in os.walk(os.path.join(self.dirs["state"], "nixtide", "runs")):
            for name in sorted(n for n in files if n.startswith("serial-")):
                with open(os.path.join(top, name), errors="replace") as handle:
                    tail = handle.read().splitlines()[-lines:]
                out.append("\n--- %s ---\n%s" % (os.path.join(top, name), "\n".join(tail)))
        return "".join(out)

    def assert_nothing_left(self, keep=None):
        for name in ("runtime", "tmp"):
            self.assertEqual(leftovers(self.dirs[name], keep), [], "left in the session's %s" % name)

    def test_two_runs_of_a_vlan_test_at_once_both_pass_and_leave_nothing(self):
        vlan = os.path.join(DEMO, "vlan.nix")
        # Built first, so that both drivers start their VLAN together
        # rather than one after the other's build.
        build = subprocess.run(
            ["nix", "--extra-experimental-features", "nix-command", "build", "--option",
             "substituters", "", "--no-link", "-f", vlan, "driver"],
            env=self.env, capture_output=True, text=True, timeout=600)
        self.assertEqual(build.returncode, 0, build.stderr)
        first, second = self.start(vlan), self.start(vlan)
        # Both VLAN switches up together: where the runs would collide.
        overlapped = False
        deadline = time.monotonic() + 600
        while not overlapped and time.monotonic() < deadline:
            if first.poll() is not None or second.poll() is not None:
                break
            overlapped = all(any(command(pid).startswith("vde_switch")
                                 for pid in descendants(proc.pid)) for proc in (first, second))
            time.sleep(0.1)
        results = [self.finish(first, 900), self.finish(second, 900)]
        for code, err in results:
            self.assertEqual(code, 0, err[-6000:] + self.serial_tails())
            self.assertIn("PASSED vlan", err)
        self.assertTrue(overlapped, "the two runs never had their VLANs up at once")
        self.assert_nothing_left()
        runs = os.path.join(self.dirs["state"], "nixtide", "runs", "vlan")
        self.assertEqual(len(os.listdir(runs)), 2)

    def test_keep_vm_state_keeps_it_where_nixtide_says(self):
        single = os.path.join(DEMO, "single.nix")
        code, err = self.finish(self.start(single, "--keep-vm-state"), 600)
        self.assertEqual(code, 0, err[-6000:])
        said = re.search(r"^nixtide: keeping VM state in (.+)$", err, re.MULTILINE)
        self.assertTrue(said, err[-3000:])
        kept = said.group(1)
        self.assertTrue(kept.startswith(self.dirs["runtime"] + "/"), kept)
        # The machine's state, and none of the run's sockets or shared dir.
        self.assertEqual(sorted(os.listdir(kept)), ["vm-state-machine"])
        self.assertTrue(os.listdir(os.path.join(kept, "vm-state-machine")))
        self.assert_nothing_left(keep=kept)
        # The next kept run of the test finds it there (the driver with
        # --keep-vm-state does not clear it).
        marker = os.path.join(kept, "vm-state-machine", "from-the-first-run")
        with open(marker, "w"):
            pass
        code, err = self.finish(self.start(single, "--keep-vm-state"), 600)
        self.assertEqual(code, 0, err[-6000:])
        self.assertIn("keeping VM state in %s\n" % kept, err)
        self.assertTrue(os.path.exists(marker))
        self.assertEqual(sorted(os.listdir(kept)), ["vm-state-machine"])
        self.assert_nothing_left(keep=kept)

    def test_failed_and_interrupted_runs_leave_nothing(self):
        code, err = self.finish(self.start(os.path.join(DEMO, "failing.nix")), 600)
        self.assertEqual(code, 1, err[-6000:])
        self.assert_nothing_left()
        proc = self.start(os.path.join(DEMO, "vlan.nix"))
        deadline = time.monotonic() + 300
        family = set()
        while not any("qemu-system" in command(pid) for pid in family):
            self.assertLess(time.monotonic(), deadline, "no QEMU under nixtide within 300 s")
            self.assertIsNone(proc.poll(), "nixtide ended before its VMs started")
            time.sleep(0.2)
            family = descendants(proc.pid)
        self.assertTrue(leftovers(self.dirs["runtime"]), "the run works somewhere else")
        proc.send_signal(signal.SIGINT)
        code, err = self.finish(proc, 60)
        self.assertEqual(code, 130, err[-6000:])
        # The watchdog ends what is left of the group, then the directory.
        deadline = time.monotonic() + 60
        while (alive(family) or leftovers(self.dirs["runtime"])) and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertEqual(alive(family), {})
        self.assert_nothing_left()


if __name__ == "__main__":
    unittest.main(verbosity=2)
