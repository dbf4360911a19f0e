"""End to end: the agent injected into the demo driver bundles of
resources/demo/single.nix (configuration era) and vlan.nix (environment
era), built by real Nix, booting real QEMU guests."""

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dapclient  # noqa: E402
from dapclient import INJECT_DIR, REPO, DapClient  # noqa: E402

NIX_FILE = os.path.join(REPO, "resources", "demo", "single.nix")
VLAN_NIX_FILE = os.path.join(REPO, "resources", "demo", "vlan.nix")
GUEST = os.environ.get("NIXTIDE_DEMO_GUEST") or os.path.join(REPO, "build", "demo-guest")


def build(attribute, nix_file=NIX_FILE):
    if not os.path.exists(os.path.join(GUEST, "kernel")):
        subprocess.run([os.path.join(REPO, "resources", "demo", "guest", "build-guest.sh"), GUEST],
                       check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run(["nix", "--extra-experimental-features", "nix-command", "build",
                          "--option", "substituters", "", "--no-link", "--json", "-f", nix_file,
                          attribute],
                         env=dict(os.environ, NIXTIDE_DEMO_GUEST=GUEST), check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)[0]["outputs"]["out"]


def read_lines(path):
    with open(path) as handle:
        return handle.read().splitlines()


def line_map(bundle, nix_file=NIX_FILE):
    """The IDE's job, done simply: walk the testScript string and the built
    script together; an antiquotation matches whatever Nix put there."""
    nix_lines = read_lines(nix_file)
    script_lines = read_lines(os.path.join(bundle, "test-script"))
    position = next(i for i, line in enumerate(nix_lines) if line.rstrip().endswith("''")) + 1
    mapped = []
    for text in script_lines:
        for index in range(position, len(nix_lines)):
            pattern = re.escape(nix_lines[index].strip())
            pattern = re.sub(r"\\\$\\\{.*?\\\}", ".+", pattern)
            if re.fullmatch(pattern, text.strip()):
                mapped.append(index + 1)
                position = index + 1
                break
        else:
            raise AssertionError("script line %r not found in %s" % (text, nix_file))
    return mapped


def nix_line(nix_file, needle):
    return next(i + 1 for i, l in enumerate(read_lines(nix_file)) if needle in l)


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def qemu_pids_under(directory):
    """QEMU processes whose command line names this test's state dir."""
    out = subprocess.run(["pgrep", "-a", "qemu-system"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if directory in line]


class DriverTestCase(unittest.TestCase):
    def start(self, attribute, launch, nix_file=NIX_FILE, env_extra=None, line_mapped=True,
              script=None):
        """Run the bundle's driver with the agent. `script` replaces the
        test script (launch `script` + `scriptPath` = self.path)."""
        bundle = build(attribute, nix_file)
        self.dir = dapclient.private_dir()
        self.addCleanup(shutil.rmtree, self.dir, True)
        if script is not None:
            self.path = os.path.realpath(self.script_file(script))
            launch = dict(launch, script=script, scriptPath=self.path)
            line_mapped = False
        sock = os.path.join(self.dir, "agent.sock")
        env = dict(os.environ, PYTHONPATH=INJECT_DIR, NIXTIDE_AGENT_SOCKET=sock,
                   TMPDIR=self.dir)
        env.update(env_extra or {})
        # A file, not a pipe nobody reads: the driver logs every serial
        # line to stderr and would block once a pipe's buffer is full.
        self.log = open(os.path.join(self.dir, "driver.log"), "w+")
        self.addCleanup(self.log.close)
        self.addCleanup(self._show_log_on_failure)
        self.proc = subprocess.Popen([os.path.join(bundle, "bin", "nixos-test-driver"), "-o", self.dir],
                                     env=env, cwd=self.dir, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=self.log,
                                     start_new_session=True)
        self.addCleanup(self._kill)
        c = DapClient(sock)
        self.addCleanup(c.close)
        c.request("initialize", {"adapterID": "nixtide"})
        if line_mapped:
            launch = dict(launch, sourcePath=nix_file, lineMap=line_map(bundle, nix_file))
        c.request("launch", launch)
        return c, launch.get("lineMap")

    def _show_log_on_failure(self):
        outcome = getattr(self, "_outcome", None)
        errors = getattr(getattr(outcome, "result", None), "errors", []) + \
            getattr(getattr(outcome, "result", None), "failures", [])
        if any(test is self for test, _ in errors) or not getattr(outcome, "success", True):
            self.log.seek(0)
            print("\n--- driver stderr (tail) ---\n" + "".join(self.log.readlines()[-40:]),
                  file=sys.stderr)

    def _kill(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 9)
            self.proc.wait()

    def machine_pids(self, c):
        return {m.get("pid") for e in c.all_events if e["event"] == "nixtide/machines"
                for m in e["body"]["machines"] if m.get("pid")}

    def states(self, c, name):
        return [m["state"] for e in c.all_events if e["event"] == "nixtide/machines"
                for m in e["body"]["machines"] if m["name"] == name]

    def wait_state(self, c, name, state, timeout=60):
        if self.states(c, name)[-1:] == [state]:
            return
        c.wait_event("nixtide/machines", timeout=timeout, predicate=lambda e: any(
            m["name"] == name and m["state"] == state for m in e["body"]["machines"]))

    def script_file(self, text):
        path = os.path.join(self.dir, "script.py")
        with open(path, "w") as handle:
            handle.write(text)
        return path

    def assert_clean_exit(self, c, pids):
        self.proc.wait(60)
        self.assertFalse([pid for pid in pids if pid_alive(pid)])
        self.assertEqual(qemu_pids_under(self.dir), [])


class SingleMachine(DriverTestCase):

    def test_breakpoint_locals_evaluate_next_continue(self):
        c, lines = self.start("driver", {})
        nix_text = read_lines(NIX_FILE)
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
        names = {v["name"] for v in c.scope_variables(top["id"], "Driver")}
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

class PauseInDriverCalls(DriverTestCase):
    """Issue 3: a pause stops within 2 s even while the driver waits on the
    guest, and leaves the driver's shell protocol intact."""

    SCRIPT = (
        'machine.start()\n'
        'machine.wait_for_unit("multi-user.target")\n'
        'ready = True\n'
        'machine.wait_until_succeeds("test -e /tmp/go")\n'
        'out = machine.succeed("sleep 12; echo slept")\n'
        'after = machine.succeed("echo in-sync")\n')

    def pause(self, c):
        started = time.monotonic()
        c.request("pause", {"threadId": 1})
        stopped = c.wait_event("stopped", timeout=10)["body"]
        elapsed = time.monotonic() - started
        self.assertEqual(stopped["reason"], "pause")
        self.assertLess(elapsed, 2.0)
        frames = c.stack()
        script = [f for f in frames if f["source"].get("path") == self.path]
        self.assertTrue(script, frames)
        # The driver frames come first, marked subtle; the script's frame
        # is the line that called into the driver.
        self.assertNotEqual(frames[0]["source"].get("path"), self.path)
        self.assertEqual(frames[0].get("presentationHint"), "subtle")
        return elapsed, frames, script[0]

    def test_pause_in_wait_until_succeeds_and_in_succeed(self):
        c, _ = self.start("driver", {}, script=self.SCRIPT)
        c.request("setBreakpoints", {"source": {"path": self.path},
                                     "breakpoints": [{"line": 3}, {"line": 6}]})
        c.request("configurationDone")
        c.wait_event("stopped", timeout=180)
        self.assertEqual(c.stack()[0]["line"], 3)
        c.request("continue")
        c.wait_event("nixtide/logBegin", predicate=lambda e: "test -e /tmp/go" in e["body"]["message"])
        time.sleep(2.5)

        elapsed1, frames, top = self.pause(c)
        self.assertEqual((top["name"], top["line"]), ("testScript", 4))
        names = [f["name"] for f in frames]
        self.assertIn("wait_until_succeeds", names)
        self.assertIn("retry", names)
        c.request("continue")
        # The serial console's shell lets the wait succeed.
        c.request("nixtide/machineAction", {"machine": "machine", "action": "sendConsole",
                                            "text": "touch /tmp/go\n"})
        c.wait_event("nixtide/logBegin", timeout=30,
                     predicate=lambda e: "sleep 12" in e["body"]["message"])
        time.sleep(2)

        elapsed2, frames, top = self.pause(c)
        self.assertEqual((top["name"], top["line"]), ("testScript", 5))
        self.assertIn("execute", [f["name"] for f in frames])
        # The command's answer is still unread: another shell command or a
        # restart now would desynchronise the shell, so both are refused.
        busy = c.evaluate('machine.succeed("echo hi")', ok=False)
        self.assertFalse(busy["success"])
        self.assertIn("still waiting for the answer", busy["message"])
        refused = c.request("restart", {"arguments": {}}, ok=False)
        self.assertFalse(refused["success"])
        self.assertIn("cannot restart now", refused["message"])
        self.assertEqual(c.evaluate("1 + 1")["body"]["result"], "2")
        c.request("continue")
        c.wait_event("stopped", timeout=60)
        self.assertEqual(c.stack()[0]["line"], 6)
        self.assertEqual(c.evaluate("out")["body"]["result"], "'slept\\n'")
        self.assertEqual(c.evaluate('machine.succeed("echo now")')["body"]["result"], "'now\\n'")
        pids = self.machine_pids(c)
        c.request("terminate")
        c.wait_event("terminated", timeout=60)
        self.assert_clean_exit(c, pids)
        print("\npause latency: %.3f s (wait_until_succeeds), %.3f s (succeed)" % (
            elapsed1, elapsed2), file=sys.stderr)


class MachineStates(DriverTestCase):
    """crash() → crashed, shutdown() → shutdown through nixtide/machineAction;
    a guest panic and a guest power-off told apart by the serial console."""

    SCRIPT = (
        'machine.start()\n'
        'machine.wait_for_unit("multi-user.target")\n'
        'stop_for_crash = 1\n'
        'machine.wait_for_unit("multi-user.target")\n'
        'stop_for_shutdown = 1\n'
        'machine.start()\n'
        'machine.wait_for_unit("multi-user.target")\n'
        'machine.execute("echo c > /proc/sysrq-trigger", check_output=False)\n'
        'machine.wait_for_shutdown()\n'
        'stop_after_panic = 1\n'
        'machine.start()\n'
        'machine.wait_for_unit("multi-user.target")\n'
        'machine.execute("poweroff -f", check_output=False)\n'
        'machine.wait_for_shutdown()\n'
        'stop_after_poweroff = 1\n')

    def stop_at(self, c, line):
        c.wait_event("stopped", timeout=180)
        self.assertEqual(c.stack()[0]["line"], line)

    def test_crash_shutdown_panic_poweroff(self):
        c, _ = self.start("driver", {}, script=self.SCRIPT)
        c.request("setBreakpoints", {"source": {"path": self.path}, "breakpoints": [
            {"line": 3}, {"line": 5}, {"line": 10}, {"line": 15}]})
        c.request("configurationDone")
        action = lambda name: c.request("nixtide/machineAction",  # noqa: E731
                                        {"machine": "machine", "action": name}, timeout=120)
        self.stop_at(c, 3)
        self.wait_state(c, "machine", "up")
        action("crash")
        self.wait_state(c, "machine", "crashed", timeout=10)
        action("start")
        self.wait_state(c, "machine", "booting", timeout=10)
        c.request("continue")
        self.stop_at(c, 5)
        self.wait_state(c, "machine", "up")
        action("shutdown")
        self.wait_state(c, "machine", "shutdown", timeout=10)
        c.request("continue")
        self.stop_at(c, 10)
        self.wait_state(c, "machine", "crashed", timeout=10)
        # Serial bytes come in chunks as QEMU wrote them: read them joined.
        serial = b"".join(base64.b64decode(e["body"]["data"]) for e in c.all_events
                          if e["event"] == "nixtide/serial" and "data" in e["body"])
        self.assertIn(b"Kernel panic", serial)
        c.request("continue")
        self.stop_at(c, 15)
        self.wait_state(c, "machine", "shutdown", timeout=10)
        c.request("continue")
        self.assertEqual(c.wait_event("exited", timeout=60)["body"]["exitCode"], 0)
        # Every exit read once, in order, with no flicker through another
        # exit state on the way.
        exits = [s for s in self.states(c, "machine") if s in ("crashed", "shutdown")]
        self.assertEqual(exits, ["crashed", "shutdown", "crashed", "shutdown"])
        self.assert_clean_exit(c, self.machine_pids(c))


class EnvironmentEraVlan(DriverTestCase):
    """vlan.nix: environment-era wrapper (startScripts/testScript/vlans in the
    environment), a `{ nodes, ... }:` testScript with antiquotations, two
    machines on VLAN 1, and an interpreter with a sitecustomize of its own
    that must keep working (as Nix's Python honours NIX_PYTHONPATH)."""

    def test_breakpoint_on_antiquotation_line_evaluate_and_nix_sitecustomize(self):
        nix_site = os.path.join(dapclient.private_dir(), "nix-site")
        self.addCleanup(shutil.rmtree, os.path.dirname(nix_site), True)
        extra = os.path.join(os.path.dirname(nix_site), "nix-python-path")
        os.makedirs(nix_site)
        os.makedirs(extra)
        with open(os.path.join(nix_site, "sitecustomize.py"), "w") as handle:
            handle.write("import os, site\n"
                         "for entry in os.environ.pop('NIX_PYTHONPATH', '').split(':'):\n"
                         "    if entry:\n"
                         "        site.addsitedir(entry)\n"
                         "os.environ['NIX_SITE_RAN'] = 'yes'\n")
        with open(os.path.join(extra, "nix_marker.py"), "w") as handle:
            handle.write("VALUE = 'from NIX_PYTHONPATH'\n")
        c, lines = self.start("driverInteractive", {}, nix_file=VLAN_NIX_FILE, env_extra={
            "PYTHONPATH": INJECT_DIR + os.pathsep + nix_site, "NIX_PYTHONPATH": extra})
        line = nix_line(VLAN_NIX_FILE, 'client.fail("ping -c 1 -W 1 ${nodes.server')
        self.assertIn(line, lines)
        bps = c.request("setBreakpoints", {"source": {"path": VLAN_NIX_FILE},
                                           "breakpoints": [{"line": line}]})["body"]
        self.assertEqual(bps["breakpoints"][0]["line"], line)
        self.assertTrue(bps["breakpoints"][0]["verified"])
        c.request("configurationDone")
        c.wait_event("stopped", timeout=240)
        top = c.stack()[0]
        self.assertEqual((top["source"]["path"], top["line"]), (VLAN_NIX_FILE, line))
        self.assertEqual(c.evaluate('server.succeed("hostname")')["body"]["result"], "'server\\n'")
        self.assertEqual(c.evaluate('client.succeed("hostname")')["body"]["result"], "'client\\n'")
        names = {v["name"] for v in c.scope_variables(top["id"], "Driver")}
        self.assertTrue({"server", "client", "vlan1", "start_all"} <= names, names)
        self.assertEqual(c.evaluate("__import__('nix_marker').VALUE")["body"]["result"],
                         "'from NIX_PYTHONPATH'")
        self.assertEqual(c.evaluate("(os.environ.get('NIX_SITE_RAN'), "
                                    "'NIX_PYTHONPATH' in os.environ)")["body"]["result"],
                         "('yes', False)")
        c.request("continue")
        self.assertEqual(c.wait_event("nixtide/scriptFinished", timeout=180)["body"]["status"],
                         "passed")
        machines = {m["name"]: m["state"] for m in c.request("nixtide/machines")["body"]["machines"]}
        self.assertEqual(machines, {"server": "up", "client": "up"})
        pids = self.machine_pids(c)
        self.assertEqual(len(pids), 2)
        c.request("terminate")
        c.wait_event("terminated", timeout=60)
        self.assert_clean_exit(c, pids)
        self.assertFalse(subprocess.run(["pgrep", "-f", "vde_switch.*" + self.dir]).returncode == 0)


if __name__ == "__main__":
    unittest.main()
