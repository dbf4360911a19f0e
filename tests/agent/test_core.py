"""The agent on plain Python scripts and on the demo driver without VMs:
real processes, a real DAP client over a real unix socket.

Runs under each interpreter the agent must serve (ctest: agent.unit on the
platform's 3.13, agent.unit-py311 on 3.11): NIXTIDE_TEST_PYTHON is the
interpreter of the debugged processes, NIXTIDE_EXPECT_TRACING the tracing
backend they must use there (sys.monitoring from 3.12, settrace before).
"""

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dapclient  # noqa: E402
from dapclient import AGENT_DIR, INJECT_DIR, PYTHON, REPO, AgentProcess, DapClient  # noqa: E402

sys.path.insert(0, AGENT_DIR)
from nixtide_agent.protocol import FrameReader, encode  # noqa: E402


def script(text):
    return textwrap.dedent(text).lstrip("\n")


class Framing(unittest.TestCase):
    def test_partial_multiple_junk_and_bad_json(self):
        reader = FrameReader()
        one, two = encode({"a": 1}), encode({"b": "é"})
        items = []
        for byte in one:
            items += reader.feed(bytes([byte]))
        self.assertEqual(items, [("message", {"a": 1})])
        items = reader.feed(b"garbage\r\n\r\n" + two + one[:5])
        self.assertEqual(items[0], ("junk", b"garbage\r\n\r\n"))
        self.assertEqual(items[1], ("message", {"b": "é"}))
        self.assertEqual(reader.feed(one[5:] + b"Content-Length: 3\r\n\r\n{x}"),
                         [("message", {"a": 1}), ("error", items and reader.feed(b"") and "" or
                          "invalid JSON in frame: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)")])


def _python_has(module):
    return subprocess.run([PYTHON, "-c", "import " + module], capture_output=True).returncode == 0


PYTHON_VERSION = tuple(int(part) for part in subprocess.run(
    [PYTHON, "-c", "import sys; print(*sys.version_info[:2])"], capture_output=True, text=True,
    check=True).stdout.split())
EXPECTED_TRACING = os.environ.get("NIXTIDE_EXPECT_TRACING") or (
    "monitoring" if PYTHON_VERSION >= (3, 12) else "settrace")
# Which backend traces the stopped frame, seen from inside the debuggee.
TRACING_PROBE = ("(lambda sys: 'settrace:' + type(sys.gettrace().__self__).__name__ "
                 "if sys.gettrace() else 'monitoring:' + str(sys.monitoring.get_tool("
                 "sys.monitoring.DEBUGGER_ID)))(__import__('sys'))")
EXPECTED_PROBE = {"settrace": "'settrace:SettraceBackend'",
                  "monitoring": "'monitoring:nixtide'"}[EXPECTED_TRACING]


class TracingBackend(unittest.TestCase):
    def test_the_interpreter_gets_its_backend(self):
        expected_python = {"settrace": (3, 11), "monitoring": (3, 13)}[EXPECTED_TRACING]
        self.assertEqual(PYTHON_VERSION, expected_python, PYTHON)
        agent = AgentProcess(script("""
            x = 1
            y = x + 1
        """))
        self.addCleanup(agent.close)
        agent.start(breakpoints=[{"line": 2}])
        c = agent.client
        c.wait_event("stopped")
        self.assertEqual(c.evaluate(TRACING_PROBE)["body"]["result"], EXPECTED_PROBE)
        c.request("continue")
        self.assertEqual(c.wait_event("exited")["body"]["exitCode"], 0)
        self.assertEqual(agent.finish()[0], 0)


class PlainScripts(unittest.TestCase):
    def run_agent(self, text, **kwargs):
        agent = AgentProcess(script(text), **kwargs)
        self.addCleanup(agent.close)
        return agent

    def test_capabilities_breakpoint_locals_evaluate_exit(self):
        agent = self.run_agent("""
            x = 1
            def f(a):
                b = a * 2
                return b
            y = f(x)
            print("y is", y)
        """)
        caps = agent.start(breakpoints=[{"line": 3}])["body"]
        for key in ("supportsConfigurationDoneRequest", "supportsConditionalBreakpoints",
                    "supportsHitConditionalBreakpoints", "supportsEvaluateForHovers",
                    "supportsRestartRequest", "supportsTerminateRequest"):
            self.assertTrue(caps[key], key)
        self.assertEqual({f["filter"] for f in caps["exceptionBreakpointFilters"]}, {"uncaught", "raised"})
        c = agent.client
        stopped = c.wait_event("stopped")["body"]
        self.assertEqual(stopped["reason"], "breakpoint")
        frames = c.stack()
        self.assertEqual([(f["name"], f["line"]) for f in frames], [("f", 3), ("testScript", 5)])
        self.assertEqual(frames[0]["source"]["path"], os.path.realpath(agent.script))
        self.assertEqual(c.scope_variables(frames[0]["id"], "Locals"),
                         [{"name": "a", "value": "1", "type": "int", "variablesReference": 0}])
        self.assertEqual(c.evaluate("a + 10", frames[0]["id"])["body"]["result"], "11")
        self.assertEqual(c.evaluate("x", frames[1]["id"], context="watch")["body"]["result"], "1")
        # hover never calls anything
        self.assertFalse(c.evaluate("print('no')", frames[0]["id"], context="hover", ok=False)["success"])
        c.request("continue")
        self.assertEqual(c.wait_event("exited")["body"]["exitCode"], 0)
        c.wait_event("terminated")
        code, out, _err = agent.finish()
        self.assertEqual((code, out), (0, "y is 2\n"))

    def stopped_before_a_wait(self):
        """An agent stopped on line 2 of a script that then waits (lines 3
        and 4) until the file `go` exists."""
        go = os.path.join(tempfile.mkdtemp(), "go")
        self.addCleanup(shutil.rmtree, os.path.dirname(go), True)
        agent = self.run_agent("""
            import os, time
            x = 1
            while not os.path.exists(%r):
                time.sleep(0.01)
        """ % go)
        agent.start(breakpoints=[{"line": 2}])
        agent.client.wait_event("stopped")
        return agent, go

    def test_a_request_sent_with_continue_is_answered(self):
        # `continue` and a request in one write: the second reaches the
        # stop's queue after `continue` ended the stop. It is answered as
        # while the script runs, not left for a next stop that never comes.
        agent, go = self.stopped_before_a_wait()
        c = agent.client
        resumed, late = c.send_together([("continue", {"threadId": 1}),
                                         ("evaluate", {"expression": "x", "context": "repl"})])
        self.assertTrue(c.wait_response(resumed)["success"])
        answer = c.wait_response(late)
        self.assertFalse(answer["success"])
        self.assertIn("running", answer["message"])
        open(go, "w").close()
        self.assertEqual(c.wait_event("exited")["body"]["exitCode"], 0)
        self.assertEqual(agent.finish()[0], 0)

    def test_a_pause_sent_with_continue_pauses(self):
        # `pause` right behind `continue`: it reaches the agent while the
        # stop is still ending. It pauses the script that goes on, and the
        # step mode the continue sets does not undo it.
        agent, go = self.stopped_before_a_wait()
        c = agent.client
        for action in ("continue", "next", "stepIn"):
            with self.subTest(action):
                resumed, pause = c.send_together([(action, {"threadId": 1}),
                                                  ("pause", {"threadId": 1})])
                self.assertTrue(c.wait_response(resumed)["success"])
                self.assertTrue(c.wait_response(pause)["success"])
                self.assertEqual(c.wait_event("stopped")["body"]["reason"], "pause")
                self.assertIn(c.stack()[0]["line"], (3, 4))
        open(go, "w").close()
        c.request("continue", {"threadId": 1})
        self.assertEqual(c.wait_event("exited")["body"]["exitCode"], 0)
        self.assertEqual(agent.finish()[0], 0)

    def test_a_restart_sent_with_continue_is_answered_and_pause_still_works(self):
        # Served late on the main thread, the restart is raised there at
        # once: it is answered first, and the stop's end leaves nothing
        # behind that would swallow a later pause.
        agent, go = self.stopped_before_a_wait()
        c = agent.client
        resumed, restart = c.send_together([("continue", {"threadId": 1}), ("restart", {})])
        self.assertTrue(c.wait_response(resumed)["success"])
        self.assertTrue(c.wait_response(restart)["success"])
        self.assertEqual(c.wait_event("stopped")["body"]["reason"], "breakpoint")
        c.request("continue", {"threadId": 1})
        c.request("pause", {"threadId": 1})
        self.assertEqual(c.wait_event("stopped")["body"]["reason"], "pause")
        open(go, "w").close()
        c.request("continue", {"threadId": 1})
        self.assertEqual(c.wait_event("exited")["body"]["exitCode"], 0)
        self.assertEqual(agent.finish()[0], 0)

    def test_a_pause_sent_with_continue_after_a_goto_pauses_the_rest(self):
        agent = self.run_agent("""
            def fail(message):
                raise SystemError(message)
            fail("skipped")
            import time
            for i in range(100):
                time.sleep(0.1)
        """)
        agent.start()
        c = agent.client
        self.assertEqual(c.wait_event("stopped")["body"]["reason"], "exception")
        # On from line 4, past the failing call.
        targets = c.request("gotoTargets", {"source": {"path": agent.script}, "line": 4})
        c.request("goto", {"threadId": 1, "targetId": targets["body"]["targets"][0]["id"]})
        self.assertEqual(c.wait_event("stopped")["body"]["reason"], "goto")
        resumed, pause = c.send_together([("continue", {"threadId": 1}),
                                          ("pause", {"threadId": 1})])
        self.assertTrue(c.wait_response(pause)["success"])
        self.assertEqual(c.wait_event("stopped")["body"]["reason"], "pause")
        self.assertIn(c.stack()[0]["line"], (4, 5, 6))
        c.request("terminate")
        agent.finish()

    def test_goto_skips_a_failing_line(self):
        # Set Next Statement: paused before the failing line, the script
        # goes on after it and passes.
        agent = self.run_agent("""
            def fail(message):
                raise SystemError(message)
            done = [1]
            fail("skipped")
            done.append(3)
            print("done", done)
        """)
        caps = agent.start(breakpoints=[{"line": 4}])["body"]
        self.assertTrue(caps.get("supportsGotoTargetsRequest"))
        c = agent.client
        c.wait_event("stopped")
        refused = c.request("gotoTargets", {"source": {"path": agent.script}, "line": 99},
                            ok=False)
        self.assertIn("holds no statement", refused["message"])
        targets = c.request("gotoTargets", {"source": {"path": agent.script},
                                            "line": 5})["body"]["targets"]
        self.assertEqual([t["line"] for t in targets], [5])
        c.request("goto", {"threadId": 1, "targetId": targets[0]["id"]})
        self.assertEqual(c.wait_event("stopped")["body"]["reason"], "goto")
        self.assertEqual(c.stack()[0]["line"], 5)
        c.request("continue")
        self.assertEqual(c.wait_event("exited")["body"]["exitCode"], 0)
        code, out, _err = agent.finish()
        self.assertEqual((code, out), (0, "done [1, 3]\n"))

    def test_goes_on_after_a_failure(self):
        # Continue after a fixed failure: the failing statement was done in
        # the REPL instead; the rest of the script runs (in the `with`
        # block the failure was in, then after it) and the script passes.
        agent = self.run_agent("""
            import contextlib
            done = []
            @contextlib.contextmanager
            def block(name):
                done.append("enter " + name)
                yield
            with block("b"):
                done.append(1)
                done.append(2 / 0)
                done.append(3)
            done.append(4)
            print("done", done)
        """)
        agent.start()
        c = agent.client
        self.assertEqual(c.wait_event("stopped")["body"]["reason"], "exception")
        self.assertEqual(c.stack()[0]["line"], 9)
        c.evaluate("done.append(2)")
        # Inside a statement that is not a `with`: refused, with the reason.
        refused = c.request("gotoTargets", {"source": {"path": agent.script}, "line": 5},
                            ok=False)
        self.assertIn("inside the def statement of line 4", refused["message"])
        targets = c.request("gotoTargets", {"source": {"path": agent.script},
                                            "line": 10})["body"]["targets"]
        self.assertEqual([t["line"] for t in targets], [10])
        c.request("goto", {"threadId": 1, "targetId": targets[0]["id"]})
        self.assertEqual(c.wait_event("stopped")["body"]["reason"], "goto")
        frames = c.stack()
        self.assertEqual([(f["name"], f["line"]) for f in frames], [("testScript", 10)])
        c.request("continue")
        out = c.wait_event("output", predicate=lambda e: "goes on" in e["body"]["output"])
        self.assertEqual(out["body"]["output"], "nixtide: the script goes on from line 10\n")
        self.assertEqual(c.wait_event("exited")["body"]["exitCode"], 0)
        code, out, _err = agent.finish()
        self.assertEqual((code, out), (0, "done ['enter b', 1, 2, 'enter b', 3, 4]\n"))

    def test_a_fixed_last_line_ends_the_script(self):
        agent = self.run_agent("""
            x = 1
            x = x / 0
        """)
        agent.start()
        c = agent.client
        self.assertEqual(c.wait_event("stopped")["body"]["reason"], "exception")
        c.evaluate("x = x / 1")
        targets = c.request("gotoTargets", {"source": {"path": agent.script},
                                            "line": 3})["body"]["targets"]
        self.assertEqual(targets, [{"id": 0, "label": "the end of the script", "line": 3}])
        c.request("goto", {"threadId": 1, "targetId": 0})
        c.wait_event("stopped")
        c.request("continue")
        self.assertEqual(c.wait_event("exited")["body"]["exitCode"], 0)
        agent.finish()

    def test_condition_and_hit_condition(self):
        agent = self.run_agent("""
            total = 0
            for i in range(10):
                total += i
            done = True
        """)
        agent.start(breakpoints=[{"line": 3, "condition": "i == 7"}])
        c = agent.client
        c.wait_event("stopped")
        self.assertEqual(c.evaluate("i")["body"]["result"], "7")
        c.request("setBreakpoints", {"source": {"path": agent.script},
                                     "breakpoints": [{"line": 3, "hitCondition": "2"}]})
        c.request("continue")
        c.wait_event("stopped")
        self.assertEqual(c.evaluate("i")["body"]["result"], "9")  # hits restart at 8, 9
        c.request("setBreakpoints", {"source": {"path": agent.script}, "breakpoints": []})
        c.request("continue")
        self.assertEqual(c.wait_event("exited")["body"]["exitCode"], 0)
        agent.finish()

    def test_next_step_in_step_out(self):
        agent = self.run_agent("""
            def inner(v):
                w = v + 1
                return w

            def outer():
                r = inner(1)
                return r * 2

            value = outer()
            after = value
        """)
        agent.start(breakpoints=[{"line": 6}])
        c = agent.client
        c.wait_event("stopped")
        c.request("stepIn")
        self.assertEqual(c.wait_event("stopped")["body"]["reason"], "step")
        self.assertEqual([(f["name"], f["line"]) for f in c.stack()[:2]], [("inner", 2), ("outer", 6)])
        c.request("next")
        c.wait_event("stopped")
        self.assertEqual(c.stack()[0]["line"], 3)
        c.request("stepOut")  # debugpy's way: back on the call line, result not stored yet
        c.wait_event("stopped")
        self.assertEqual((c.stack()[0]["name"], c.stack()[0]["line"]), ("outer", 6))
        self.assertFalse(c.evaluate("r", c.stack()[0]["id"], ok=False)["success"])
        c.request("next")
        c.wait_event("stopped")
        self.assertEqual((c.stack()[0]["name"], c.stack()[0]["line"]), ("outer", 7))
        self.assertEqual(c.evaluate("r", c.stack()[0]["id"])["body"]["result"], "2")
        c.request("next")  # returning from outer lands on the caller's next line
        c.wait_event("stopped")
        self.assertEqual((c.stack()[0]["name"], c.stack()[0]["line"]), ("testScript", 10))
        c.request("continue")
        self.assertEqual(c.wait_event("exited")["body"]["exitCode"], 0)
        agent.finish()

    def test_pause_during_blocking_calls(self):
        agent = self.run_agent("""
            import socket, time
            a, b = socket.socketpair()
            data = a.recv(10)
            time.sleep(120)
            finished = True
        """)
        agent.start()
        c = agent.client
        time.sleep(0.5)
        for expected_line in (3, 4):
            started = time.monotonic()
            c.request("pause")
            stopped = c.wait_event("stopped", timeout=5)["body"]
            elapsed = time.monotonic() - started
            self.assertEqual(stopped["reason"], "pause")
            self.assertLess(elapsed, 2.0)
            top = c.stack()[0]
            self.assertEqual((top["name"], top["line"]), ("testScript", expected_line))
            if expected_line == 3:
                c.evaluate("b.send(b'hello')")
                c.request("continue")
                time.sleep(0.5)
        self.assertEqual(c.evaluate("data")["body"]["result"], "b'hello'")
        c.request("terminate")
        c.wait_event("terminated")
        code, _out, _err = agent.finish()
        self.assertNotEqual(code, 0)

    def test_exception_stop_evaluate_restart_with_new_text(self):
        agent = self.run_agent("""
            import os
            x = 5
            raise RuntimeError("boom")
        """)
        agent.start()
        c = agent.client
        stopped = c.wait_event("stopped")["body"]
        self.assertEqual(stopped["reason"], "exception")
        self.assertIn("RuntimeError: boom", stopped["description"])
        info = c.request("exceptionInfo", {"threadId": 1})["body"]
        self.assertEqual((info["exceptionId"], info["breakMode"]), ("RuntimeError", "unhandled"))
        self.assertEqual(c.stack()[0]["line"], 3)
        self.assertEqual(c.evaluate("x * 2")["body"]["result"], "10")
        pid = c.evaluate("os.getpid()")["body"]["result"]
        self.assertFalse(c.request("next", ok=False)["success"])
        c.request("setBreakpoints", {"source": {"path": agent.script}, "breakpoints": [{"line": 3}]})
        c.request("restart", {"arguments": {"script": "import os\nx = 6\nprint('fixed', x)\n"}})
        c.wait_event("stopped", predicate=lambda e: e["body"]["reason"] == "breakpoint")
        self.assertEqual(c.evaluate("os.getpid()")["body"]["result"], pid)
        self.assertEqual(c.evaluate("x")["body"]["result"], "6")
        c.request("continue")
        self.assertEqual(c.wait_event("exited")["body"]["exitCode"], 0)
        code, out, _err = agent.finish()
        self.assertEqual((code, out), (0, "fixed 6\n"))

    def test_continue_after_exception_fails_normally(self):
        agent = self.run_agent("raise ValueError('bad')\n")
        agent.start()
        c = agent.client
        c.wait_event("stopped")
        c.request("continue")
        self.assertEqual(c.wait_event("exited")["body"]["exitCode"], 1)
        code, _out, err = agent.finish()
        self.assertEqual(code, 1)
        self.assertIn("ValueError: bad", err)

    def test_variables_expand_and_repl_statements(self):
        agent = self.run_agent("""
            class Box:
                def __init__(self):
                    self.items = [1, {"k": "v"}]
                    self.name = "box"
            box = Box()
            stop = 1
            end = 2
        """)
        agent.start(breakpoints=[{"line": 6}])
        c = agent.client
        c.wait_event("stopped")
        frame = c.stack()[0]["id"]
        names = {v["name"]: v for v in c.scope_variables(frame, "Test namespace")}
        self.assertIn("Box", names)
        box = names["box"]
        self.assertGreater(box["variablesReference"], 0)
        attrs = {v["name"]: v for v in c.request("variables", {"variablesReference": box["variablesReference"]})["body"]["variables"]}
        self.assertEqual(attrs["name"]["value"], "'box'")
        items = c.request("variables", {"variablesReference": attrs["items"]["variablesReference"]})["body"]["variables"]
        self.assertEqual([v["name"] for v in items], ["0", "1"])
        inner = c.request("variables", {"variablesReference": items[1]["variablesReference"]})["body"]["variables"]
        self.assertEqual(inner[0]["name"], "'k'")
        result = c.evaluate("z = 40\nprint('side', z)\nz + 2")["body"]
        self.assertEqual(result["result"], "42")
        out = c.wait_event("output", predicate=lambda e: "side" in e["body"]["output"])
        self.assertEqual(out["body"]["category"], "stdout")
        stale = box["variablesReference"]
        c.request("next")
        c.wait_event("stopped")
        self.assertFalse(c.request("variables", {"variablesReference": stale}, ok=False)["success"])
        c.request("continue")
        c.wait_event("exited")
        agent.finish()

    def test_line_map_and_entry_stop(self):
        agent = self.run_agent("""
            a = 1
            b = 2

            c = a + b
        """)
        nix = os.path.join(agent.dir, "test.nix")
        with open(nix, "w") as handle:
            handle.write("{...}:\n")
        # script lines 1..4 came from nix lines 20, 21, 22, 23
        agent.start(launch={"sourcePath": nix, "lineMap": [20, 21, 22, 23], "stopOnEntry": True},
                    breakpoints=[{"line": 22}, {"line": 21, "condition": "a == 1"}, {"line": 99}],
                    source=nix)
        c = agent.client
        entry = c.wait_event("stopped")["body"]
        self.assertEqual(entry["reason"], "entry")
        top = c.stack()[0]
        self.assertEqual((top["source"]["path"], top["line"]), (nix, 20))
        bps = c.request("setBreakpoints", {"source": {"path": nix}, "breakpoints": [
            {"line": 22}, {"line": 5}, {"line": 99}]})["body"]["breakpoints"]
        # Line 5 is above the testScript: refused with the reason, where it
        # used to move silently to the script's first line.
        self.assertEqual([(b["verified"], b["line"]) for b in bps], [(True, 23), (False, 5), (False, 99)])
        self.assertEqual(bps[1]["message"], "line 5 of test.nix is outside the testScript (lines 20-23)")
        c.request("continue")
        c.wait_event("stopped")
        self.assertEqual(c.stack()[0]["line"], 23)
        c.request("continue")
        self.assertEqual(c.wait_event("exited")["body"]["exitCode"], 0)
        agent.finish()

    def test_raised_filter_and_terminate_while_running(self):
        agent = self.run_agent("""
            try:
                raise KeyError("caught")
            except KeyError:
                pass
            while True:
                pass
        """)
        agent.start(exceptions=("raised",))
        c = agent.client
        stopped = c.wait_event("stopped")["body"]
        self.assertEqual(stopped["reason"], "exception")
        c.request("continue")
        time.sleep(0.3)
        c.request("disconnect", {"terminateDebuggee": True})
        c.wait_event("terminated", timeout=5)
        code, _out, _err = agent.finish(timeout=5)
        self.assertEqual(code, 1)

    def test_requests_that_raise_inside_the_agent_fail_alone(self):
        """A handler that raises (arguments of the wrong shape reach code
        that trusts them) answers that request with the error; the session,
        the stop and the script go on."""
        agent = self.run_agent("""
            x = 1
            y = x + 1
            print("y is", y)
        """)
        agent.start(breakpoints=[{"line": 2}])
        c = agent.client
        c.wait_event("stopped")
        frame = c.stack()[0]["id"]
        # On the I/O thread (setBreakpoints) and on the script's thread
        # (variables, evaluate, scopes): each raises in the agent.
        for command, arguments in (
                ("setBreakpoints", {"source": {"path": agent.script}, "breakpoints": "7"}),
                ("setBreakpoints", {"source": "nowhere"}),
                ("variables", {"variablesReference": "many"}),
                ("scopes", {"frameId": [frame]}),
                ("evaluate", {"expression": 7, "frameId": frame}),
                ("stackTrace", {"threadId": 1, "levels": "all"})):
            response = c.request(command, arguments, ok=False)
            self.assertFalse(response["success"], command)
            self.assertTrue(response.get("message"), command)
        self.assertEqual(c.evaluate("x + 41", frame)["body"]["result"], "42")
        c.request("continue")
        self.assertEqual(c.wait_event("exited")["body"]["exitCode"], 0)
        code, out, _err = agent.finish()
        self.assertEqual((code, out), (0, "y is 2\n"))

    def test_wire_robustness(self):
        agent = self.run_agent("pass\n")
        c = agent.client
        frames = b""
        for seq, command in ((1, "initialize"), (2, "threads")):
            frames += dapclient_frame({"seq": seq, "type": "request", "command": command})
        c.send_raw(b"junk!\r\n\r\n" + frames[:7])
        time.sleep(0.2)
        for byte in frames[7:]:
            c.send_raw(bytes([byte]))
        c.seq = 2
        self.assertTrue(c.wait_response(1)["success"])
        self.assertEqual(c.wait_response(2)["body"]["threads"][0]["id"], 1)
        out = c.wait_event("output", predicate=lambda e: "outside a DAP frame" in e["body"]["output"])
        self.assertIn("junk!", out["body"]["output"])
        c.request("launch", {})
        c.request("configurationDone")
        c.wait_event("exited")
        agent.finish()


def dapclient_frame(message):
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Injection(unittest.TestCase):
    def setUp(self):
        self.dir = dapclient.private_dir()
        self.addCleanup(shutil.rmtree, self.dir, True)

    def test_chains_to_the_interpreters_own_sitecustomize(self):
        other = os.path.join(self.dir, "other")
        os.mkdir(other)
        with open(os.path.join(other, "sitecustomize.py"), "w") as handle:
            handle.write("import os\nos.environ['CHAINED'] = 'yes:' + __name__\n")
        env = dict(os.environ, PYTHONPATH=INJECT_DIR + os.pathsep + other)
        env.pop("NIXTIDE_AGENT_SOCKET", None)
        out = subprocess.run([PYTHON, "-c", "import os, sys; print(os.environ.get('CHAINED'), "
                              "'nixtide_agent.bootstrap' in sys.modules)"],
                             env=env, capture_output=True, text=True, check=True).stdout
        self.assertEqual(out.split(), ["yes:sitecustomize", "False"])

    def test_refuses_an_open_socket_directory(self):
        open_dir = os.path.join(self.dir, "open")
        os.mkdir(open_dir)
        os.chmod(open_dir, 0o755)
        env = dict(os.environ, PYTHONPATH=INJECT_DIR,
                   NIXTIDE_AGENT_SOCKET=os.path.join(open_dir, "s"))
        result = subprocess.run([PYTHON, "-c", "print('ran')"], env=env, capture_output=True,
                                text=True, timeout=20)
        self.assertEqual(result.returncode, 2)
        self.assertIn("must be 0700", result.stderr)
        self.assertNotIn("ran", result.stdout)


# Another user trying the agent's socket: connects, asks `initialize` and
# prints what it got until the agent hangs up (or why it could not connect).
FOREIGN_CLIENT = r"""
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(20)
try:
    s.connect(sys.argv[1])
except OSError as error:
    print("connect:", error.errno)
    sys.exit(0)
body = b'{"seq": 1, "type": "request", "command": "initialize", "arguments": {}}'
data = b""
try:
    s.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
except (BrokenPipeError, ConnectionResetError):
    pass  # hung up on before (or while) asking
print("received:", len(data))
"""
NOBODY = 65534


@unittest.skipUnless(os.getuid() == 0, "switching to another uid needs root")
class WhoCanConnect(unittest.TestCase):
    """Only the user who runs the driver reaches the debugger."""

    def start_agent(self):
        self.dir = dapclient.private_dir()
        self.addCleanup(shutil.rmtree, self.dir, True)
        with open(os.path.join(self.dir, "script.py"), "w") as handle:
            handle.write("print('done')\n")
        self.socket = os.path.join(self.dir, "agent.sock")
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "nixtide_agent", "--socket", self.socket,
             os.path.join(self.dir, "script.py")],
            env=dict(os.environ, PYTHONPATH=AGENT_DIR), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE)
        self.addCleanup(lambda: self.proc.poll() is None and self.proc.kill())
        deadline = time.monotonic() + 60
        while not os.path.exists(self.socket):
            self.assertLess(time.monotonic(), deadline, "the agent never listened")
            self.assertIsNone(self.proc.poll(), "the agent exited before listening")
            time.sleep(0.05)

    def foreign_client(self):
        return subprocess.run([PYTHON, "-c", FOREIGN_CLIENT, self.socket], user=NOBODY,
                              group=NOBODY, capture_output=True, text=True, timeout=60)

    def test_socket_private_and_other_uid_refused(self):
        self.start_agent()
        self.assertEqual(os.stat(self.dir).st_mode & 0o777, 0o700)
        self.assertEqual(os.stat(self.socket).st_mode & 0o777, 0o600)
        result = self.foreign_client()
        self.assertEqual(result.stdout.strip(), "connect: 13", result.stderr)  # EACCES

        # Modes loosened by mistake: the peer's uid still keeps it out.
        os.chmod(self.dir, 0o755)
        os.chmod(self.socket, 0o666)
        result = self.foreign_client()
        self.assertEqual(result.stdout.strip(), "received: 0", result.stderr)

        client = DapClient(self.socket)
        self.addCleanup(client.close)
        caps = client.request("initialize", {"adapterID": "nixtide"})
        self.assertTrue(caps["success"])
        client.wait_event("initialized")
        client.request("launch", {})
        client.request("configurationDone")
        client.wait_event("exited")
        client.close()
        _out, err = self.proc.communicate(timeout=60)
        self.assertIn("refused a connection from uid %d" % NOBODY, err.decode())


DEMO_DRIVER = os.path.join(REPO, "resources", "demo", "driver", "bin", "nixos-test-driver")


@unittest.skipUnless(os.path.exists(DEMO_DRIVER), "demo driver not present")
class DemoDriverWithoutVMs(unittest.TestCase):
    """The hooks on the demo driver (both embed generations), no machines."""

    def start_driver(self, text, interactive=False, config=False, launch=None, vms=(),
                     agent=True, containers=()):
        """The demo driver from source, as the generation `config` names, on
        the interpreter under test; `vms` and `containers` (configuration
        era) are machine names (never started).
        Returns a DAP client and the script's path, or without the agent
        the script's path only (the driver runs on its own)."""
        if config and not _python_has("pydantic"):
            self.skipTest("the configuration-era driver needs pydantic (Python 3.13 run)")
        self.dir = dapclient.private_dir()
        self.addCleanup(shutil.rmtree, self.dir, True)
        path = os.path.join(self.dir, "test-script")
        with open(path, "w") as handle:
            handle.write(script(text))
        sock = os.path.join(self.dir, "agent.sock")
        env = dict(os.environ, DISPLAY=":99", QEMU_OPTS="-m 128", XDG_RUNTIME_DIR=self.dir,
                   NIXTIDE_DEMO_DRIVER_GENERATION="configuration" if config else "environment")
        if agent:
            env.update(PYTHONPATH=INJECT_DIR, NIXTIDE_AGENT_SOCKET=sock)
        args = [PYTHON, DEMO_DRIVER, "-o", self.dir]
        scripts = {name: "/nonexistent/bin/run-%s-vm" % name for name in vms}
        if config:
            cfg = os.path.join(self.dir, "config.json")
            with open(cfg, "w") as handle:
                json.dump({"vms": {name: {"name": name, "start_script": start}
                                   for name, start in scripts.items()},
                           "containers": {name: {"name": name,
                                                 "start_script": "/nonexistent/bin/run-%s-container" % name}
                                          for name in containers},
                           "vlans": [], "global_timeout": 600,
                           "enable_ssh_backdoor": False, "test_script": path}, handle)
            args += ["--config", cfg]
        else:
            env.update(testScript=path, startScripts=" ".join(scripts.values()), vlans="")
        if interactive:
            args.append("--interactive")
        self.proc = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(lambda: self.proc.poll() is None and self.proc.kill())
        if not agent:
            return path
        client = DapClient(sock)
        self.addCleanup(client.close)
        client.request("initialize", {})
        client.request("launch", launch or {})
        return client, path

    def test_breakpoint_logs_and_exit_code(self):
        c, path = self.start_driver("""
            import os
            log.info("hello")
            with subtest("sub"):
                env = (os.environ.get("DISPLAY"), os.environ.get("QEMU_OPTS"))
            done = True
        """)
        bps = c.request("setBreakpoints", {"source": {"path": path}, "breakpoints": [{"line": 5}]})
        self.assertTrue(bps["body"]["breakpoints"][0]["verified"])
        c.request("configurationDone")
        c.wait_event("stopped")
        self.assertEqual(c.evaluate("env")["body"]["result"], "(None, '-m 128 -vnc unix:vnc.sock')")
        # The script's own names apart from the ~25 the driver gave it.
        frame = c.stack()[0]["id"]
        own = [v["name"] for v in c.scope_variables(frame, "Test namespace")]
        given = [v["name"] for v in c.scope_variables(frame, "Driver")]
        self.assertIn("env", own)
        self.assertNotIn("driver", own)
        self.assertTrue({"driver", "subtest", "start_all", "log"} <= set(given), given)
        # REPL completion: the driver's API and the paused namespace.
        labels = lambda text: [t["label"] for t in c.request(
            "completions", {"text": text, "column": len(text) + 1})["body"]["targets"]]
        self.assertIn("start_all", labels("sta"))
        self.assertIn("info", labels("log.in"))
        self.assertEqual(labels("en"), ["enumerate", "env"])
        target = c.request("completions", {"text": "x = os.pa", "column": 10})["body"]["targets"]
        self.assertIn({"label": "path", "text": "path", "type": "module", "start": 7, "length": 2},
                      target)
        c.request("continue")
        self.assertEqual(c.wait_event("exited")["body"]["exitCode"], 0)
        c.wait_event("terminated")
        self.proc.wait(10)
        begins = [e["body"] for e in c.all_events if e["event"] == "nixtide/logBegin"]
        messages = [b["message"] for b in begins]
        self.assertIn("run the VM test script", messages)
        sub = begins[messages.index("sub")]
        self.assertEqual(sub["parentId"], begins[messages.index("run the VM test script")]["id"])
        self.assertEqual(sub["kind"], "subtest")
        self.assertTrue(any(e["event"] == "nixtide/log" and e["body"]["message"] == "hello"
                            for e in c.all_events))

    def test_log_steps_carry_the_source_line_that_began_them(self):
        nix = os.path.join(dapclient.private_dir(), "test.nix")
        self.addCleanup(shutil.rmtree, os.path.dirname(nix), True)
        with open(nix, "w") as handle:
            handle.write("{...}:\n")
        # script lines 1..6 came from nix lines 11..16
        c, _path = self.start_driver("""
            def helper():
                log.info("in helper")
            log.info("hello")
            with subtest("sub"):
                helper()
            done = True
        """, launch={"sourcePath": nix, "lineMap": [11, 12, 13, 14, 15, 16]})
        c.request("configurationDone")
        self.assertEqual(c.wait_event("exited")["body"]["exitCode"], 0)
        c.wait_event("terminated")
        self.proc.wait(10)
        begins = {e["body"]["message"]: e["body"] for e in c.all_events
                  if e["event"] == "nixtide/logBegin"}
        logs = {e["body"]["message"]: e["body"] for e in c.all_events
                if e["event"] == "nixtide/log"}
        self.assertEqual((begins["sub"]["path"], begins["sub"]["line"]), (nix, 14))
        self.assertEqual((logs["hello"]["path"], logs["hello"]["line"]), (nix, 13))
        # The innermost script frame: the helper's line, not its caller's.
        self.assertEqual(logs["in helper"]["line"], 12)
        # Begun by the driver before the script ran: no line to name.
        self.assertNotIn("line", begins["run the VM test script"])
        self.assertNotIn("path", begins["run the VM test script"])

    def test_failure_then_continue_exits_1(self):
        c, _path = self.start_driver("t.assertEqual(1, 2)\n")
        c.request("configurationDone")
        self.assertEqual(c.wait_event("stopped")["body"]["reason"], "exception")
        c.request("continue")
        self.assertEqual(c.wait_event("exited")["body"]["exitCode"], 1)
        self.assertEqual(self.proc.wait(10), 1)

    def failure_report(self, with_agent, config):
        """The driver's report of a failing `t` assertion (its `!!!` lines,
        which the log, the terminal and JUnit get alike) and its exit code."""
        text = """
            def check(value):
                t.assertEqual(value, 2)
            first = 1
            check(first)
        """
        if with_agent:
            c, _path = self.start_driver(text, config=config)
            c.request("configurationDone")
            self.assertEqual(c.wait_event("stopped")["body"]["reason"], "exception")
            # The debugger still names the script's lines: the assertion
            # inside check() (line 2), called from line 4.
            self.assertEqual([(f["name"], f["line"]) for f in c.stack()
                              if f["source"].get("path") == os.path.realpath(_path)],
                             [("check", 2), ("testScript", 4)])
            c.request("continue")
        else:
            self.start_driver(text, config=config, agent=False)
        _out, err = self.proc.communicate(timeout=30)
        plain = re.sub(r"\x1b\[[0-9;]*m", "", err.decode())
        report = [line.split("!!! ", 1)[1] for line in plain.splitlines() if "!!! " in line]
        return report, self.proc.returncode

    def assert_same_failure_report(self, config):
        alone, alone_code = self.failure_report(False, config)
        self.assertIn('  File "<string>", line 4, in <module>', alone)
        self.assertIn("    check(first)", alone)
        self.assertIn('  File "<string>", line 2, in check', alone)
        self.assertEqual(alone_code, 1)
        under_nixtide, code = self.failure_report(True, config)
        self.assertEqual(under_nixtide, alone)
        self.assertEqual(code, 1)

    def test_failure_report_same_with_and_without_agent_environment_era(self):
        self.assert_same_failure_report(config=False)

    def test_failure_report_same_with_and_without_agent_configuration_era(self):
        self.assert_same_failure_report(config=True)

    def assert_machines_known_before_the_script(self, config):
        """Machines are announced, state off, as soon as the driver has them
        (constructor or `__enter__`), not when the script first touches one."""
        c, _path = self.start_driver("""
            first = True
            machine_names = [m.name for m in machines]
        """, config=config, vms=("alpha", "beta"))
        c.request("setBreakpoints", {"source": {"path": _path}, "breakpoints": [{"line": 1}]})
        announced = c.wait_event("nixtide/machines", predicate=lambda e: len(e["body"]["machines"]) == 2)
        self.assertEqual(sorted((m["name"], m["state"]) for m in announced["body"]["machines"]),
                         [("alpha", "off"), ("beta", "off")])
        # The script has not run a line yet, and actions find the machines.
        listed = c.request("nixtide/machines")["body"]["machines"]
        self.assertEqual(sorted(m["name"] for m in listed), ["alpha", "beta"])
        action = c.request("nixtide/machineAction", {"machine": "alpha", "action": "wave"}, ok=False)
        self.assertFalse(action["success"])
        self.assertIn("unknown machine action 'wave'", action["message"])
        c.request("configurationDone")
        c.wait_event("stopped")
        self.assertEqual(c.stack()[0]["line"], 1)
        c.request("continue")
        self.assertEqual(c.wait_event("exited")["body"]["exitCode"], 0)
        self.proc.wait(10)
        machine_events = [e for e in c.all_events if e["event"] == "nixtide/machines"]
        stopped = next(i for i, e in enumerate(c.all_events) if e["event"] == "stopped")
        self.assertLess(c.all_events.index(machine_events[0]), stopped)

    def test_containers_announced_with_their_kind_and_no_screen(self):
        """A container (NspawnMachine) is listed with the VMs before the
        script runs, as kind "container" with no VNC socket or monitor."""
        c, path = self.start_driver("""
            first = True
        """, config=True, vms=("alpha",), containers=("box",))
        c.request("setBreakpoints", {"source": {"path": path}, "breakpoints": [{"line": 1}]})
        announced = c.wait_event("nixtide/machines", predicate=lambda e: len(e["body"]["machines"]) == 2)
        machines = {m["name"]: m for m in announced["body"]["machines"]}
        self.assertEqual((machines["alpha"]["kind"], machines["alpha"]["state"]), ("vm", "off"))
        self.assertTrue(machines["alpha"]["vncSocket"].endswith("/vm-state-alpha/vnc.sock"))
        self.assertEqual((machines["box"]["kind"], machines["box"]["state"]), ("container", "off"))
        self.assertIsNone(machines["box"]["vncSocket"])
        self.assertNotIn("monitorSocket", machines["box"])
        c.request("configurationDone")
        c.wait_event("stopped")
        self.assertEqual(c.evaluate("sorted((m.name, type(m).__name__) for m in machines)")
                         ["body"]["result"], "[('alpha', 'Machine'), ('box', 'NspawnMachine')]")
        c.request("continue")
        self.assertEqual(c.wait_event("exited")["body"]["exitCode"], 0)

    @unittest.skipUnless(shutil.which("tesseract"), "the driver's OCR needs tesseract on PATH")
    def test_each_ocr_attempt_reported_with_image_text_time_and_match(self):
        """Each try of wait_for_text and each get_screen_text is one
        nixtide/ocr event under the driver's waiting step: the screen it
        read (as PNG, one file while the screen stays the same), the texts,
        the seconds, the pattern and whether it matched. The driver's own
        pipeline runs; only the screen dump and the recogniser are fakes,
        as there is no VM."""
        c, _path = self.start_driver("""
            import test_driver.machine as m
            dumps = []
            def dump(command):
                # black while "booting", white from the third screen on
                shade = 255 if len(dumps) >= 2 else 0
                dumps.append(command)
                with open(command.split()[1], "wb") as handle:
                    handle.write(b"P6\\n2 1\\n255\\n" + bytes([shade]) * 6)
            def recognise(image, model_id):
                with open(image, "rb") as handle:
                    return "login: hello" if handle.read()[-1] == 255 else "booting"
            machine.send_monitor_command = dump
            m._preprocess_screenshot = lambda path, negate: path
            m._run_tesseract = recognise
            machine.wait_for_text("hel+o", timeout=30)
            text = machine.get_screen_text()
        """, vms=("machine",))
        c.request("configurationDone")
        self.assertEqual(c.wait_event("exited")["body"]["exitCode"], 0)
        self.proc.wait(10)
        attempts = [e["body"] for e in c.all_events if e["event"] == "nixtide/ocr"]
        self.assertEqual([a.get("matched") for a in attempts], [False, False, True, None])
        self.assertEqual(attempts[0]["texts"], ["booting"] * 9)
        self.assertEqual(attempts[2]["texts"][0], "login: hello")
        self.assertEqual(attempts[3]["texts"], ["login: hello"])
        self.assertEqual([a.get("pattern") for a in attempts], ["hel+o"] * 3 + [None])
        waiting = next(e["body"] for e in c.all_events if e["event"] == "nixtide/logBegin"
                       and e["body"]["message"].startswith("waiting for hel+o"))
        self.assertEqual({a["parentId"] for a in attempts[:3]}, {waiting["id"]})
        self.assertEqual([a["line"] for a in attempts], [15, 15, 15, 16])
        self.assertTrue(all(a["machine"] == "machine" and a["seconds"] >= 0 for a in attempts))
        # Same screen, same file; a changed screen, a new one.
        self.assertEqual(attempts[0]["image"], attempts[1]["image"])
        self.assertEqual(attempts[2]["image"], attempts[3]["image"])
        self.assertNotEqual(attempts[1]["image"], attempts[2]["image"])
        self.assertEqual(os.path.dirname(attempts[0]["image"]), os.path.join(self.dir, "ocr"))
        with open(attempts[2]["image"], "rb") as handle:
            png = handle.read()
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual(png[16:24], bytes([0, 0, 0, 2, 0, 0, 0, 1]))  # 2x1

    def test_environment_era_machines_known_from_the_constructor(self):
        self.assert_machines_known_before_the_script(config=False)

    def test_configuration_era_machines_known_from_enter(self):
        self.assert_machines_known_before_the_script(config=True)

    def test_interactive_config_era_finish_repl_restart_terminate(self):
        c, _path = self.start_driver("value = 1\n", interactive=True, config=True)
        c.request("configurationDone")
        self.assertEqual(c.wait_event("nixtide/scriptFinished")["body"]["status"], "passed")
        self.assertEqual(c.evaluate("value + 1")["body"]["result"], "2")
        c.request("restart", {"arguments": {"script": "value = 41\nraise SystemError('x')\n"}})
        self.assertEqual(c.wait_event("stopped")["body"]["reason"], "exception")
        c.request("continue")
        self.assertEqual(c.wait_event("nixtide/scriptFinished")["body"]["status"], "failed")
        self.assertEqual(c.evaluate("value")["body"]["result"], "41")
        c.request("terminate")
        self.assertEqual(c.wait_event("exited")["body"]["exitCode"], 1)
        c.wait_event("terminated")
        self.assertEqual(self.proc.wait(10), 1)

    def test_failures_name_the_nix_line(self):
        # The script is lines 11-12 of a .nix file: a breakpoint outside them
        # is refused with a reason, a failure is reported at its .nix line
        # (traceback and scriptFinished), and so is a syntax error.
        source_dir = dapclient.private_dir()
        self.addCleanup(shutil.rmtree, source_dir, True)
        nix = os.path.join(source_dir, "t.nix")
        with open(nix, "w") as handle:
            handle.write("# a test\n" + "#\n" * 9
                         + "    value = 1\n    raise SystemError('x')\n  '';\n")
        launch = {"sourcePath": nix, "lineMap": [11, 12]}
        c, _path = self.start_driver("value = 1\nraise SystemError('x')\n", interactive=True,
                                     launch=launch)
        bps = c.request("setBreakpoints", {"source": {"path": nix},
                                           "breakpoints": [{"line": 1}, {"line": 12}]})
        answers = bps["body"]["breakpoints"]
        self.assertFalse(answers[0]["verified"])
        self.assertIn("outside the testScript (lines 11-12)", answers[0]["message"])
        self.assertTrue(answers[1]["verified"])
        c.request("setBreakpoints", {"source": {"path": nix}, "breakpoints": []})
        c.request("configurationDone")
        self.assertEqual(c.wait_event("stopped")["body"]["reason"], "exception")
        c.request("continue")
        finished = c.wait_event("nixtide/scriptFinished")["body"]
        self.assertEqual(finished, {"status": "failed", "error": "SystemError: x",
                                    "path": nix, "line": 12})
        stderr = "".join(e["body"]["output"] for e in c.all_events
                         if e["event"] == "output" and e["body"].get("category") == "stderr")
        self.assertIn('File "%s", line 12, in <module>\n    raise SystemError(\'x\')' % nix,
                      stderr)
        self.assertNotIn('"<string>"', stderr)
        # An edited script with a syntax error on its second line: nothing
        # runs, and the failure names .nix line 12.
        c.request("restart", {"arguments": {"script": "value = 2\nvalue = (\n",
                                            "sourcePath": nix, "lineMap": [11, 12]}})
        finished = c.wait_event("nixtide/scriptFinished")["body"]
        self.assertEqual((finished["status"], finished["path"], finished["line"]),
                         ("failed", nix, 12))
        self.assertTrue(finished["error"].startswith("SyntaxError: "), finished["error"])
        self.assertIn("t.nix, line 12", finished["error"])
        c.request("terminate")
        c.wait_event("terminated")

    def test_interactive_terminated_after_a_pass_exits_0(self):
        # How a headless run of an interactive bundle ends: with the result.
        c, _path = self.start_driver("value = 1\n", interactive=True)
        c.request("configurationDone")
        self.assertEqual(c.wait_event("nixtide/scriptFinished")["body"]["status"], "passed")
        c.request("terminate")
        self.assertEqual(c.wait_event("exited")["body"]["exitCode"], 0)
        self.assertEqual(self.proc.wait(10), 0)


ROOTLOG_DRIVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures",
                              "rootlog-era", "bin", "nixos-test-driver")


class RootlogEraDriver(unittest.TestCase):
    """nixos-22.11/23.05 shape: a module-level `rootlog` without add_logger
    (fixtures/rootlog-era: the package structure the hooks touch, no VMs)."""

    def test_log_steps_arrive_once_with_nesting_and_breakpoints_work(self):
        directory = dapclient.private_dir()
        self.addCleanup(shutil.rmtree, directory, True)
        path = os.path.join(directory, "test-script")
        with open(path, "w") as handle:
            handle.write(script("""
                log.info("hello")
                with subtest("first"):
                    log.log("inside", {"machine": "server"})
                    value = 42
                done = True
            """))
        # The interpreter's own sitecustomize, after ours on the path, doing
        # what Nix's does with NIX_PYTHONPATH: it must still run.
        nix_site, extra = os.path.join(directory, "nix-site"), os.path.join(directory, "extra")
        os.mkdir(nix_site)
        os.mkdir(extra)
        with open(os.path.join(nix_site, "sitecustomize.py"), "w") as handle:
            handle.write("import os, site\n"
                         "for entry in os.environ.pop('NIX_PYTHONPATH', '').split(':'):\n"
                         "    if entry:\n"
                         "        site.addsitedir(entry)\n")
        with open(os.path.join(extra, "nix_marker.py"), "w") as handle:
            handle.write("VALUE = 'nix'\n")
        sock = os.path.join(directory, "agent.sock")
        env = dict(os.environ, PYTHONPATH=INJECT_DIR + os.pathsep + nix_site,
                   NIX_PYTHONPATH=extra, NIXTIDE_AGENT_SOCKET=sock, testScript=path)
        proc = subprocess.Popen([PYTHON, ROOTLOG_DRIVER], env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        c = DapClient(sock)
        self.addCleanup(c.close)
        c.request("initialize", {})
        c.request("launch", {})
        c.request("setBreakpoints", {"source": {"path": path}, "breakpoints": [{"line": 4}]})
        c.request("configurationDone")
        c.wait_event("stopped")
        self.assertEqual(c.stack()[0]["line"], 4)
        begins = [e["body"] for e in c.all_events if e["event"] == "nixtide/logBegin"]
        open_steps = [b["message"] for b in begins if not any(
            e["event"] == "nixtide/logEnd" and e["body"]["id"] == b["id"] for e in c.all_events)]
        self.assertEqual(open_steps, ["run the VM test script", "subtest: first"])
        self.assertEqual(c.evaluate("__import__('nix_marker').VALUE")["body"]["result"], "'nix'")
        c.request("continue")
        self.assertEqual(c.wait_event("exited")["body"]["exitCode"], 0)
        _out, err = proc.communicate(timeout=10)
        self.assertEqual(proc.returncode, 0)
        # The driver's own output is untouched by the hook.
        self.assertIn("(finished: subtest: first", err.decode())
        events = [e for e in c.all_events if e["event"].startswith("nixtide/log")]
        begins = {e["body"]["message"]: e["body"] for e in events if e["event"] == "nixtide/logBegin"}
        self.assertEqual(sorted(begins), ["cleanup", "run the VM test script", "start all VLans",
                                          "subtest: first"])
        self.assertEqual(begins["subtest: first"]["parentId"], begins["run the VM test script"]["id"])
        # No line map: the script file is the source the steps point into.
        self.assertEqual((begins["subtest: first"]["path"], begins["subtest: first"]["line"]),
                         (os.path.realpath(path), 2))
        ends = {e["body"]["id"]: e["body"] for e in events if e["event"] == "nixtide/logEnd"}
        self.assertEqual(set(ends), {b["id"] for b in begins.values()})
        self.assertFalse(any(end["failed"] for end in ends.values()))
        logs = [(e["body"]["message"], e["body"]["machine"], e["body"]["parentId"])
                for e in events if e["event"] == "nixtide/log"]
        self.assertEqual(logs, [
            ("Machine state will be reset. To keep it, pass --keep-vm-state", None, None),
            ("hello", None, begins["run the VM test script"]["id"]),
            ("inside", "server", begins["subtest: first"]["id"]),
            ("test script finished", None, None)])


class SerialBytes(unittest.TestCase):
    """serialtap on a real child process: the driver's line reader gets the
    lines it always got, the IDE gets every chunk as soon as it is written."""

    class Events:
        def __init__(self):
            self.events = []
            self.changed = threading.Condition()

        def send_event(self, name, body):
            with self.changed:
                self.events.append((name, body))
                self.changed.notify_all()

        def data(self):
            return b"".join(base64.b64decode(body["data"]) for name, body in self.events
                            if "data" in body)

    def machine_class(self, streams):
        class Machine:
            def __init__(self, name):
                self.name = name
                self.process = None
        streams.patch_class(Machine)
        return Machine

    def test_prompt_before_newline_and_driver_lines_unchanged(self):
        from nixtide_agent.serialtap import SerialStreams
        session = self.Events()
        streams = SerialStreams(session)
        machine = self.machine_class(streams)("server")
        self.assertIsNone(machine.process)
        go = os.path.join(dapclient.private_dir(), "go")
        self.addCleanup(shutil.rmtree, os.path.dirname(go), True)
        output = b"boot \xff\r\n[root@server:~]# " + b"typed\nlast"
        machine.process = subprocess.Popen(
            ["sh", "-c", "printf 'boot \\377\\r\\n[root@server:~]# '; "
             "while [ ! -e %s ]; do sleep 0.05; done; printf 'typed\\nlast'" % go],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
        self.addCleanup(machine.process.wait)
        self.addCleanup(machine.process.stdout.close)
        self.assertTrue(streams.is_streamed("server"))
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(machine.process.stdout))
        reader.start()
        # The prompt reaches the IDE while the driver still waits for its line.
        with session.changed:
            self.assertTrue(session.changed.wait_for(
                lambda: session.data().endswith(b"# "), timeout=30), session.events)
        self.assertEqual(lines, [b"boot \xff\r\n"])
        open(go, "w").close()
        reader.join(30)
        self.assertEqual(lines, [b"boot \xff\r\n", b"[root@server:~]# typed\n", b"last"])
        self.assertEqual(session.data(), output)
        self.assertEqual({name for name, _body in session.events}, {"nixtide/serial"})
        # The driver's own lines of this machine are not sent twice.
        streams.send_line("server", "[root@server:~]# typed")
        streams.send_line("other", "a line")
        self.assertEqual(session.events[-1], ("nixtide/serial", {"machine": "other",
                                                                 "text": "a line\n"}))

    def test_text_streams_and_instances_made_before_the_patch(self):
        from nixtide_agent.serialtap import SerialStreams, SerialTap
        session = self.Events()
        streams = SerialStreams(session)

        class Machine:
            process = None
        early = Machine()
        early.name = "early"
        early.process = "kept"
        streams.patch_class(Machine)
        self.assertEqual(early.process, "kept")
        late = Machine()
        late.name = "late"
        self.assertIsNone(late.process)
        late.process = subprocess.Popen(["echo", "hi"], stdout=subprocess.PIPE, text=True)
        self.assertNotIsInstance(late.process.stdout, SerialTap)
        self.assertEqual(late.process.stdout.read(), "hi\n")
        late.process.wait()
        self.assertFalse(streams.is_streamed("late"))


if __name__ == "__main__":
    unittest.main()
