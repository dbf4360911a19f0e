"""Variables and expression evaluation for a stopped (or idle) script.

Everything here runs on the main thread while it waits in the debugger's
command loop, so objects are read in the state the script left them.
"""

import ast
import sys
import traceback
import types

from .lineguards import NAME_PREFIX

MAX_CHILDREN = 500
MAX_VALUE = 1000

# Node types a hover may evaluate: reading names, attributes and items only,
# so pointing the mouse at `machine.succeed(...)` never runs a command.
_HOVER_NODES = (ast.Expression, ast.Name, ast.Attribute, ast.Subscript, ast.Constant,
                ast.Load, ast.Tuple, ast.Slice, ast.UnaryOp, ast.USub)
if sys.version_info < (3, 9):  # pragma: no cover - the agent supports 3.9+
    _HOVER_NODES += (ast.Index,)


def safe_repr(value):
    try:
        text = repr(value)
    except Exception as error:  # a broken __repr__ must not break the debugger
        text = "<repr failed: %s: %s>" % (type(error).__name__, error)
    if len(text) > MAX_VALUE:
        text = text[:MAX_VALUE] + "..."
    return text


_LEAVES = (str, bytes, bytearray, int, float, complex, bool, type(None),
           types.FunctionType, types.BuiltinFunctionType, types.MethodType)


def is_expandable(value):
    if isinstance(value, (dict, list, tuple, set, frozenset)):
        return len(value) > 0
    if isinstance(value, _LEAVES):
        return False
    return bool(_attributes(value))


def _attributes(value):
    names = {}
    attrs = getattr(value, "__dict__", None)
    if isinstance(attrs, dict) or type(attrs).__name__ == "mappingproxy":
        for key, item in list(attrs.items()):
            if isinstance(key, str) and not (key.startswith("__") and key.endswith("__")):
                names[key] = item
    for slot_owner in type(value).__mro__:
        for slot in getattr(slot_owner, "__slots__", ()) or ():
            if isinstance(slot, str) and slot not in names and hasattr(value, slot):
                try:
                    names[slot] = getattr(value, slot)
                except Exception:
                    pass
    return names


def children(value):
    """(name, value) pairs shown when `value` is expanded."""
    if isinstance(value, dict) or type(value).__name__ == "mappingproxy":
        items = list(value.items())[:MAX_CHILDREN]
        return [(key if isinstance(key, str) and value is not None and _is_namespace(value)
                 else safe_repr(key), item) for key, item in items]
    if isinstance(value, (list, tuple)):
        return [(str(index), item) for index, item in enumerate(value[:MAX_CHILDREN])]
    if isinstance(value, (set, frozenset)):
        return [(str(index), item) for index, item in
                enumerate(sorted(value, key=safe_repr)[:MAX_CHILDREN])]
    return sorted(_attributes(value).items())[:MAX_CHILDREN]


def _is_namespace(mapping):
    # Scopes are shown with bare names, other dicts with repr'd keys.
    return getattr(mapping, "_nixtide_scope", False)


class Scope(dict):
    """A snapshot of a namespace shown with bare names."""
    _nixtide_scope = True


def scope_of(namespace):
    scope = Scope()
    for key, item in list(namespace.items()):
        if key == "__builtins__" or (isinstance(key, str) and key.startswith(NAME_PREFIX)):
            continue
        scope[key] = item
    return scope


def hover_allowed(expression):
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        return False
    return all(isinstance(node, _HOVER_NODES) for node in ast.walk(tree))


def _write_back(frame):
    """Make assignments to a function frame's locals stick (before 3.13,
    whose f_locals is already a write-through proxy)."""
    if frame is None or sys.version_info >= (3, 13) or frame.f_locals is frame.f_globals:
        return
    try:
        import ctypes
        ctypes.pythonapi.PyFrame_LocalsToFast(ctypes.py_object(frame), ctypes.c_int(0))
    except Exception:
        pass


def evaluate(expression, frame, namespace, context):
    """Return the value of `expression`; in the repl context statements run
    too and the value of a trailing expression is returned (None if none)."""
    if frame is not None:
        global_ns, local_ns = frame.f_globals, frame.f_locals
    else:
        global_ns, local_ns = namespace, namespace
    try:
        code = compile(expression, "<nixtide-eval>", "eval")
    except SyntaxError:
        if context not in ("repl", "clipboard"):
            raise
        code = None
    if code is not None:
        return eval(code, global_ns, local_ns), True
    tree = ast.parse(expression, "<nixtide-repl>", "exec")
    tail = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        tail = ast.Expression(tree.body.pop().value)
    exec(compile(tree, "<nixtide-repl>", "exec"), global_ns, local_ns)
    result = None
    if tail is not None:
        result = eval(compile(tail, "<nixtide-repl>", "eval"), global_ns, local_ns)
    _write_back(frame)
    return result, tail is not None


def describe_exception(error):
    return "%s: %s" % (type(error).__name__, error)


def format_exception(error):
    return "".join(traceback.format_exception(type(error), error, error.__traceback__))


class OutputTee:
    """Stands in for sys.stdout/sys.stderr during an evaluation: text goes to
    the original stream and to the client as `output` events."""

    def __init__(self, original, category, send):
        self._original = original
        self._category = category
        self._send = send

    def write(self, text):
        if text:
            self._send(self._category, text)
        if self._original is not None:
            return self._original.write(text)
        return len(text)

    def flush(self):
        if self._original is not None:
            self._original.flush()

    def __getattr__(self, name):
        return getattr(self._original, name)
