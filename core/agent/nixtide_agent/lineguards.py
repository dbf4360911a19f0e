"""Breakpoints in the test script without a trace function (the settrace
backend, Python before 3.12).

Why: once any trace function is set, CPython 3.11 sends every instruction of
every frame through its tracing dispatch, traced frame or not: 2.8x on a hot
loop and 7x on a call-heavy one with a trace function that answers every
call with None (bench/README.md). So while the only reason to trace is a
breakpoint in the script, the backend sets no trace function at all.

How: the script is compiled with a guard before the first statement of each
line,

    if __nixtide_l<line>__: __nixtide_hit__()

whose instructions have no line of their own (the compiler gives them the
line before). Unarmed, a guard is a global load and a jump. A breakpoint
arms its line's guard; the hit function sets the trace function, and the
statement's first instruction then reports its line as an ordinary line
event. So the stop is a settrace stop like any other: conditions, hit counts
and logpoints are judged there, and `goto` works (CPython lets a debugger
move `f_lineno` only from a line event). Afterwards the backend goes back to
guards.

A guard stands for a breakpoint only where it is exactly the line event the
trace function would see: the line's code is one run of instructions, in one
code object, entered only through its guard, with no jump back inside it
(which reports the line again). Other lines keep the trace function on: a
loop's header, a `with` line (reported again on exit), a call spread over
lines (its first line is reported twice), a comprehension or lambda. So do
stepping, pause and breakpoints on "raised" exceptions.
"""

import ast
import dis
import sys

HIT = "__nixtide_hit__"
FLAG_PREFIX = "__nixtide_l"
_FLAG = FLAG_PREFIX + "%d__"

# The analysis reads CPython 3.11's line events; 3.12 and later trace
# through sys.monitoring, whose line rules differ, and need no guards.
SUPPORTED = (3, 11) <= sys.version_info[:2] < (3, 12) and \
    hasattr(dis, "_parse_exception_table")


def flag_name(line):
    return _FLAG % line


def instrument(tree):
    """Put a guard before the first statement of each line in `tree` (a
    Module, changed in place and returned)."""
    for node in ast.walk(tree):  # queues a node's children before yielding it
        for field in ("body", "orelse", "finalbody"):
            statements = getattr(node, field, None)
            if isinstance(statements, list) and statements and isinstance(statements[0], ast.stmt):
                setattr(node, field, _guarded(node, statements))
    return tree


def _guarded(owner, statements):
    out = []
    # Only a statement that starts its line is guarded: after a guard its
    # line is always reported, so code of the same line must not run just
    # before it (a body on its header's line, a statement after a `;`).
    floor = _header_end(owner)
    for index, statement in enumerate(statements):
        if statement.lineno > floor and not _stays_first(owner, index, statement):
            out.append(_guard(statement.lineno))
        out.append(statement)
        floor = max(floor, statement.end_lineno or statement.lineno)
    return out


def _header_end(owner):
    """The last line of `owner`'s own code before its statements run (0 for
    a module or a function, whose statements run in a code object of
    their own)."""
    if isinstance(owner, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef)):
        return 0
    parts = [getattr(owner, field, None) for field in
             ("test", "target", "iter", "type", "name", "pattern", "guard", "subject")]
    parts += list(getattr(owner, "items", ())) + list(getattr(owner, "bases", ())) + \
        list(getattr(owner, "keywords", ()))
    ends = [getattr(owner, "lineno", 0)] + [getattr(part, "end_lineno", None) or getattr(part, "lineno", 0)
                             for part in parts if isinstance(part, ast.AST)]
    return max(ends)


def _stays_first(owner, index, statement):
    """A docstring, or a `from __future__` import: a guard before it would
    change what it means."""
    if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
        return True
    return index == 0 and isinstance(owner, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                             ast.AsyncFunctionDef)) \
        and isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) \
        and isinstance(statement.value.value, str)


def _guard(line):
    guard = ast.If(test=ast.Name(id=flag_name(line), ctx=ast.Load()),
                   body=[ast.Expr(value=ast.Call(func=ast.Name(id=HIT, ctx=ast.Load()),
                                                 args=[], keywords=[]))],
                   orelse=[])
    for node in ast.walk(guard):
        # Line 0, which no script line is: the statement after a guard
        # always starts a line, and an event at the guard is the guard's.
        # (Without a line the compiler would give the guard the line before
        # it, and drop a `case _:` line's NOP in its favour.)
        node.lineno = node.end_lineno = node.col_offset = node.end_col_offset = 0
    return guard


class CodeGuards:
    """What one compiled script (with the code it defines) offers: the lines
    whose guard stands for the line event (`served`), every guarded line
    (`guarded`), and per code object the offsets where a guard starts on a
    line of its own, whose line events are the guard's, not the script's
    (`skips`)."""

    def __init__(self, code):
        self.served = set()
        self.guarded = set()
        self.skips = {}
        codes = _code_objects(code)
        readings = [_Reading(each) for each in codes]
        owners = {}
        for reading in readings:
            for line in reading.runs:
                owners[line] = owners.get(line, 0) + 1
        for reading in readings:
            skips = frozenset(start for _line, start, _statement in reading.guards)
            copies = {}
            for line, start, statement in reading.guards:
                copies.setdefault(line, []).append((start, statement))
            for line, guards in copies.items():
                self.guarded.add(line)
                if owners.get(line) == 1 and reading.stands_for_line(line, guards, skips):
                    self.served.add(line)
            if skips:
                self.skips[reading.code] = skips


class _Reading:
    """One code object's traceable instructions: its guards, its lines as
    runs of instructions, its jumps and exception handlers."""

    def __init__(self, code):
        self.code = code
        instructions = list(dis.get_instructions(code))
        # Instructions up to the first RESUME are never reported as lines.
        first = next((index + 1 for index, ins in enumerate(instructions)
                      if ins.opname == "RESUME"), 0)
        traced = instructions[first:]
        self.line_at = {ins.offset: ins.positions.lineno for ins in traced}
        self.runs = {}
        previous_line, run = None, None
        for index, ins in enumerate(traced):
            line = ins.positions.lineno
            end = traced[index + 1].offset if index + 1 < len(traced) else ins.offset + 2
            if line is not None and line == previous_line:
                run[1] = end
            elif line is not None:
                run = [ins.offset, end]
                self.runs.setdefault(line, []).append(run)
            previous_line = line
        self.jumps = [(ins.offset, ins.argval) for ins in traced
                      if ins.opcode in dis.hasjrel or ins.opcode in dis.hasjabs]
        self.handlers = [entry.target for entry in dis._parse_exception_table(code)]
        # (line, offset of the guard's first instruction, offset of its
        # statement); the compiler copies some blocks (a `finally`), guards too.
        self.guards = []
        for index, ins in enumerate(traced[:-1]):
            if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME") and isinstance(ins.argval, str) \
                    and ins.argval.startswith(FLAG_PREFIX) and ins.argval.endswith("__"):
                jump = traced[index + 1]
                if jump.opcode in dis.hasjrel or jump.opcode in dis.hasjabs:
                    line = int(ins.argval[len(FLAG_PREFIX):-2])
                    self.guards.append((line, ins.offset, jump.argval))

    def stands_for_line(self, line, guards, skips):
        """Whether the line is reported exactly when one of its guards runs:
        at the start of that guard's statement, reached only through the
        guard. `guards` are (guard, statement) offsets of the line's copies;
        `skips` are the guards' own line events, which the trace function
        drops."""
        runs = self.runs.get(line, [])
        starts = {start for start, _end in runs}
        statements = {statement: guard for guard, statement in guards}
        if not set(statements) <= starts:
            return False

        def run_of(offset):
            return next((index for index, (start, end) in enumerate(runs)
                         if start <= offset < end), None)

        # Where a line event for `line` can happen: where a run of it is
        # entered from another line, by a jump back, or by an exception.
        entries = list(starts)
        for source, target in self.jumps:
            run = run_of(target)
            if run is None:
                continue
            if target in statements:
                if not statements[target] <= source < target:
                    return False  # a way to the statement that passes no guard
            elif run != run_of(source) or target <= source:
                entries.append(target)
        entries += [target for target in self.handlers if run_of(target) is not None]
        return all(entry in statements or entry in skips for entry in entries)


def _code_objects(code):
    found, stack = [], [code]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(const for const in current.co_consts if isinstance(const, type(code)))
    return found


class Guards:
    """The guards of the running script: which lines they serve, which are
    armed, and the namespace their flags live in."""

    def __init__(self, hit):
        self._hit = hit
        self._served = set()
        self._unserved = set()
        self._guarded = set()
        self._skips = {}
        self._namespace = None
        self._armed = set()

    def adopt(self, code):
        """`code` (an instrumented script, or what is left of it after a
        failure) runs from now on: take in what its guards offer."""
        found = CodeGuards(code)
        # A line is served only if every compiled copy of it serves it.
        self._unserved |= found.guarded - found.served
        self._served |= found.served
        self._guarded |= found.guarded
        self._skips.update(found.skips)

    def forget(self):
        """A new script text: nothing compiled before is the script."""
        self.arm(())
        self._served, self._unserved, self._guarded, self._skips = set(), set(), set(), {}

    def prepare(self, namespace):
        """Give a namespace the script is about to run in its (unarmed)
        flags and the hit function."""
        self.arm(())
        namespace[HIT] = self._hit
        for line in self._guarded:
            namespace[flag_name(line)] = False
        self._namespace = namespace

    def serve(self, lines):
        """Arm the guards of `lines` and disarm the rest; False (all
        disarmed) when a guard cannot stand for one of them."""
        if not all(line in self._served and line not in self._unserved for line in lines):
            self.arm(())
            return False
        self.arm(lines)
        return True

    def arm(self, lines):
        namespace = self._namespace
        if namespace is None:
            return
        lines = set(lines)
        for line in self._armed - lines:
            namespace[flag_name(line)] = False
        for line in lines - self._armed:
            namespace[flag_name(line)] = True
        self._armed = lines

    def is_guard(self, code, offset):
        """Whether a line event at `offset` of `code` is a guard's, which
        the script without guards would not report."""
        skips = self._skips.get(code)
        return skips is not None and offset in skips
