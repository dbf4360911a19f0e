"""Running the test script under the debugger, again and again.

`run_script` is what replaces the driver's `exec(self.tests, symbols, None)`:
it waits for the client's configuration, compiles the script as the driver
would (named `<string>`, see Debugger.set_script), runs it, stops on an
uncaught exception with the frames alive, and starts it over on `restart`
without touching the machines.
"""

import os
import sys

from . import inspection
from .errors import RestartRequested


def _merge(launch_args, restart_args):
    merged = dict(launch_args)
    for key, value in (restart_args or {}).items():
        merged[key] = value
    return merged


def run_script(session, namespace, text, filename, after_run=None, on_failure=None):
    """Run the script; return its namespace when it ends normally.

    If the client continues after an uncaught exception, that exception is
    re-raised so the driver fails as it always would. `after_run`, when
    given, is called with the namespace after a normal end and may raise
    RestartRequested (interactive drivers wait there for more requests).
    `on_failure`, when given, is called with the failure (step, scriptPath,
    line) when the script raises, before anything else happens."""
    debugger = session.debugger
    args = session.wait_configured()
    base = dict(namespace)
    debugger.driver_names = base
    current = namespace
    while True:
        text = args.get("script") or text
        filename = args.get("scriptPath") or filename
        # The driver got past its command line and set-up: from here a
        # failure is the test's (a syntax error too), before it the driver
        # could not run.
        session.send_event("nixtide/scriptStarted", {"path": filename})
        code = debugger.set_script(text, filename, args.get("sourcePath"), args.get("lineMap"))
        try:
            stop_on_entry = bool(args.get("stopOnEntry"))
            go_on = False
            while code is not None:
                try:
                    debugger.execute(code, current, stop_on_entry, go_on)
                    code = None
                except Exception as error:
                    # Here rather than in the IDE on the exception stop:
                    # every failing run passes here (no-debug runs and an
                    # "uncaught" filter switched off too), the VMs are
                    # still up, and the screens are taken before the client
                    # can let the driver tear them down.
                    if on_failure is not None:
                        on_failure(describe_failure(debugger, error))
                    if debugger.no_debug or "uncaught" not in debugger.exception_filters \
                            or session.client_gone.is_set():
                        raise
                    debugger.post_mortem(error)
                    rest = debugger.take_resume()
                    if rest is None:
                        raise
                    # The user fixed or skipped the failing statement: the
                    # script goes on, and the failure is no longer the verdict.
                    code, stop_on_entry, go_on = rest.code, False, True
                    session.output("console", "nixtide: the script goes on from line %d\n"
                                   % debugger.linemap.to_source(rest.line) if rest.line
                                   else "nixtide: nothing of the script is left to run\n")
            if after_run is not None:
                after_run(current)
            return current
        except RestartRequested as restart:
            args = _merge(args, restart.launch_args)
            session.launch_args = args
            current = dict(base)
            session.output("console", "nixtide: restarting the test script\n")


def describe_failure(debugger, error):
    """The exception and the script line it came from (the innermost frame
    of the script in its traceback), as the client names them."""
    failure = {"step": "test failed: " + inspection.describe_exception(error)}
    linemap = debugger.linemap
    tb = error.__traceback__
    while tb is not None and linemap is not None:
        if linemap.owns(tb.tb_frame.f_code):
            failure["scriptPath"] = linemap.client_path
            failure["line"] = linemap.to_source(tb.tb_lineno)
        tb = tb.tb_next
    return failure


def default_script_path(argv=None):
    """Where the bundle's test-script lives: the file clients name."""
    argv = sys.argv if argv is None else argv
    path = os.environ.get("testScript")
    if path and os.path.isfile(path):
        return path
    for index, arg in enumerate(argv[1:], 1):
        if arg == "--config" and index + 1 < len(argv):
            try:
                import json
                with open(argv[index + 1]) as handle:
                    candidate = json.load(handle).get("test_script")
                if candidate and os.path.isfile(candidate):
                    return candidate
            except (OSError, ValueError, AttributeError):
                pass
    for arg in argv[1:]:
        if not arg.startswith("-") and os.path.isfile(arg):
            return arg
    bundle = os.path.dirname(os.path.dirname(os.path.abspath(argv[0] if argv else ".")))
    candidate = os.path.join(bundle, "test-script")
    if os.path.isfile(candidate):
        return candidate
    return os.path.abspath("test-script")
