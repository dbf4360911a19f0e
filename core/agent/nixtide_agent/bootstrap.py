"""Start the agent inside a test driver process (called by sitecustomize).

Hooks, installed when the driver's modules are imported:
- `test_driver.main`: report `exited`/`terminated` with the real exit code
  after the driver has cleaned up (VMs gone).
- `Driver.__init__` and `Driver.__enter__`: add our logger, register the
  machines as soon as they exist: older drivers build them in the
  constructor, newer ones when the driver is entered (`with Driver(...)`).
- `Driver.test_script`: its `exec(self.tests, symbols, None)` is served by
  the debugger (`runner.run_script`), so the driver's own logging and
  failure handling stay as they are.
- `ptpython.repl.embed` / `ptpython.ipython.embed` (interactive drivers):
  run the script under the debugger, then keep serving the REPL and
  `restart` with the VMs up until the client terminates.
- machine classes: state changes, screenshots, the serial console's
  bytes as they arrive (`serialtap`), and each OCR attempt (`ocr`).
"""

import builtins
import os
import signal
import sys
import threading
import traceback

from . import inspection
from .errors import RestartRequested, TerminateRequested
from .driverlog import DapLogger, wrap_rootlog
from .importhook import install as install_import_hook
from .machines import VNC_SOCKET, MachineTracker
from .ocr import OcrReporter
from .runner import _merge, default_script_path, run_script
from .serialtap import SerialStreams
from .session import Session, SocketDirectoryError

_agent = None


class Agent:
    def __init__(self, session):
        self.session = session
        self.tracker = MachineTracker(session)
        self.serial = SerialStreams(session)
        debugger = session.debugger
        self.logger = DapLogger(session, on_serial=self.tracker.note_serial,
                                locate=debugger.script_position, serial=self.serial,
                                rename=debugger.client_text)
        # Next to the agent's socket: nixtide removes that directory after
        # the driver has gone, when every event naming an image was read.
        self.ocr = OcrReporter(session, self.logger, os.path.join(
            os.path.dirname(os.path.abspath(session.socket_path)), "ocr"))
        self.script_depth = 0
        self.tracker.is_stopped = lambda: debugger.state == "stopped"
        self.tracker.on_idle = debugger.restart_unblocked
        debugger.restart_blocker = self.tracker.busy_message
        session.extensions["nixtide/machines"] = self._on_machines
        session.extensions["nixtide/machineAction"] = self._on_machine_action
        session.debugger.main_handlers["nixtide/machineAction"] = self._machine_action_main
        session.launch_hooks.append(self._on_launch)

    # ---- requests -------------------------------------------------------------
    def _on_machines(self, request):
        self.session.respond(request, {"machines": self.tracker.describe()})

    def _on_machine_action(self, request):
        if self.session.debugger.submit(request):
            return
        # The script runs: act from a worker so the I/O thread stays free.
        threading.Thread(target=self._machine_action_main, args=(request,), daemon=True).start()

    def _machine_action_main(self, request):
        try:
            body = self.tracker.action(request.get("arguments") or {})
        except Exception as error:
            self.session.respond(request, success=False,
                                 message="%s: %s" % (type(error).__name__, error))
        else:
            self.session.respond(request, body)
        return None

    def _on_launch(self, args):
        """Resolve breakpoints early if the script file can be read now."""
        path = args.get("scriptPath") or default_script_path()
        text = args.get("script")
        try:
            if text is None:
                with open(path) as handle:
                    text = handle.read()
            self.session.debugger.set_script(text, path, args.get("sourcePath"), args.get("lineMap"))
        except (OSError, SyntaxError, ValueError):
            pass

    # ---- driver patches ---------------------------------------------------------
    def patch_package(self, module):
        original = getattr(module, "main", None)
        if original is None or getattr(original, "_nixtide", False):
            return
        session = self.session

        def main(*args, **kwargs):
            code = 0
            try:
                result = original(*args, **kwargs)
                code = result if isinstance(result, int) else 0
                return result
            except SystemExit as exit_:
                code = _exit_status(exit_.code)
                raise
            except BaseException:
                code = 1
                raise
            finally:
                session.finish(code)
        main._nixtide = True
        main.__wrapped__ = original
        module.main = main

    def patch_driver_module(self, module):
        driver_class = getattr(module, "Driver", None)
        if driver_class is None or getattr(driver_class, "_nixtide_patched", False):
            return
        driver_class._nixtide_patched = True
        agent = self
        original_init = driver_class.__init__
        original_enter = getattr(driver_class, "__enter__", None)
        original_test_script = driver_class.test_script
        original_create = getattr(driver_class, "create_machine", None)

        def __init__(self, *args, **kwargs):
            logger = kwargs.get("logger")
            if logger is None:
                logger = next((arg for arg in args if hasattr(arg, "add_logger")), None)
            if logger is not None:
                agent.attach_logger(logger)
            original_init(self, *args, **kwargs)
            if logger is None:
                agent.attach_logger(getattr(self, "logger", None))
            agent.register_machines(self)

        def __enter__(self):
            entered = original_enter(self)
            agent.register_machines(self)
            return entered

        def test_script(self):
            if agent.script_depth:
                return original_test_script(self)
            namespace = original_test_script.__globals__
            saved = namespace.get("exec", _MISSING)

            def agent_exec(source, globals_=None, locals_=None):
                if source is not self.tests or agent.script_depth:
                    return builtins.exec(source, globals_, locals_)
                agent.script_depth += 1
                try:
                    run_script(agent.session, globals_, source, default_script_path(),
                               on_failure=agent.tracker.failure_screenshots)
                finally:
                    agent.script_depth -= 1

            namespace["exec"] = agent_exec
            try:
                return original_test_script(self)
            finally:
                if saved is _MISSING:
                    namespace.pop("exec", None)
                else:
                    namespace["exec"] = saved

        def create_machine(self, *args, **kwargs):
            machine = original_create(self, *args, **kwargs)
            agent.adopt_class(type(machine))
            agent.tracker.add(machine)
            return machine

        driver_class.__init__ = __init__
        if original_enter is not None:
            driver_class.__enter__ = __enter__
        driver_class.test_script = test_script
        if original_create is not None:
            driver_class.create_machine = create_machine

    def register_machines(self, driver):
        """Announce the machines the driver has so far (state off until
        started): tabs and machine actions need them before the script runs."""
        try:
            machines = list(getattr(driver, "machines", None) or [])
        except Exception:  # a property over lists the driver has not built yet
            machines = []
        for machine in machines:
            self.adopt_class(type(machine))
        self.tracker.add_all(machines)

    def patch_machine_module(self, module):
        for name in ("Machine", "QemuMachine", "BaseMachine", "NspawnMachine"):
            cls = getattr(module, name, None)
            if isinstance(cls, type) and hasattr(cls, "start"):
                self.adopt_class(cls)

    def adopt_class(self, cls):
        self.tracker.patch_class(cls)
        self.serial.patch_class(cls)
        self.ocr.patch_class(cls)

    def patch_logger_module(self, module):
        rootlog = getattr(module, "rootlog", None)
        if rootlog is not None and not hasattr(rootlog, "add_logger"):
            wrap_rootlog(rootlog, self.logger)
        elif rootlog is not None:
            self.attach_logger(rootlog)

    def attach_logger(self, logger):
        if logger is None or getattr(logger, "_nixtide_attached", False):
            return
        if hasattr(logger, "add_logger"):
            logger.add_logger(self.logger)
            try:
                logger._nixtide_attached = True
            except AttributeError:
                pass

    def patch_embed(self, module):
        original = getattr(module, "embed", None)
        if original is None or getattr(original, "_nixtide", False):
            return
        agent = self

        def embed(*args, **kwargs):
            namespace = kwargs.get("user_ns")
            if namespace is None:
                namespace = args[0] if args else kwargs.get("globals")
            if namespace is None:
                return original(*args, **kwargs)
            agent.serve_interactive(namespace)
        embed._nixtide = True
        embed.__wrapped__ = original
        module.embed = embed

    def serve_interactive(self, namespace):
        """Run the script, then keep the VMs and the REPL until terminated."""
        session = self.session
        driver = namespace.get("driver")
        text = getattr(driver, "tests", "") or ""
        base = dict(namespace)
        current = namespace
        debugger = session.debugger
        while True:
            self.script_depth += 1
            debugger.exit_code = 1
            outcome = {"status": "passed"}
            try:
                run_script(session, current, text, default_script_path(),
                           on_failure=self.tracker.failure_screenshots)
            except Exception as error:
                linemap = debugger.linemap
                outcome = {"status": "failed", "error": inspection.describe_exception(error)}
                outcome.update(debugger.failure_position(error))
                session.output("stderr", linemap.format_exception(error) if linemap else
                               "".join(traceback.format_exception(
                                   type(error), error, error.__traceback__)))
            finally:
                self.script_depth -= 1
            # Terminated from now on, the driver exits with the script's
            # result, as a non-interactive driver would: a headless run of
            # an interactive bundle ends so.
            debugger.exit_code = 0 if outcome["status"] == "passed" else 1
            # A restart inside the run may have moved to a fresh namespace.
            current = session.debugger.namespace or current

            def announce(outcome=outcome):
                session.send_event("nixtide/scriptFinished", outcome)
            try:
                session.debugger.idle(current, announce)
                while True:
                    session.debugger.idle(current)
            except RestartRequested as restart:
                session.launch_args = _merge(session.launch_args, restart.launch_args)
                current = dict(base)


_MISSING = object()


def _exit_status(code):
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    return 1


def _prepare_environment():
    """VMs get a VNC server on a unix socket in their state dir, never a
    window or a TCP port."""
    options = os.environ.get("QEMU_OPTS", "")
    vnc = "-vnc unix:" + VNC_SOCKET
    if vnc not in options:
        os.environ["QEMU_OPTS"] = (options + " " + vnc).strip()
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        os.environ.pop(name, None)


def _on_sigterm(_signum, _frame):
    raise TerminateRequested(128 + signal.SIGTERM)


def start(socket_path):
    global _agent
    if _agent is not None:
        return _agent
    session = Session(socket_path)
    # Everything a client's first requests rely on (the launch hook that
    # resolves breakpoints early, the pause signal) is in place before the
    # socket accepts anyone.
    agent = Agent(session)
    session.debugger.backend.install()
    try:
        session.listen()
    except (SocketDirectoryError, OSError) as error:
        sys.stderr.write("nixtide agent: refusing to listen on %s: %s\n" % (socket_path, error))
        sys.stderr.flush()
        os._exit(2)
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, _on_sigterm)
    _prepare_environment()
    install_import_hook({
        "test_driver": agent.patch_package,
        "test_driver.driver": agent.patch_driver_module,
        "test_driver.logger": agent.patch_logger_module,
        "test_driver.machine": agent.patch_machine_module,
        "ptpython.repl": agent.patch_embed,
        "ptpython.ipython": agent.patch_embed,
    })
    _agent = agent
    return agent
