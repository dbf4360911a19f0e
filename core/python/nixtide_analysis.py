"""Static analysis of a testScript inside nixtide's embedded interpreter.

Runs in the IDE, never in the driver: it only parses and lints text, it never
executes user code.
"""
import ast


def statements(source):
    """Top-level and nested statements as (first_line, last_line, kind, label)."""
    tree = ast.parse(source)
    result = []
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt):
            end = getattr(node, "end_lineno", node.lineno)
            label = ""
            if isinstance(node, ast.With):
                for item in node.items:
                    call = item.context_expr
                    if (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                            and call.func.id == "subtest" and call.args):
                        name = call.args[0]
                        # A computed name (an f-string, a variable) is shown
                        # as written: its value exists only when it runs.
                        label = (str(name.value) if isinstance(name, ast.Constant)
                                 else ast.unparse(name))
            result.append((node.lineno, end, type(node).__name__, label))
    result.sort()
    return result


def syntax_error(source):
    """None, or (line, column, message) of the first syntax error."""
    try:
        ast.parse(source)
    except SyntaxError as err:
        return (err.lineno or 0, err.offset or 0, err.msg)
    return None


def lint(source, known_names, filename="<testScript>"):
    """pyflakes messages as (line, column, message); known_names are the
    driver's test symbols, which the script uses without importing."""
    from pyflakes import checker

    tree = ast.parse(source, filename=filename)
    builtins = set(known_names)
    w = checker.Checker(tree, filename=filename, builtins=builtins)
    out = []
    for m in sorted(w.messages, key=lambda m: (m.lineno, getattr(m, "col", 0))):
        out.append((m.lineno, getattr(m, "col", 0), m.message % m.message_args))
    return out


def _signature(function):
    """`(a, b=1) -> str` of a method, without its `self`."""
    args = function.args
    positional = list(args.posonlyargs) + list(args.args)
    if positional and positional[0].arg in ("self", "cls"):
        if args.posonlyargs:
            args.posonlyargs = args.posonlyargs[1:]
        else:
            args.args = args.args[1:]
    text = "(%s)" % ast.unparse(args)
    if function.returns is not None:
        text += " -> " + ast.unparse(function.returns)
    return text


def driver_symbols(package_dir):
    """What a test_driver package gives test scripts, read from its source
    (never imported: it needs the driver's own dependencies): the names its
    *symbols() methods put in the script's namespace, and the public methods
    of its machine classes as (name, signature, docstring)."""
    import os
    globals_ = []
    with open(os.path.join(package_dir, "driver.py"), encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    for function in ast.walk(tree):
        if not (isinstance(function, ast.FunctionDef) and "symbols" in function.name):
            continue
        for node in ast.walk(function):
            keys = []
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "dict"):
                keys = [keyword.arg for keyword in node.keywords if keyword.arg]
            elif isinstance(node, ast.Dict):
                keys = [key.value for key in node.keys
                        if isinstance(key, ast.Constant) and isinstance(key.value, str)]
            globals_ += [key for key in keys if key not in globals_]
    sources = [os.path.join(package_dir, "machine.py")]
    machine_dir = os.path.join(package_dir, "machine")
    if os.path.isdir(machine_dir):
        sources += sorted(os.path.join(machine_dir, name) for name in os.listdir(machine_dir)
                          if name.endswith(".py"))
    methods = {}
    for source in sources:
        if not os.path.isfile(source):
            continue
        with open(source, encoding="utf-8") as handle:
            tree = ast.parse(handle.read())
        for cls in tree.body:
            if not (isinstance(cls, ast.ClassDef) and cls.name.endswith("Machine")):
                continue
            for item in cls.body:
                if (isinstance(item, ast.FunctionDef) and not item.name.startswith("_")
                        and item.name not in methods):
                    methods[item.name] = (item.name, _signature(item),
                                          ast.get_docstring(item) or "")
    return globals_, sorted(methods.values())
