"""How the debugger sees the script run: tracing backends and the signal
that reaches a busy main thread.

Cost model (design.md "Tracing cost"): only code objects whose line range
holds a breakpoint get line events; other frames run untraced. With
`sys.settrace` (Python < 3.12) a set trace function slows every frame, so
while all breakpoints are on script lines a guard can stand for, none is
set (`lineguards.py`); otherwise every function call costs one call of the
global trace function, which answers from a per-code-object cache. With
`sys.monitoring` (3.12+) uninteresting code objects are switched off after
their first call and run at full speed.

Pause: `signal.pthread_kill` sends a signal to the main thread. It interrupts
a blocking system call (socket read, sleep, waitpid) and CPython runs the
Python-level handler on the main thread with the interrupted frame, where the
debugger stops; the interrupted call is retried afterwards (PEP 475).
"""

import os
import signal
import sys
import threading

from . import lineguards

SIGNAL = getattr(signal, "SIGRTMIN", None)
SIGNAL = SIGNAL + 3 if SIGNAL is not None else signal.SIGUSR2


class _Backend:
    def __init__(self, debugger):
        self.debugger = debugger
        self._main_ident = None
        self._previous_handler = None
        # code object -> holds a breakpoint line; cleared when breakpoints change
        self._interesting = {}

    def install(self):
        """Main thread: take the signal used for pause/terminate/retrace."""
        self._main_ident = threading.get_ident()
        self._previous_handler = signal.signal(SIGNAL, self._on_signal)

    def interrupt(self):
        if self._main_ident is not None:
            signal.pthread_kill(self._main_ident, SIGNAL)

    def request_retrace(self):
        self.interrupt()

    def invalidate(self):
        self._interesting = {}

    def _classify(self, code):
        flag = self._interesting.get(code)
        if flag is None:
            flag = self.debugger.code_has_breakpoint(code)
            self._interesting[code] = flag
        return flag

    def _on_signal(self, _signum, frame):
        self.debugger.on_signal(frame)

    def compile_script(self, tree, filename):
        """Compile the parsed script (or what is left of it) as it will run."""
        return compile(tree, filename, "exec")

    def adopt(self, code):
        """`code` (compiled by compile_script) is the script from now on."""

    def forget_script(self):
        """A new script text is about to be compiled."""

    def prepare(self, namespace):
        """Main thread: the script is about to run in `namespace`."""


class SettraceBackend(_Backend):
    name = "settrace"

    def __init__(self, debugger):
        _Backend.__init__(self, debugger)
        self.guards = lineguards.Guards(self._hit) if lineguards.SUPPORTED and \
            os.environ.get("NIXTIDE_AGENT_GUARDS") != "0" else None
        # The frame whose guard set the trace function for its next line event.
        self._woken = None

    def compile_script(self, tree, filename):
        if self.guards is not None:
            tree = lineguards.instrument(tree)
        return _Backend.compile_script(self, tree, filename)

    def adopt(self, code):
        if self.guards is not None:
            self.guards.adopt(code)

    def forget_script(self):
        if self.guards is not None:
            self.guards.forget()

    def prepare(self, namespace):
        self._woken = None
        if self.guards is not None:
            self.guards.prepare(namespace)

    def _hit(self):
        """An armed guard: trace the frame from its statement's line event on."""
        debugger = self.debugger
        # Not while the trace function itself runs (a breakpoint condition
        # calling a script function), nor on the script's other threads.
        if threading.get_ident() != self._main_ident or debugger.state != "running" \
                or sys.gettrace() == self._call:
            return
        frame = sys._getframe(1)
        frame.f_trace = self._local
        self._woken = frame
        sys.settrace(self._call)

    def _call(self, frame, event, _arg):
        debugger = self.debugger
        mode = debugger.step_mode
        if mode is not None and mode in ("in", "pause", "entry") \
                and not debugger.is_agent_file(frame.f_code.co_filename):
            return self._local
        flag = self._interesting.get(frame.f_code)
        if flag is None:
            flag = self._classify(frame.f_code)
        return self._local if flag else None

    def _local(self, frame, event, arg):
        if event == "line":
            if self.guards is not None and self.guards.is_guard(frame.f_code, frame.f_lasti):
                return self._local
            woken = self._woken is frame
            if woken:
                self._woken = None
            self.debugger.on_line(frame)
            if woken and self.debugger.state == "running":
                self.retrace(frame)  # back to guards, unless a step goes on
        elif event == "return":
            self.debugger.on_return(frame)
        elif event == "exception":
            self.debugger.on_raise(frame, arg[1])
        return self._local

    def trace_frame(self, frame):
        frame.f_trace = self._local

    def retrace(self, frame):
        """Main thread: switch tracing on or off to match the debugger state
        and make already-running frames that need it report lines."""
        debugger = self.debugger
        if not debugger.needs_tracing():
            self.stop_tracing()
            return
        # A woken guard's line event is still to come (a signal handled right
        # after the hit, say): it needs the trace function.
        if self._woken is None and self._guards_serve():
            sys.settrace(None)
            return
        if self.guards is not None:
            self.guards.arm(())
        sys.settrace(self._call)
        stepping = debugger.step_mode is not None
        current = frame
        while current is not None:
            code = current.f_code
            if not debugger.is_agent_file(code.co_filename) and (stepping or self._classify(code)):
                current.f_trace = self._local
            current = current.f_back

    def _guards_serve(self):
        """Arm the guards if they can stand for every breakpoint (and
        nothing else needs tracing); otherwise disarm them all."""
        guards = self.guards
        if guards is None:
            return False
        debugger = self.debugger
        lines = debugger.script_breakpoint_lines()
        if lines is None or debugger.step_mode is not None or debugger.pause_requested \
                or "raised" in debugger.exception_filters:
            guards.arm(())
            return False
        return guards.serve(lines)

    def stop_tracing(self):
        if self.guards is not None:
            self.guards.arm(())
        self._woken = None
        sys.settrace(None)


class MonitoringBackend(_Backend):
    """sys.monitoring (PEP 669, Python 3.12+). Events are process-wide, so
    callbacks ignore threads other than the main one. Code objects that
    hold no breakpoint answer their first PY_START with DISABLE and then run
    uninstrumented; `restart_events()` re-arms them whenever breakpoints or
    stepping change."""

    name = "monitoring"

    def __init__(self, debugger):
        _Backend.__init__(self, debugger)
        monitoring = sys.monitoring
        self._m = monitoring
        self._events = monitoring.events
        self._tool = monitoring.DEBUGGER_ID
        self._local_codes = set()
        monitoring.use_tool_id(self._tool, "nixtide")
        register = monitoring.register_callback
        register(self._tool, self._events.PY_START, self._on_start)
        register(self._tool, self._events.LINE, self._on_line)
        register(self._tool, self._events.PY_RETURN, self._on_return)
        register(self._tool, self._events.RAISE, self._on_raise)

    def _instrument(self, code):
        if code not in self._local_codes:
            self._local_codes.add(code)
            self._m.set_local_events(self._tool, code,
                                     self._events.LINE | self._events.PY_RETURN)

    def _on_start(self, code, _offset):
        if threading.get_ident() != self._main_ident:
            return None
        if self._classify(code):
            self._instrument(code)
            return None
        if self.debugger.step_mode is not None:
            return None
        return self._m.DISABLE

    def _on_line(self, code, _line):
        if threading.get_ident() != self._main_ident:
            return None
        self.debugger.on_line(sys._getframe(1))
        return None

    def _on_return(self, code, _offset, _value):
        if threading.get_ident() != self._main_ident:
            return None
        self.debugger.on_return(sys._getframe(1))
        return None

    def _on_raise(self, code, _offset, error):
        if threading.get_ident() != self._main_ident:
            return None
        self.debugger.on_raise(sys._getframe(1), error)
        return None

    def trace_frame(self, frame):
        self._instrument(frame.f_code)

    def retrace(self, frame):
        debugger = self.debugger
        events = self._events
        for code in self._local_codes:
            self._m.set_local_events(self._tool, code, 0)
        self._local_codes = set()
        if not debugger.needs_tracing():
            self._m.set_events(self._tool, 0)
            return
        wanted = events.PY_START
        if "raised" in debugger.exception_filters:
            wanted |= events.RAISE
        mode = debugger.step_mode
        if mode in ("in", "pause", "entry"):
            wanted |= events.LINE | events.PY_RETURN
        self._m.set_events(self._tool, wanted)
        current = frame
        while current is not None:
            code = current.f_code
            if not debugger.is_agent_file(code.co_filename) and (mode is not None or self._classify(code)):
                self._instrument(code)
            current = current.f_back
        self._m.restart_events()

    def stop_tracing(self):
        for code in self._local_codes:
            self._m.set_local_events(self._tool, code, 0)
        self._local_codes = set()
        self._m.set_events(self._tool, 0)


def make_backend(debugger):
    if sys.version_info >= (3, 12) and os.environ.get("NIXTIDE_AGENT_TRACER") != "settrace":
        try:
            return MonitoringBackend(debugger)
        except (ValueError, AttributeError):  # another tool holds the debugger slot
            pass
    return SettraceBackend(debugger)
