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

whose instructions are on line 0, which no script line is: the guarded
statement always starts a line, and the trace function drops the guard's
own line events. Unarmed, a guard is a global load and a jump. A breakpoint
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
lines (its first line is reported twice), a comprehension or lambda, and
a class body's lines (see instrument). So do stepping, pause and
breakpoints on "raised" exceptions.
"""

import ast
import dis
import sys

from .linemap import code_objects

# What the guards put in the script's namespace, kept out of what users see.
NAME_PREFIX = "__nixtide_"
HIT = NAME_PREFIX + "hit__"
FLAG_PREFIX = NAME_PREFIX + "l"
_FLAG = FLAG_PREFIX + "%d__"

# The analysis reads CPython 3.11's line events; 3.12 and later trace
# through sys.monitoring, whose line rules differ, and need no guards.
SUPPORTED = (3, 11) <= sys.version_info[:2] < (3, 12) and \
    hasattr(dis, "_parse_exception_table")


def flag_name(line):
    return _FLAG % line


def instrument(tree):
    """Put a guard before the first statement of each line in `tree` (a
    Module, changed in place and returned), except in class bodies: there
    a name is looked up in the namespace the metaclass's `__prepare__`
    made, which may answer for any name (a `__missing__`). Their lines
    keep the trace function on."""
    pending = [(tree, False)]
    while pending:
        node, in_class = pending.pop()
        # The children before the guards go in: a guard is not guarded.
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                pending.append((child, False))
            else:
                pending.append((child, in_class or isinstance(child, ast.ClassDef)))
        if in_class:
            continue
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
    ends = [getattr(part, "end_lineno", None) or getattr(part, "lineno", 0)
            for part in parts if isinstance(part, ast.AST)]
    return max([getattr(owner, "lineno", 0)] + ends)


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
        readings = [_Reading(each) for each in code_objects(code)]
        owners = {}
        for reading in readings:
            for line in reading.runs:
                owners[line] = owners.get(line, 0) + 1
        for reading in readings:
            self.guarded.update(line for line, _guard, _statement in reading.guards)
            # A line reported in another code object too (a comprehension's,
            # a lambda's) is not served.
            self.served.update(line for line in reading.served_lines() if owners[line] == 1)
            if reading.guard_starts:
                self.skips[reading.code] = reading.guard_starts


class _Reading:
    """One code object's traceable instructions: its guards, its lines as
    runs of instructions, and where a line event can happen in each."""

    def __init__(self, code):
        self.code = code
        instructions = list(dis.get_instructions(code))
        # Instructions up to the first RESUME are never reported as lines.
        first = next((index + 1 for index, ins in enumerate(instructions)
                      if ins.opname == "RESUME"), 0)
        traced = instructions[first:]
        self.runs = {}  # line -> [[start, end]] of its runs of instructions
        run_at = {}  # offset -> (line, start of its run)
        previous_line, run = None, None
        for index, ins in enumerate(traced):
            line = ins.positions.lineno
            end = traced[index + 1].offset if index + 1 < len(traced) else ins.offset + 2
            if line is not None and line == previous_line:
                run[1] = end
            elif line is not None:
                run = [ins.offset, end]
                self.runs.setdefault(line, []).append(run)
            if line is not None:
                run_at[ins.offset] = (line, run[0])
            previous_line = line
        # (line, offset of the guard's first instruction, offset of its
        # statement); the compiler copies some blocks (a `finally`), guards
        # too. Once the code has more than 255 names (127 for LOAD_GLOBAL)
        # the guard's load, and so the guard, starts with an EXTENDED_ARG.
        self.guards = []
        for index, ins in enumerate(traced):
            if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME") and isinstance(ins.argval, str) \
                    and ins.argval.startswith(FLAG_PREFIX) and ins.argval.endswith("__"):
                start = index
                while start > 0 and traced[start - 1].opname == "EXTENDED_ARG":
                    start -= 1
                after = index + 1
                while after < len(traced) and traced[after].opname == "EXTENDED_ARG":
                    after += 1
                if after < len(traced) and _is_jump(traced[after]):
                    self.guards.append((int(ins.argval[len(FLAG_PREFIX):-2]),
                                        traced[start].offset, traced[after].argval))
        self.guard_starts = frozenset(guard for _line, guard, _statement in self.guards)
        # Where a line event can happen, by line: where a run is entered from
        # another line, by a jump back, or by an exception. And the lines
        # whose statement a jump reaches past its guard.
        guard_of = {statement: guard for _line, guard, statement in self.guards}
        self.entries = {line: {start for start, _end in runs} for line, runs in self.runs.items()}
        self.bypassed = set()
        for ins in traced:
            if not _is_jump(ins):
                continue
            source, target = ins.offset, ins.argval
            hit = run_at.get(target)
            if hit is None:
                continue
            if target in guard_of:
                if not guard_of[target] <= source < target:
                    self.bypassed.add(hit[0])
            elif run_at.get(source) != hit or target <= source:
                self.entries[hit[0]].add(target)
        for entry in dis._parse_exception_table(code):
            hit = run_at.get(entry.target)
            if hit is not None:
                self.entries[hit[0]].add(entry.target)

    def served_lines(self):
        """Lines whose every line event is at the start of one of their
        guarded statements (reached only through its guard) or is a guard's
        own, which the trace function drops."""
        statements = {}
        for line, _guard, statement in self.guards:
            statements.setdefault(line, set()).add(statement)
        return {line for line, starts in statements.items()
                if line not in self.bypassed
                and starts <= {start for start, _end in self.runs.get(line, ())}
                and all(entry in starts or entry in self.guard_starts
                        for entry in self.entries.get(line, ()))}


def _is_jump(ins):
    return ins.opcode in dis.hasjrel or ins.opcode in dis.hasjabs


class Guards:
    """The guards of the running script: which lines they serve, which are
    armed, and the namespace their flags live in."""

    def __init__(self, hit):
        self._hit = hit
        self._served = set()
        self._unserved = set()  # never served again: a copy of the line did not serve it
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
        self._served = (self._served | found.served) - self._unserved
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
        if not lines <= self._served:
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
