"""`nixtide debug-adapter` as an editor sees it: DAP on the adapter's
stdin/stdout, launching demo tests of both driver generations (built by
real Nix, booting real QEMU guests), breakpoints on .nix lines:
resources/demo/single.nix (configuration era: the driver on Python 3.13,
pydantic loaded) and vlan.nix (environment era: Python 3.11)."""
import json
import os
import queue
import subprocess
import tempfile
import threading
import time
import unittest

SOURCE = os.environ.get("NIXTIDE_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("NIXTIDE_BINARY") or os.path.join(SOURCE, "build", "app", "nixtide")
SINGLE = os.path.join(SOURCE, "resources", "demo", "single.nix")
VLAN = os.path.join(SOURCE, "resources", "demo", "vlan.nix")
CONTAINERS = os.path.join(SOURCE, "resources", "demo", "containers.nix")
# The driver's interpreter and whether it loaded pydantic, seen from the script.
INTERPRETER = "(__import__('sys').version_info[:2], 'pydantic' in __import__('sys').modules)"


class StdioDap:
    """A minimal editor: frames requests to the adapter, reads its frames."""

    def __init__(self, env):
        self.proc = subprocess.Popen([BINARY, "debug-adapter"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.messages = queue.Queue()
        self.seen = []
        self.seq = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        stream = self.proc.stdout
        while True:
            header = b""
            while not header.endswith(b"\r\n\r\n"):
                byte = stream.read(1)
                if not byte:
                    self.messages.put(None)
                    return
                header += byte
            length = int(header.split(b"Content-Length:")[1].split(b"\r\n")[0])
            self.messages.put(json.loads(stream.read(length)))

    def send(self, command, arguments=None):
        self.seq += 1
        body = json.dumps({"seq": self.seq, "type": "request", "command": command,
                           "arguments": arguments or {}}).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()
        return self.seq

    def next_message(self, timeout):
        message = self.messages.get(timeout=timeout)
        if message is None:
            raise AssertionError("the adapter closed its output")
        self.seen.append(message)
        return message

    def response(self, seq, timeout=60):
        deadline = time.monotonic() + timeout
        for old in self.seen:
            if old.get("type") == "response" and old.get("request_seq") == seq:
                return old
        while True:
            message = self.next_message(max(0.1, deadline - time.monotonic()))
            if message.get("type") == "response" and message.get("request_seq") == seq:
                return message

    def request(self, command, arguments=None, timeout=60):
        response = self.response(self.send(command, arguments), timeout)
        if not response["success"]:
            raise AssertionError("%s failed: %s" % (command, response.get("message")))
        return response

    def wait_event(self, name, timeout=120):
        deadline = time.monotonic() + timeout
        while True:
            message = self.next_message(max(0.1, deadline - time.monotonic()))
            if message.get("type") == "event" and message.get("event") == name:
                return message


class DebugAdapter(unittest.TestCase):
    def setUp(self):
        state = tempfile.TemporaryDirectory(prefix="nixtide-adapter-test-")
        self.addCleanup(state.cleanup)
        # A runtime directory of the test's own: kept VM state goes there.
        runtime = tempfile.TemporaryDirectory(prefix="nixtide-rt-")
        self.addCleanup(runtime.cleanup)
        self.runtime = runtime.name
        env = dict(os.environ, XDG_STATE_HOME=state.name, XDG_RUNTIME_DIR=runtime.name)
        env.setdefault("NIXTIDE_DEMO_GUEST", os.path.join(SOURCE, "build", "demo-guest"))
        self.dap = StdioDap(env)
        self.addCleanup(self._stop)

    def _stop(self):
        if self.dap.proc.poll() is None:
            self.dap.proc.kill()
            self.dap.proc.wait()
        self.dap.proc.stdin.close()
        self.dap.proc.stdout.close()
        self.dap.proc.stderr.close()

    def debug(self, test, break_at, evaluations):
        """Launch `test`, stop on the line holding `break_at`, check each
        (expression, result) there, continue to exit 0."""
        dap = self.dap
        caps = dap.request("initialize", {"adapterID": "nixtide", "linesStartAt1": True})["body"]
        # One source: the agent's own capabilities, restart among them.
        with open(os.path.join(SOURCE, "core/agent/nixtide_agent/capabilities.json")) as handle:
            self.assertEqual(caps, json.load(handle))
        self.assertTrue(caps["supportsConfigurationDoneRequest"])
        self.assertTrue(caps["supportsRestartRequest"])
        with open(test) as handle:
            line = next(i + 1 for i, text in enumerate(handle.read().splitlines())
                        if break_at in text)
        launch = dap.send("launch", {"test": test})
        dap.wait_event("initialized", timeout=240)
        self.assertTrue(dap.response(launch)["success"])
        bps = dap.request("setBreakpoints", {"source": {"path": test},
                                             "breakpoints": [{"line": line}]})["body"]
        self.assertTrue(bps["breakpoints"][0]["verified"])
        dap.request("configurationDone")
        stopped = dap.wait_event("stopped", timeout=180)
        self.assertEqual(stopped["body"]["reason"], "breakpoint")
        frame = dap.request("stackTrace", {"threadId": 1})["body"]["stackFrames"][0]
        self.assertEqual((frame["source"]["path"], frame["line"]), (test, line))
        for expression, expected in evaluations:
            result = dap.request("evaluate", {"expression": expression,
                                              "frameId": frame["id"], "context": "repl"})
            self.assertEqual(result["body"]["result"], expected, expression)
        # A client that follows the specification restarts with `restart`
        # (supportsRestartRequest): the script runs again on the live VM.
        restart = dap.send("restart", {})
        again = dap.wait_event("stopped", timeout=180)
        self.assertTrue(dap.response(restart)["success"])
        self.assertEqual(again["body"]["reason"], "breakpoint")
        self.assertFalse(any(m.get("event") == "terminated" for m in dap.seen))
        # The agent answered as the file says: no capabilities update.
        self.assertFalse(any(m.get("event") == "capabilities" for m in dap.seen))
        dap.request("continue", {"threadId": 1})
        self.assertEqual(dap.wait_event("exited", timeout=600)["body"]["exitCode"], 0)
        dap.wait_event("terminated", timeout=60)
        self.assertEqual(dap.proc.wait(30), 0)
        outputs = [m for m in dap.seen if m.get("event") == "output"]
        self.assertTrue(any("built " in m["body"]["output"] for m in outputs))

    def test_launch_break_evaluate_continue(self):
        self.debug(SINGLE, "hostname = machine.succeed", [
            ('machine.succeed("hostname")', "'machine\\n'"),
            (INTERPRETER, "((3, 13), True)"),
            ("[m.name for m in machines_qemu], machines_nspawn", "(['machine'], [])"),
        ])

    def test_vm_and_container_listed_before_start_all(self):
        # Stopped on start_all(): both machines exist, neither has started.
        self.debug(CONTAINERS, "start_all()", [
            ("sorted((m.name, type(m).__name__) for m in machines)",
             "[('box', 'NspawnMachine'), ('server', 'Machine')]"),
            ("[m.name for m in machines_qemu], [m.name for m in machines_nspawn]",
             "(['server'], ['box'])"),
            ("box.booted or server.booted", "False"),
        ])
        first_stop = next(i for i, m in enumerate(self.dap.seen) if m.get("event") == "stopped")
        listed = [m["body"]["machines"] for m in self.dap.seen[:first_stop]
                  if m.get("event") == "nixtide/machines"]
        self.assertTrue(listed, "no machine list before the first stop")
        self.assertEqual(sorted((m["name"], m["kind"]) for m in listed[-1]),
                         [("box", "container"), ("server", "vm")])

    def test_environment_era_on_python_3_11(self):
        self.debug(VLAN, 'client.wait_for_unit("multi-user.target")', [
            ('server.succeed("hostname")', "'server\\n'"),
            (INTERPRETER, "((3, 11), False)"),
            ("sorted(m.name for m in machines)", "['client', 'server']"),
        ])

    def test_keep_vm_state_reaches_the_driver(self):
        # The kept directory is the driver's TMPDIR (its machines' state
        # goes there) and the driver is told to keep it; seen from the
        # script stopped on entry, before any machine boots.
        dap = self.dap
        dap.request("initialize", {"adapterID": "nixtide", "linesStartAt1": True})
        launch = dap.send("launch", {"test": SINGLE, "keepVmState": True, "stopOnEntry": True})
        dap.wait_event("initialized", timeout=240)
        self.assertTrue(dap.response(launch)["success"])
        said = [m["body"]["output"] for m in dap.seen if m.get("event") == "output"
                and m["body"]["output"].startswith("keeping VM state in ")]
        self.assertEqual(len(said), 1, said)
        kept = said[0][len("keeping VM state in "):].rstrip("\n")
        self.assertTrue(kept.startswith(self.runtime + "/nixtide-vms-"), kept)
        self.assertTrue(os.path.isdir(kept), kept)
        dap.request("configurationDone")
        self.assertEqual(dap.wait_event("stopped", timeout=120)["body"]["reason"], "entry")
        frame = dap.request("stackTrace", {"threadId": 1})["body"]["stackFrames"][0]
        for expression, expected in [
                ("__import__('os').environ['TMPDIR']", repr(kept)),
                ("'--keep-vm-state' in __import__('sys').argv", "True")]:
            result = dap.request("evaluate", {"expression": expression,
                                              "frameId": frame["id"], "context": "repl"})
            self.assertEqual(result["body"]["result"], expected, expression)
        dap.request("disconnect", {"terminateDebuggee": True})
        if not any(m.get("event") == "terminated" for m in dap.seen):
            dap.wait_event("terminated", timeout=60)
        self.assertEqual(dap.proc.wait(60), 0)

    def test_launch_of_a_missing_test_fails_cleanly(self):
        dap = self.dap
        dap.request("initialize", {"adapterID": "nixtide"})
        response = dap.response(dap.send("launch", {"test": "/nonexistent/test.nix"}))
        self.assertFalse(response["success"])
        self.assertIn("/nonexistent/test.nix", response["message"])
        dap.wait_event("terminated", timeout=30)
        dap.request("disconnect")
        self.assertEqual(dap.proc.wait(30), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
