"""`nixtide run` of a configuration-era demo test whose VLAN switch dies as
the driver starts it. Such a driver (as upstream's newer ones) waits for the
switch's answer for ever; nixtide must say which VLAN's switch exited, stop
the driver and exit 2 (could not run), leaving no driver, QEMU or
vde_switch and none of the run's files. The demo driver's fault
NIXTIDE_DEMO_VDE_SWITCH_DIES=1 kills the switch after `showinfo` reached it
and before it answered. Real Nix build, real vde_switch."""
import os
import re
import subprocess
import sys
import threading
import time
import unittest

from test_run import alive, command, descendants
from test_run_isolation import leftovers, session_dirs

SOURCE = os.environ.get("NIXTIDE_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("NIXTIDE_BINARY") or os.path.join(SOURCE, "build", "app", "nixtide")
DEMO = os.path.join(SOURCE, "resources", "demo")

# Generous: the run itself ends within seconds once the switch is gone; a
# nixtide that does not notice waits for the driver, which never ends.
RUN_DEADLINE = 180


class VlanSwitchDies(unittest.TestCase):
    def setUp(self):
        self.dirs, self.env = session_dirs(self, "nixtide-vde", extra=("test",))
        # vlan.nix's machines, built by the configuration-era driver: the
        # environment era (vlan.nix's own) polls the ctl socket and fails
        # at once instead of waiting.
        self.test = os.path.join(self.dirs["test"], "vlan-switch-dies.nix")
        with open(self.test, "w") as handle:
            handle.write("(import %s/lib { }).runTest {\n"
                         '  name = "vlan-switch-dies";\n'
                         '  driverGeneration = "configuration";\n'
                         "  nodes.server.virtualisation.vlans = [ 1 ];\n"
                         "  nodes.client.virtualisation.vlans = [ 1 ];\n"
                         "  testScript = ''\n"
                         "    start_all()\n"
                         '    client.succeed("true")\n'
                         "  '';\n"
                         "}\n" % DEMO)

    def test_run_names_the_vlan_stops_the_driver_and_exits_2(self):
        # Built first: the deadline below is for the run, not for Nix.
        build = subprocess.run(
            ["nix", "--extra-experimental-features", "nix-command", "build", "--option",
             "substituters", "", "--no-link", "-f", self.test, "driver"],
            env=self.env, capture_output=True, text=True, timeout=900)
        self.assertEqual(build.returncode, 0, build.stderr)
        env = dict(self.env, NIXTIDE_DEMO_VDE_SWITCH_DIES="1")
        proc = subprocess.Popen([BINARY, "run", self.test], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        # Everything nixtide started, for the leftover check, collected
        # while communicate() reads stderr.
        family, commands, started = set(), {}, time.monotonic()
        done = threading.Event()

        def watch():
            while not done.is_set():
                for pid in descendants(proc.pid):
                    if pid not in family:
                        family.add(pid)
                        commands[pid] = command(pid)
                time.sleep(0.05)
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            _, err = proc.communicate(timeout=RUN_DEADLINE)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
            self.fail("nixtide run still ran %d s after its start (the driver waits for a dead "
                      "vde_switch):\n%s" % (RUN_DEADLINE, err[-6000:]))
        finally:
            done.set()
            watcher.join()
        elapsed = time.monotonic() - started
        sys.stderr.write("\n[nixtide run: exit %d in %.1f s]\n%s\n"
                         % (proc.returncode, elapsed, err[-3000:]))
        said = re.search(r"^nixtide: cannot run: VLAN 1: vde_switch \(pid (\d+)\) exited; "
                         r"the driver waits for it", err, re.MULTILINE)
        self.assertTrue(said, err[-6000:])
        self.assertEqual(proc.returncode, 2, err[-6000:])
        self.assertNotIn("PASSED vlan-switch-dies", err)
        self.assertNotIn("FAILED vlan-switch-dies", err)
        # It never got as far as a VM.
        self.assertFalse(any("qemu-system" in c for c in commands.values()), commands)
        # Nothing of the run left: no driver, no switch, none of its files.
        time.sleep(0.5)
        self.assertEqual(alive(family), {})
        for name in ("runtime", "tmp"):
            self.assertEqual(leftovers(self.dirs[name]), [], "left in %s" % name)


if __name__ == "__main__":
    unittest.main(verbosity=2)
