"""Guards that stand for the trace function on Python 3.11 (lineguards.py).

A guard may serve a breakpoint only if the script, run with guards, behaves
for the debugger exactly as without them. Checked three ways on a corpus of
Python's statement forms:
- in process: with the trace function set (stepping, or a breakpoint a guard
  cannot serve), the instrumented script reports the same line events as the
  plain one, once the guards' own events are dropped;
- in process: an armed guard is followed by its line's event in the same
  frame, and fires as often as the plain script reports that line;
- through the real agent over DAP: breakpoints on the served lines (and on
  every line) stop at the same places with guards as without, with steps and
  hit conditions between them, and no trace function is set while the
  script runs between stops.

Runs only on CPython 3.11 (ctest: agent.lineguards-py311), the interpreter
the guards are for; anywhere else it fails rather than pass vacuously.
"""

import ast
import os
import sys
import textwrap
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dapclient import AGENT_DIR, PYTHON, AgentProcess  # noqa: E402

sys.path.insert(0, AGENT_DIR)
from nixtide_agent import lineguards  # noqa: E402
from nixtide_agent.linemap import code_objects  # noqa: E402

CORPUS = {
    "statements": '''
        """A docstring."""
        x = 1; y = 2
        z = x + y
        if z > 2:
            z -= 1
        elif z < 0:
            z = 0
        else:
            pass
        assert z == 2, "z"
        del y
        w = (x if x else
             z)
        if w: w += 1
        global_name = w
    ''',
    "loops": '''
        total = 0
        for i in range(3):
            if i == 1:
                continue
            total += i
        else:
            total += 10
        n = 3
        while n:
            n -= 1
            if n == 1:
                break
        while n: n -= 1
        for j in range(2): total += j
        k = 0
        while True:
            k += 1
            if k > 2:
                break
    ''',
    "calls": '''
        def f(a,
              b=2):
            return a + b
        r = f(
            1,
            b=f(2),
        )
        s = [f(i) for i in range(3)]
        g = lambda v: v * 2
        t = g(3)
        u = {k: f(k) for k in (1, 2)}
        text = """multi
        line"""
        v = len(text); w = sorted(
            s)
        total = sum(f(i)
                    for i in range(2))
    ''',
    "functions": '''
        import functools
        def deco(fn):
            @functools.wraps(fn)
            def inner(*args):
                return fn(*args) + 1
            return inner
        @deco
        def one(a):
            b = a
            return b
        class Box:
            """Doc."""
            size = 2
            def grow(self, by):
                self.size += by
                return self.size
        def outer():
            count = 0
            def bump():
                nonlocal count
                count += 1
            bump(); bump()
            return count
        def early(v):
            if v: return "yes"
            return "no"
        box = Box()
        results = [one(1), box.grow(3), outer(), early(0), early(1)]
    ''',
    "exceptions": '''
        def boom():
            raise ValueError("x")
        caught = []
        try:
            boom()
        except ValueError as error:
            caught.append(str(error))
        finally:
            caught.append("finally")
        def returns_in_finally():
            try:
                return 1
            finally:
                caught.append("f2")
        returns_in_finally()
        with open("/dev/null") as handle:
            data = handle.read()
            caught.append(len(data))
        class Quiet:
            def __enter__(self):
                return self
            def __exit__(self, *exc):
                return True
        with Quiet():
            raise KeyError("swallowed")
        caught.append("after")
        for attempt in range(3):
            try:
                if attempt < 2:
                    raise OSError(attempt)
                caught.append(attempt)
            except OSError:
                continue
    ''',
    "generators": '''
        def gen(n):
            for i in range(n):
                got = yield i
                if got:
                    yield got
        def relay():
            yield from gen(2)
            x = yield
            return x
        values = list(gen(3))
        g = gen(3)
        first = next(g)
        second = g.send("sent")
        values += list(relay())
        async def co(n):
            total = 0
            for i in range(n):
                total += i
            return total
        c = co(3)
        try:
            c.send(None)
        except StopIteration as stop:
            values.append(stop.value)
    ''',
    "match": '''
        def kind(v):
            match v:
                case 0:
                    return "zero"
                case [a, b]:
                    return "pair"
                case {"k": value}:
                    return value
                case _:
                    return "other"
        kinds = [kind(0), kind([1, 2]), kind({"k": "v"}), kind(3)]
    ''',
}
# A class body looks names up in its own namespace first, here one that
# answers for every name that starts with "_", as the guards' do: no guard
# may go there.
CORPUS["class namespaces"] = '''
class Shouting(dict):
    def __missing__(self, key):
        if key.startswith("_"): return key.upper()
        raise KeyError(key)
class Meta(type):
    @classmethod
    def __prepare__(mcs, name, bases):
        return Shouting()
class Loud(metaclass=Meta):
    size = len("abc")
    if size:
        label = _some_name
    def method(self):
        size = 2
        return self.label, size
result = Loud().method()
class Plain:
    x = 1
    y = x + 1
assert result == ("_SOME_NAME", 2) and Plain.y == 2
'''

# More than 255 names in the module and 127 globals in a function: a guard's
# load then starts with an EXTENDED_ARG.
CORPUS["many names"] = "\n".join(
    ["def wide():", "    total = 0"] + ["    total += v%d" % i for i in range(140)]
    + ["    return total"] + ["v%d = %d" % (i, i) for i in range(300)] + ["result = wide()"]) + "\n"

SCRIPT_NAME = "<string>"


def source(name):
    return textwrap.dedent(CORPUS[name]).lstrip("\n")


def instrumented(text):
    code = compile(lineguards.instrument(ast.parse(text, SCRIPT_NAME)), SCRIPT_NAME, "exec")
    return code, lineguards.CodeGuards(code)


def namespace(found, armed=(), hit=None):
    names = {"__name__": "__script__"}
    for line in found.guarded:
        names[lineguards.flag_name(line)] = line in armed
    names[lineguards.HIT] = hit if hit is not None else (lambda: None)
    return names


def line_events(code, names, drop=None):
    """(function name, line) of every line event of the script's frames."""
    events = []
    ours = {id(each) for each in code_objects(code)}

    def local(frame, event, _arg):
        if event == "line" and not (drop and drop(frame)):
            events.append((frame.f_code.co_name, frame.f_lineno))
        return local

    def call(frame, _event, _arg):
        return local if id(frame.f_code) in ours else None

    sys.settrace(call)
    try:
        exec(code, names)
    finally:
        sys.settrace(None)
    return events


class TheInterpreter(unittest.TestCase):
    def test_is_the_one_guards_are_for(self):
        self.assertEqual(sys.version_info[:2], (3, 11), sys.executable)
        self.assertTrue(lineguards.SUPPORTED)


class InProcess(unittest.TestCase):
    def test_traced_guarded_scripts_report_the_plain_line_events(self):
        for name in CORPUS:
            with self.subTest(name):
                text = source(name)
                plain = line_events(compile(text, SCRIPT_NAME, "exec"), {"__name__": "__script__"})
                code, found = instrumented(text)
                guarded = line_events(code, namespace(found),
                                      drop=lambda f: f.f_lasti in found.skips.get(f.f_code, ()))
                self.assertGreater(len(plain), 8)
                self.assertEqual(guarded, plain)

    def test_an_armed_guard_is_followed_by_its_line_event(self):
        served_total = 0
        for name in CORPUS:
            text = source(name)
            plain = line_events(compile(text, SCRIPT_NAME, "exec"), {"__name__": "__script__"})
            code, found = instrumented(text)
            served_total += len(found.served)
            for line in sorted(found.served):
                with self.subTest(name, line=line):
                    self.assertEqual(self._woken_events(code, found, line),
                                     [line] * sum(1 for _f, seen in plain if seen == line))
        self.assertGreater(served_total, 60)

    def _woken_events(self, code, found, line):
        """The line of the first event after each hit of the one armed guard
        (in the frame the guard woke), as the agent's backend sees it."""
        seen, woken = [], []

        def local(frame, event, _arg):
            if event == "line" and woken and woken[0] is frame:
                seen.append(frame.f_lineno)
                woken.clear()
                sys.settrace(None)
            return local

        def hit():
            frame = sys._getframe(1)
            frame.f_trace = local
            woken[:] = [frame]
            sys.settrace(lambda *_: None)

        try:
            exec(code, namespace(found, armed={line}, hit=hit))
        finally:
            sys.settrace(None)
        self.assertEqual(woken, [], "a hit without its line event")
        return seen

    def test_what_guards_do_not_serve(self):
        # The rule, spelt out on the corpus's lines: served where the trace
        # function reports the line once per run of its statement.
        _code, found = instrumented(source("statements"))
        self.assertTrue({2, 3, 4, 5, 6, 7, 9, 10, 11, 15} <= found.served, found.served)
        self.assertNotIn(12, found.served)  # `w = (… \n …)` is reported on 12, 13, 12
        self.assertNotIn(1, found.guarded)  # the docstring stays one
        _code, found = instrumented(source("loops"))
        self.assertNotIn(2, found.served)  # `for` header: once per iteration
        self.assertNotIn(9, found.served)  # `while` header
        self.assertIn(5, found.served)
        self.assertNotIn(13, found.served)  # a loop on one line
        _code, found = instrumented(source("calls"))
        self.assertNotIn(4, found.served)  # a call over four lines
        self.assertNotIn(8, found.served)  # a comprehension's line is its code's too
        self.assertNotIn(9, found.served)  # a lambda's
        self.assertIn(10, found.served)
        _code, found = instrumented(source("class namespaces"))
        self.assertFalse({10, 11, 12, 18, 19} & found.guarded)  # class bodies
        self.assertTrue({3, 14, 15, 16, 20} <= found.served, found.served)
        _code, found = instrumented(source("exceptions"))
        self.assertNotIn(16, found.served)  # `with` is reported again on the way out
        self.assertIn(17, found.served)


def stops(text, breakpoints, guards, actions=("continue",)):
    """Run `text` under the agent; at each stop record (reason, frames) and
    answer with the next of `actions` (cycled). Returns the stops and the
    script's output."""
    agent = AgentProcess(text, env={"NIXTIDE_AGENT_GUARDS": "1" if guards else "0"})
    try:
        agent.start(breakpoints=breakpoints)
        client = agent.client
        seen = []
        while True:
            event = client.wait_event(("stopped", "exited"), timeout=60)
            if event["event"] == "exited":
                break
            frames = client.stack()
            seen.append((event["body"]["reason"], [(f["name"], f["line"]) for f in frames]))
            client.request(actions[(len(seen) - 1) % len(actions)], {"threadId": 1})
        code, out, err = agent.finish()
        if code != 0:
            raise AssertionError("the script failed: %s" % err)
        return seen, out
    finally:
        agent.close()


class ThroughTheAgent(unittest.TestCase):
    def test_no_trace_function_runs_between_stops(self):
        text = textwrap.dedent('''
            import sys
            def running():
                return sys.gettrace()
            def mark(tracer):
                return "T" if tracer else "-"
            seen = [running()]
            for i in range(3):
                seen.append(running())
            print("".join(map(mark, seen)))
        ''').lstrip("\n")
        # A breakpoint on the last line, which a guard serves: nothing is
        # traced before it. Without guards (the switch) the trace function
        # is there all along: the check can tell.
        self.assertEqual(stops(text, [{"line": 9}], guards=True),
                         ([("breakpoint", [("testScript", 9)])], "----\n"))
        self.assertEqual(stops(text, [{"line": 9}], guards=False),
                         ([("breakpoint", [("testScript", 9)])], "TTTT\n"))
        # Stepping over line 6 traces it; after a continue the guards take
        # over again.
        seen, out = stops(text, [{"line": 6}, {"line": 9}], guards=True,
                          actions=("next", "continue"))
        self.assertEqual([frames[0] for _reason, frames in seen],
                         [("testScript", 6), ("testScript", 7), ("testScript", 9)])
        self.assertEqual(out, "T---\n")
        # Into running() and on: its return runs untraced again (the
        # actions cycle: the stop on line 9 steps into mark()).
        seen, out = stops(text, [{"line": 6}, {"line": 9}], guards=True,
                          actions=("stepIn", "continue"))
        self.assertEqual([frames[0] for _reason, frames in seen],
                         [("testScript", 6), ("running", 3), ("testScript", 9), ("mark", 5)])
        self.assertEqual(out, "----\n")

    def test_stops_are_the_same_with_and_without_guards(self):
        for name in CORPUS:
            text = source(name)
            _code, found = instrumented(text)
            all_lines = range(1, text.count("\n") + 1)
            for lines, actions in ((sorted(found.served), ("continue",)),
                                   (sorted(found.served), ("continue", "next", "stepIn",
                                                           "continue", "stepOut")),
                                   (all_lines, ("continue",))):
                breakpoints = [dict({"line": line}, **({"hitCondition": "%2"} if index % 3 == 2
                                                         else {}))
                               for index, line in enumerate(lines)]
                with self.subTest(name, lines=len(breakpoints), actions=actions):
                    with_guards = stops(text, breakpoints, True, actions)
                    self.assertEqual(with_guards, stops(text, breakpoints, False, actions))
                    self.assertGreater(len(with_guards[0]), 3)


if __name__ == "__main__":
    if not PYTHON:
        raise SystemExit("no interpreter")
    unittest.main()
