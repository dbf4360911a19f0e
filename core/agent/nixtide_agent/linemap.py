"""Mapping between the script that runs and the file the user edits.

The built test-script is the `.nix` string after Nix stripped indentation and
substituted antiquotations; the IDE computes which `.nix` line each script
line came from and passes that list in `launch`. Without a map the script
file is its own source.
"""

import os


def code_lines(code):
    """Lines that hold code in `code` and every nested code object."""
    lines = set()
    stack = [code]
    while stack:
        current = stack.pop()
        if hasattr(current, "co_lines"):
            for _start, _end, line in current.co_lines():
                if line is not None:
                    lines.add(line)
        else:  # Python < 3.10
            import dis
            for _offset, line in dis.findlinestarts(current):
                lines.add(line)
        for const in current.co_consts:
            if hasattr(const, "co_code"):
                stack.append(const)
    # The module prologue (RESUME) reports line 0 on some versions.
    lines.discard(0)
    return lines


class LineMap:
    def __init__(self, script_path, source_path=None, line_map=None):
        self.script_path = script_path
        self.source_path = source_path if (source_path and line_map) else None
        self._to_source = list(line_map or [])
        self.code_lines = set()

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

    def to_script(self, path, line):
        """A line in `path` -> the script line that runs, or None.

        A `.nix` line with no script line of its own maps to the next mapped
        line; a line without code moves to the next line holding code."""
        if self.source_path and os.path.realpath(path) == os.path.realpath(self.source_path) \
                and os.path.realpath(path) != os.path.realpath(self.script_path):
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
