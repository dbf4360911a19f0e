"""REPL completion (DAP `completions`): names of the paused frame (its
locals, the test's namespace with the driver's API, builtins) and the
attributes of a dotted name before the cursor. Only names are looked up:
nothing is called, as on hover (an attribute that is a property runs no
code here either: dir() lists it without getting it)."""

import builtins
import inspect
import keyword
import re

from .lineguards import NAME_PREFIX

_TAIL = re.compile(r"(?:[A-Za-z_][A-Za-z0-9_]*\.)*[A-Za-z0-9_]*$")


def complete(text, namespaces):
    """Completion items for the end of `text`, looked up in `namespaces`
    (innermost first). Returns (prefix, items): the part of the text the
    items replace, and DAP CompletionItems sorted by label."""
    token = _TAIL.search(text).group(0)
    owner, dotted, prefix = token.rpartition(".")
    if dotted:
        value = _lookup(owner, namespaces)
        if value is _MISSING:
            return prefix, []
        names = {name: _kind_of(value, name) for name in dir(value)}
    else:
        names = {}
        for namespace in reversed(namespaces):
            for name, value in namespace.items():
                names[name] = _kind(value)
        for name in keyword.kwlist:
            names.setdefault(name, "keyword")
    hidden = not prefix.startswith("_")
    items = [{"label": name, "text": name, "type": kind}
             for name, kind in names.items()
             if name.startswith(prefix) and not (hidden and name.startswith("_"))
             and not name.startswith(NAME_PREFIX)]
    items.sort(key=lambda item: item["label"])
    return prefix, items


_MISSING = object()


def _lookup(dotted, namespaces):
    first, *rest = dotted.split(".")
    value = _MISSING
    for namespace in namespaces:
        if first in namespace:
            value = namespace[first]
            break
    for name in rest:
        if value is _MISSING:
            break
        try:
            value = inspect.getattr_static(value, name)
        except AttributeError:
            value = _MISSING
    return value


def _kind_of(owner, name):
    try:
        return _kind(inspect.getattr_static(owner, name))
    except AttributeError:
        return "property"


def _kind(value):
    if inspect.isclass(value):
        return "class"
    if inspect.ismodule(value):
        return "module"
    if callable(value) or isinstance(value, (staticmethod, classmethod)):
        return "function"
    if isinstance(value, property):
        return "property"
    return "variable"


def builtin_namespace():
    return vars(builtins)
