"""End to end: the agent injected into the demo driver bundle of
resources/demo/single.nix, built by real Nix, booting a real QEMU guest."""

import json
import os
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dapclient  # noqa: E402
from dapclient import INJECT_DIR, REPO, DapClient  # noqa: E402

NIX_FILE = os.path.join(REPO, "resources", "demo", "single.nix")
GUEST = os.environ.get("NIXTIDE_DEMO_GUEST") or os.path.join(REPO, "build", "demo-guest")


def build(attribute):
    if not os.path.exists(os.path.join(GUEST, "kernel")):
        subprocess.run([os.path.join(REPO, "resources", "demo", "guest", "build-guest.sh"), GUEST],
                       check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run(["nix", "--extra-experimental-features", "nix-command", "build",
                          "--no-link", "--json", "-f", NIX_FILE, attribute],
                         env=dict(os.environ, NIXTIDE_DEMO_GUEST=GUEST), check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)[0]["outputs"]["out"]


def line_map(bundle):
    """The IDE's job, done simply for single.nix (no antiquotations): the
    script is the testScript string with its indentation stripped."""
    nix_lines = open(NIX_FILE).read().splitlines()
    script_lines = open(os.path.join(bundle, "test-script")).read().splitlines()
    first = next(i for i, line in enumerate(nix_lines) if line.strip() == script_lines[0]) + 1
    return [first + i for i in range(len(script_lines))]


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class SingleMachine(unittest.TestCase):
    def start(self, attribute, launch):
        bundle = build(attribute)
        self.dir = dapclient.private_dir()
        self.addCleanup(shutil.rmtree, self.dir, True)
        sock = os.path.join(self.dir, "agent.sock")
        env = dict(os.environ, PYTHONPATH=INJECT_DIR, NIXTIDE_AGENT_SOCKET=sock,
                   TMPDIR=self.dir)
        self.proc = subprocess.Popen([os.path.join(bundle, "bin", "nixos-test-driver"), "-o", self.dir],
                                     env=env, cwd=self.dir, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     start_new_session=True)
        self.addCleanup(self._kill)
        c = DapClient(sock)
        self.addCleanup(c.close)
        c.request("initialize", {"adapterID": "nixtide"})
        launch = dict(launch, sourcePath=NIX_FILE, lineMap=line_map(bundle))
        c.request("launch", launch)
        return c, launch["lineMap"]

    def _kill(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 9)
            self.proc.wait()

    def machine_pids(self, c):
        return {m.get("pid") for e in c.all_events if e["event"] == "nixtide/machines"
                for m in e["body"]["machines"] if m.get("pid")}

    def test_breakpoint_locals_evaluate_next_continue(self):
        c, lines = self.start("driver", {})
        nix_text = open(NIX_FILE).read().splitlines()
        hostname_line = next(i + 1 for i, l in enumerate(nix_text) if "hostname = machine.succeed" in l)
        bps = c.request("setBreakpoints", {"source": {"path": NIX_FILE},
                                           "breakpoints": [{"line": hostname_line}]})["body"]
        self.assertEqual(bps["breakpoints"][0], {"id": 1, "verified": True, "line": hostname_line})
        c.request("configurationDone")
        started = time.monotonic()
        c.wait_event("stopped", timeout=180)
        boot = time.monotonic() - started
        top = c.stack()[0]
        self.assertEqual((top["source"]["path"], top["line"]), (NIX_FILE, hostname_line))
        names = {v["name"] for v in c.scope_variables(top["id"], "Test namespace")}
        self.assertTrue({"machine", "start_all", "driver"} <= names)
        self.assertEqual(c.evaluate('machine.succeed("hostname")', top["id"])["body"]["result"],
                         "'machine\\n'")
        machines = c.request("nixtide/machines")["body"]["machines"]
        self.assertEqual([(m["name"], m["state"]) for m in machines], [("machine", "up")])
        self.assertTrue(os.path.exists(machines[0]["vncSocket"]), machines[0]["vncSocket"])
        c.request("next")
        c.wait_event("stopped")
        self.assertEqual(c.stack()[0]["line"], hostname_line + 1)
        self.assertEqual(c.evaluate("hostname")["body"]["result"], "'machine'")
        c.request("continue")
        self.assertEqual(c.wait_event("exited", timeout=120)["body"]["exitCode"], 0)
        c.wait_event("terminated")
        self.assertEqual(self.proc.wait(60), 0)
        pids = self.machine_pids(c)
        self.assertEqual(len(pids), 1)
        self.assertFalse(any(pid_alive(pid) for pid in pids))
        events = {e["event"] for e in c.all_events}
        self.assertTrue({"nixtide/serial", "nixtide/logBegin", "nixtide/logEnd",
                         "nixtide/screenshot"} <= events, events)
        states = [m["state"] for e in c.all_events if e["event"] == "nixtide/machines"
                  for m in e["body"]["machines"]]
        self.assertEqual(states[0], "off")
        self.assertIn("up", states)
        print("\nboot to breakpoint: %.1f s" % boot, file=sys.stderr)

    def test_failure_keeps_vms_and_restart_runs_without_reboot(self):
        c, _lines = self.start("driverInteractive", {"script": (
            'machine.start()\nmachine.succeed("true")\nmachine.succeed("false")\n')})
        c.request("configurationDone")
        stopped = c.wait_event("stopped", timeout=180)["body"]
        self.assertEqual(stopped["reason"], "exception")
        self.assertIn("false", stopped["description"])
        self.assertEqual(c.evaluate('machine.succeed("echo alive")')["body"]["result"], "'alive\\n'")
        pids = self.machine_pids(c)
        started = time.monotonic()
        c.request("restart", {"arguments": {"stopOnEntry": True, "script": (
            'machine.succeed("echo again")\nfixed = True\n')}})
        c.wait_event("stopped", predicate=lambda e: e["body"]["reason"] == "entry")
        first_line = time.monotonic() - started
        self.assertLess(first_line, 1.0)
        c.request("continue")
        self.assertEqual(c.wait_event("nixtide/scriptFinished", timeout=60)["body"]["status"], "passed")
        self.assertEqual(self.machine_pids(c), pids)  # same QEMU: no reboot
        self.assertEqual(c.evaluate("fixed")["body"]["result"], "True")
        c.request("terminate")
        c.wait_event("terminated", timeout=60)
        self.proc.wait(60)
        self.assertFalse(any(pid_alive(pid) for pid in pids))
        print("\nrestart to first line: %.3f s" % first_line, file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
