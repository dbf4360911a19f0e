"""Going on after a failure: the rest of the script from a chosen statement.

After an uncaught exception the script's frames have unwound; Python cannot
resume them. What can go on is the script's text: the statements from the
chosen one to the end, compiled with their own line numbers and run in the
same namespace (the machines, the variables set so far). Statements inside
`with` blocks (a `with subtest(...)`, the usual shape) keep their block: its
context manager is entered again for the rest of its body. A statement
inside a loop, an `if`, a `try` or a function cannot go on by itself: the
state that chose it is gone.
"""

import ast
import copy

from .linemap import SCRIPT_FILENAME


class Remainder:
    """The script from `line` (a script line) on, compiled; `line` is the
    first statement's own line, None when nothing is left to run (the
    failure was the script's last statement)."""

    def __init__(self, code, line):
        self.code = code
        self.line = line


def remainder(text, script_line, compile_script):
    """The Remainder that starts at the first statement at or after
    `script_line` (None: past the last one); ValueError with the reason
    when the line is inside a statement that cannot go on.
    `compile_script(tree, filename)` compiles it as the script was."""
    tree = ast.parse(text, SCRIPT_FILENAME, "exec")
    body, line = _rest(tree.body, script_line) if script_line is not None else ([], None)
    module = ast.Module(body=body, type_ignores=[])
    return Remainder(compile_script(module, SCRIPT_FILENAME), line)


def _rest(body, line):
    for index, stmt in enumerate(body):
        if stmt.lineno >= line:
            return body[index:], stmt.lineno
        end = getattr(stmt, "end_lineno", None) or stmt.lineno
        if line > end:
            continue
        # `line` falls inside this statement.
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            inner, first = _rest(stmt.body, line)
            if inner:
                block = copy.copy(stmt)
                block.body = inner
                return [block] + body[index + 1:], first
            return body[index + 1:], _first_line(body[index + 1:])
        raise ValueError("line %d is inside the %s statement of line %d: the script can go on "
                         "only from a statement of its own or of a `with` block" % (
                             line, _kind(stmt), stmt.lineno))
    return [], None


def _first_line(body):
    return body[0].lineno if body else None


def _kind(stmt):
    return {ast.For: "for", ast.While: "while", ast.If: "if", ast.Try: "try",
            ast.FunctionDef: "def", ast.ClassDef: "class"}.get(type(stmt), type(stmt).__name__)
