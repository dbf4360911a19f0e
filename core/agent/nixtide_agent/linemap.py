"""Mapping between the script that runs and the file the user edits.

The built test-script is the `.nix` string after Nix stripped indentation and
substituted antiquotations; the IDE computes which `.nix` line each script
line came from and passes that list in `launch`. Without a map the script
file is its own source.

The script runs under the file name upstream drivers give it, `<string>`
(their failure report keeps only frames of that name), so its frames are
recognised by their code objects, never by file name.
"""

import linecache
import os
import re
import traceback

# What upstream's `exec(self.tests, symbols, None)` names the script's frames.
SCRIPT_FILENAME = "<string>"

_AGENT_DIR = os.path.dirname(os.path.abspath(__file__))

# A traceback line naming a script frame, as the driver's own failure report
# prints it.
_SCRIPT_FRAME_LINE = re.compile(r'File "<string>", line (\d+)')


def code_objects(code):
    """`code` and every code object nested in it (functions, classes,
    lambdas, comprehensions): what frames of the script run."""
    found = []
    stack = [code]
    while stack:
        current = stack.pop()
        found.append(current)
        for const in current.co_consts:
            if hasattr(const, "co_code"):
                stack.append(const)
    return found


def code_lines(code):
    """Lines that hold code in `code` and every nested code object."""
    lines = set()
    for current in code_objects(code):
        if hasattr(current, "co_lines"):
            for _start, _end, line in current.co_lines():
                if line is not None:
                    lines.add(line)
        else:  # Python < 3.10
            import dis
            for _offset, line in dis.findlinestarts(current):
                lines.add(line)
    # The module prologue (RESUME) reports line 0 on some versions.
    lines.discard(0)
    return lines


class LineMap:
    """`script_path` is the script file as clients name it (breakpoints,
    stack frames); the compiled code itself is named SCRIPT_FILENAME."""

    def __init__(self, script_path, source_path=None, line_map=None, code=None):
        self.script_path = script_path
        self.source_path = source_path if (source_path and line_map) else None
        self._to_source = list(line_map or [])
        self._codes = {}
        self.code_lines = set()
        if code is not None:
            self._codes = {id(c): c for c in code_objects(code)}
            self.code_lines = code_lines(code)

    def adopt(self, code):
        """Code compiled later from the same script text (the rest of it,
        run after a failure) is the script too."""
        self._codes.update((id(c), c) for c in code_objects(code))

    def owns(self, code):
        """Whether `code` is (part of) the compiled script."""
        return self._codes.get(id(code)) is code

    @property
    def client_path(self):
        return self.source_path or self.script_path

    def is_client_path(self, path):
        if not path:
            return False
        return os.path.realpath(path) in (
            os.path.realpath(self.client_path), os.path.realpath(self.script_path))

    def to_source(self, script_line):
        """Script line (1-based) -> line in the client's file."""
        if self.source_path and 1 <= script_line <= len(self._to_source):
            return self._to_source[script_line - 1]
        return script_line

    def source_range(self):
        """(first, last) line of the testScript in the client's file, or
        None when the script is its own file."""
        lines = [line for line in self._to_source if line]
        if not self.source_path or not lines:
            return None
        return min(lines), max(lines)

    def outside_script(self, path, line):
        """Why a breakpoint at `line` of the client's `.nix` file cannot be
        set (the line is not inside the testScript), or None."""
        span = self.source_range()
        if span is None or os.path.realpath(path) != os.path.realpath(self.source_path):
            return None
        if span[0] <= line <= span[1]:
            return None
        return "line %d of %s is outside the testScript (lines %d-%d)" % (
            line, os.path.basename(self.source_path), span[0], span[1])

    def to_script(self, path, line):
        """A line in `path` -> the script line that runs, or None.

        A `.nix` line with no script line of its own maps to the next mapped
        line; a line without code moves to the next line holding code. A
        line outside the testScript has none."""
        if self.source_path and os.path.realpath(path) == os.path.realpath(self.source_path) \
                and os.path.realpath(path) != os.path.realpath(self.script_path):
            if self.outside_script(path, line):
                return None
            best = None
            for index, nix_line in enumerate(self._to_source):
                if nix_line is None or nix_line < line:
                    continue
                script_line = index + 1
                if self.code_lines and script_line not in self.code_lines:
                    continue
                key = (nix_line, script_line)
                if best is None or key < best:
                    best = key
            return best[1] if best else None
        if not self.code_lines:
            return line
        later = [candidate for candidate in self.code_lines if candidate >= line]
        return min(later) if later else None

    def rename_frames(self, text):
        """`text` with each `File "<string>", line N` (the script's frames
        in a traceback the driver formatted) naming the client's file and
        line instead: what the user reads points at what they edit."""
        if SCRIPT_FILENAME not in text:
            return text
        return _SCRIPT_FRAME_LINE.sub(
            lambda m: 'File "%s", line %d' % (self.client_path, self.to_source(int(m.group(1)))),
            text)

    def format_exception(self, error):
        """traceback.format_exception, with the script's frames named by the
        client's file and line and showing that line's text."""
        formatted = traceback.TracebackException(type(error), error, error.__traceback__)
        self._rename_stack(formatted, error, set())
        return "".join(formatted.format())

    def _rename_stack(self, formatted, error, seen):
        if formatted is None or error is None or id(error) in seen:
            return
        seen.add(id(error))
        tb = error.__traceback__
        index = 0
        kept = []
        while tb is not None and index < len(formatted.stack):
            if os.path.dirname(os.path.abspath(tb.tb_frame.f_code.co_filename)) == _AGENT_DIR:
                # The agent's own frames (running the script, compiling
                # it) are not the user's concern.
                tb = tb.tb_next
                index += 1
                continue
            kept.append(index)
            if self.owns(tb.tb_frame.f_code):
                old = formatted.stack[index]
                line = self.to_source(tb.tb_lineno) or tb.tb_lineno
                linecache.checkcache(self.client_path)
                text = linecache.getline(self.client_path, line).strip()
                formatted.stack[index] = traceback.FrameSummary(
                    self.client_path, line, old.name, lookup_line=False, line=text)
            tb = tb.tb_next
            index += 1
        kept += range(index, len(formatted.stack))
        formatted.stack = traceback.StackSummary.from_list(
            [formatted.stack[i] for i in kept])
        self._rename_stack(formatted.__cause__, error.__cause__, seen)
        self._rename_stack(formatted.__context__, error.__context__, seen)
