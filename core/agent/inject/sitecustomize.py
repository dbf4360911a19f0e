"""nixtide's injection point, found first on PYTHONPATH by the test
driver's own interpreter.

1. Chain to the interpreter's own sitecustomize (Nix's Python uses one to
   honour NIX_PYTHONPATH): the next `sitecustomize` on sys.path after this
   directory is executed as if we were not here.
2. If NIXTIDE_AGENT_SOCKET is set, start the debug agent; otherwise do
   nothing more.
"""


def _chain():
    import importlib.machinery
    import importlib.util
    import os
    import sys

    here = os.path.dirname(os.path.abspath(__file__))
    entries = [os.path.abspath(entry or os.getcwd()) for entry in sys.path]
    after = entries[entries.index(here) + 1:] if here in entries else entries
    after = [entry for entry in after if entry != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", after)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        sys.stderr.write("Error in sitecustomize (%s); set PYTHONVERBOSE for traceback:\n"
                         "%s: %s\n" % (spec.origin, type(error).__name__, error))


def _start_agent():
    import os
    import sys

    path = os.environ.get("NIXTIDE_AGENT_SOCKET")
    if not path:
        return
    # Only this process is debugged; the driver's children (QEMU start
    # scripts, Python helpers) must not try to listen again.
    del os.environ["NIXTIDE_AGENT_SOCKET"]
    agent_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if agent_root not in sys.path:
        sys.path.append(agent_root)
    from nixtide_agent import bootstrap
    bootstrap.start(path)


_chain()
_start_agent()
