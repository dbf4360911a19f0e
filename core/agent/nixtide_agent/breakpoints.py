"""Breakpoints as the client asked for them, resolved against the script."""

import os
import re

from .linemap import code_lines

_HIT = re.compile(r"^\s*(==|>=|<=|>|<|%)?\s*(\d+)\s*$")


def hit_condition_met(condition, hits):
    match = _HIT.match(condition or "")
    if not match:
        return True
    operator, number = match.group(1) or "==", int(match.group(2))
    if operator == "%":
        return number > 0 and hits % number == 0
    return {"==": hits == number, ">=": hits >= number, "<=": hits <= number,
            ">": hits > number, "<": hits < number}[operator]


class Breakpoint:
    __slots__ = ("id", "client_line", "filename", "line", "condition", "hit_condition",
                 "log_message", "hits", "verified", "message")

    def __init__(self, ident, client_line, spec):
        self.id = ident
        self.client_line = client_line
        self.condition = spec.get("condition") or None
        self.hit_condition = spec.get("hitCondition") or None
        self.log_message = spec.get("logMessage") or None
        self.hits = 0
        self.filename = None
        self.line = None
        self.verified = False
        self.message = None


class BreakpointTable:
    """Client requests per client path; `by_file` is what the tracer reads:
    {code filename: {script line: Breakpoint}}, rebuilt on every change."""

    def __init__(self):
        self._next_id = 1
        self._requested = {}  # client path -> [Breakpoint]
        self.by_file = {}
        self._file_lines = {}

    def set(self, client_path, specs, linemap):
        previous = {bp.client_line: bp for bp in self._requested.get(client_path, [])}
        breakpoints = []
        for spec in specs:
            line = int(spec.get("line", 0))
            old = previous.get(line)
            bp = Breakpoint(old.id if old else self._take_id(), line, spec)
            if old is not None and old.condition == bp.condition and \
                    old.hit_condition == bp.hit_condition:
                bp.hits = old.hits
            breakpoints.append(bp)
        self._requested[client_path] = breakpoints
        self.resolve(linemap)
        return breakpoints

    def _take_id(self):
        ident = self._next_id
        self._next_id += 1
        return ident

    def resolve(self, linemap):
        """Map every requested breakpoint to a script (or other file) line."""
        by_file = {}
        for client_path, breakpoints in self._requested.items():
            for bp in breakpoints:
                reason = "no code at or after this line"
                if linemap is not None and linemap.is_client_path(client_path):
                    bp.filename = linemap.script_path
                    bp.line = linemap.to_script(client_path, bp.client_line)
                    reason = linemap.outside_script(client_path, bp.client_line) or reason
                else:
                    bp.filename = os.path.realpath(client_path)
                    bp.line = self._line_in_file(bp.filename, bp.client_line)
                    if not client_path.endswith(".py"):
                        reason = "%s is not the running test's script nor a Python file" % (
                            os.path.basename(client_path))
                bp.verified = bp.line is not None
                bp.message = None if bp.verified else reason
                if bp.verified:
                    by_file.setdefault(bp.filename, {}).setdefault(bp.line, bp)
        self.by_file = by_file

    def _line_in_file(self, path, line):
        lines = self._file_lines.get(path)
        if lines is None:
            try:
                with open(path, "rb") as handle:
                    lines = code_lines(compile(handle.read(), path, "exec"))
            except (OSError, SyntaxError, ValueError):
                lines = set()
            self._file_lines[path] = lines
        later = [candidate for candidate in lines if candidate >= line]
        return min(later) if later else None

    def all(self):
        for breakpoints in self._requested.values():
            for bp in breakpoints:
                yield bp
