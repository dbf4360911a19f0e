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
