"""The debugger core: which frames to trace, when to stop, and the command
loop the main thread runs while stopped.

Threads: the script runs on the main thread; DAP requests arrive on the
session's I/O thread. Requests that need the script's frames (stack,
variables, evaluate, stepping) are queued and served by the main thread
while it waits in `_command_loop` (the handlers are in `mainrequests.py`);
pause and breakpoint changes reach a running main thread through a signal
(see `tracing.py`).

Stepping follows debugpy: `next` stops on the next line of the same frame
(or of its caller once it returns); `stepOut` stops in the caller as soon as
the frame returns, on the line of the call, before the rest of that
statement (an assignment of the result, say) runs.
"""

import ast
import os
import queue
import sys
import threading

from . import inspection
from .breakpoints import BreakpointTable, hit_condition_met
from .errors import RestartRequested, TerminateRequested
from .linemap import SCRIPT_FILENAME, LineMap
from .mainrequests import MainThreadRequests, restart_arguments
from .tracing import make_backend

__all__ = ["Debugger", "RestartRequested", "TerminateRequested", "THREAD_ID"]

AGENT_DIR = os.path.dirname(os.path.abspath(__file__))
THREAD_ID = 1


class Debugger:
    def __init__(self, session):
        self.session = session
        self.lock = threading.Lock()
        self.state = "waiting"  # waiting, running, stopped, idle, finished
        self.commands = queue.Queue()
        self.table = BreakpointTable()
        self.exception_filters = {"uncaught"}
        self.linemap = None
        self.script_text = None
        self.script_code = None
        # Where the script goes on after a failure (resume.Remainder),
        # chosen by `goto` at the failure's stop.
        self.resume = None
        self.namespace = None
        # What the driver put in the script's namespace before it ran
        # (name -> value): shown apart from the script's own names.
        self.driver_names = None
        self.no_debug = False
        self.step_mode = None  # over, in, out, pause, entry
        self.step_frame = None
        self.pause_requested = False
        # From the answer that resumes a stop until the step mode it sets
        # is in place: a pause that arrives then is kept for the script
        # that goes on (stop_live), not taken by the signal handler.
        self._resuming = False
        self.terminate_requested = False
        self.restart_requested = None
        self.exit_code = 1
        # Returns why abandoning the script now would break the driver
        # (a command whose answer is unread), or None.
        self.restart_blocker = None
        self._restart_deferred = False
        self._last_raised = None
        self._agent_files = {}
        self._user_files = {}
        self._stdlib = _stdlib_prefixes()
        self.requests = MainThreadRequests(self)
        self.main_handlers = self.requests.extra
        self.backend = make_backend(self)

    # ---- configuration (any thread) -------------------------------------
    def set_script(self, text, filename, source_path=None, line_map=None):
        """Compile the script as the driver would and remap breakpoints;
        `filename` is the script file clients name.

        The code is named `<string>`, as upstream's exec names it: the
        driver's failure report keeps only frames of that name (and prints
        their script line itself), so its log, stdout and JUnit read the
        same with and without nixtide. Nothing goes into linecache under
        that name, or the driver's tracebacks would gain lines they lack
        without nixtide."""
        filename = os.path.realpath(filename)
        self.backend.forget_script()
        try:
            code = self.backend.compile_script(ast.parse(text, SCRIPT_FILENAME, "exec"),
                                               SCRIPT_FILENAME)
        except SyntaxError as error:
            # Nothing ran: the error names the line the user edits, in
            # tracebacks and in the failure the client shows.
            mapped = LineMap(filename, source_path, line_map)
            if error.lineno:
                error.lineno = mapped.to_source(error.lineno)
                error.end_lineno = None
            error.filename = mapped.client_path
            raise
        self.backend.adopt(code)
        linemap = LineMap(filename, source_path, line_map, code)
        with self.lock:
            self.linemap = linemap
            self.script_text = text
            self.resume = None
            self.table.resolve(linemap)
        self.breakpoints_changed(announce=True)
        return code

    def script_position(self, frame=None):
        """(client path, client line) of the innermost frame of this thread
        that runs the test script (its functions too), or None when the
        script is not on the stack: a log step begun there names the line
        that began it."""
        linemap = self.linemap
        if linemap is None:
            return None
        frame = frame if frame is not None else sys._getframe(1)
        while frame is not None:
            if linemap.owns(frame.f_code):
                return linemap.client_path, linemap.to_source(frame.f_lineno)
            frame = frame.f_back
        return None

    def client_text(self, text):
        """Driver text naming script frames (`File "<string>", line N`),
        renamed to the client's file and line."""
        linemap = self.linemap
        return linemap.rename_frames(text) if linemap is not None else text

    def failure_position(self, error):
        """{"path", "line"} in the client's file where `error` ended the
        script: a syntax error's own line, else the innermost script frame
        of its traceback; {} when the script is not involved."""
        linemap = self.linemap
        if isinstance(error, SyntaxError) and error.lineno and error.filename \
                and not error.filename.startswith("<"):
            return {"path": error.filename, "line": error.lineno}
        if linemap is None:
            return {}
        position = {}
        tb = error.__traceback__
        while tb is not None:
            if linemap.owns(tb.tb_frame.f_code):
                position = {"path": linemap.client_path, "line": linemap.to_source(tb.tb_lineno)}
            tb = tb.tb_next
        return position

    def set_breakpoints(self, client_path, specs):
        with self.lock:
            breakpoints = self.table.set(client_path, specs, self.linemap)
        self.breakpoints_changed()
        return [self.describe_breakpoint(bp) for bp in breakpoints]

    def describe_breakpoint(self, bp):
        body = {"id": bp.id, "verified": bp.verified}
        if bp.verified:
            if self.linemap is not None and bp.filename == self.linemap.script_path:
                body["line"] = self.linemap.to_source(bp.line)
            else:
                body["line"] = bp.line
        else:
            body["line"] = bp.client_line
            body["message"] = bp.message
        return body

    def set_exception_filters(self, filters):
        with self.lock:
            self.exception_filters = set(filters)
        self.breakpoints_changed()

    def breakpoints_changed(self, announce=False):
        self.backend.invalidate()
        if announce:
            for bp in list(self.table.all()):
                self.session.send_event("breakpoint", {
                    "reason": "changed", "breakpoint": self.describe_breakpoint(bp)})
        if self.state == "running":
            self.backend.request_retrace()

    def script_breakpoint_lines(self):
        """The script lines that hold breakpoints, or None when some
        breakpoint is in another file."""
        by_file = self.table.by_file
        linemap = self.linemap
        if not by_file:
            return set()
        if linemap is None or set(by_file) != {linemap.script_path}:
            return None
        return set(by_file[linemap.script_path])

    def needs_tracing(self):
        return not self.no_debug and (bool(self.table.by_file) or self.step_mode is not None
                                      or "raised" in self.exception_filters)

    # ---- classification used by the tracing backends --------------------
    def is_agent_file(self, filename):
        flag = self._agent_files.get(filename)
        if flag is None:
            flag = os.path.abspath(filename).startswith(AGENT_DIR + os.sep)
            self._agent_files[filename] = flag
        return flag

    def is_script_code(self, code):
        linemap = self.linemap
        return linemap is not None and linemap.owns(code)

    def is_user_code(self, code):
        """Code stepping may enter: the script and non-stdlib Python files."""
        if self.is_script_code(code):
            return True
        filename = code.co_filename
        flag = self._user_files.get(filename)
        if flag is None:
            flag = not self.is_agent_file(filename) and not filename.startswith("<") and \
                not any(filename.startswith(prefix) for prefix in self._stdlib)
            self._user_files[filename] = flag
        return flag

    def breakpoint_lines(self, code):
        """{line: Breakpoint} of the file `code` comes from, or None."""
        if self.is_script_code(code):
            return self.table.by_file.get(self.linemap.script_path)
        return self.table.by_file.get(_file_key(code.co_filename))

    def code_has_breakpoint(self, code):
        if self.is_agent_file(code.co_filename):
            return False
        if "raised" in self.exception_filters and self.is_script_code(code):
            return True
        lines = self.breakpoint_lines(code)
        if not lines:
            return False
        # Breakpoints always sit on a line that holds code, so a code object
        # is traced only if one of its own lines (not a nested function's)
        # has one.
        return any(line in lines for line in _own_lines(code))

    # ---- events from the tracing backend (main thread) -------------------
    def on_line(self, frame):
        mode = self.step_mode
        if mode is not None:
            if mode in ("in", "pause", "entry"):
                if self.is_user_code(frame.f_code) and (mode != "entry" or frame.f_code is self.script_code):
                    self.stop_live(frame, {"in": "step", "pause": "pause", "entry": "entry"}[mode])
                    return
            elif mode == "over" and frame is self.step_frame:
                self.stop_live(frame, "step")
                return
        lines = self.breakpoint_lines(frame.f_code)
        if lines:
            bp = lines.get(frame.f_lineno)
            if bp is not None and self._should_break(bp, frame):
                self.stop_live(frame, "breakpoint", hit_ids=[bp.id])

    def on_return(self, frame):
        mode = self.step_mode
        if mode in ("over", "out") and frame is self.step_frame:
            caller = frame.f_back
            if caller is not None and self.is_agent_file(caller.f_code.co_filename):
                caller = None
            if caller is None:
                self.step_mode = None
                self.step_frame = None
            elif mode == "out":
                self.stop_live(caller, "step")
            else:
                self.step_mode = "over"
                self.step_frame = caller
                self.backend.trace_frame(caller)

    def on_raise(self, frame, error):
        if "raised" not in self.exception_filters or error is self._last_raised:
            return
        if not self.is_user_code(frame.f_code):
            return
        self._last_raised = error
        self.stop_live(frame, "exception", description=inspection.describe_exception(error),
                       error=error)

    def on_signal(self, frame):
        """Main thread, from the signal handler: pause, terminate, retrace."""
        if self.terminate_requested and self.state in ("running", "stopped", "idle", "finished"):
            raise TerminateRequested(self.exit_code)
        if self.restart_requested is not None and self.state == "running":
            blocked = self.restart_blocked()
            if blocked:
                # Abandoning the call now would leave its answer unread:
                # restart as soon as it returns (restart_unblocked).
                if not self._restart_deferred:
                    self._restart_deferred = True
                    self.session.output("console", "nixtide: the restart waits: %s\n" % blocked)
            else:
                self._restart_deferred = False
                launch_args, self.restart_requested = self.restart_requested, None
                raise RestartRequested(launch_args)
        if self.pause_requested and self.state == "running" and not self._resuming:
            top = frame
            if top is not None and not self.is_agent_file(top.f_code.co_filename):
                self.stop_live(top, "pause")
                return
            # In the agent's own code: the next script line pauses. The
            # request stays until a stop takes it, so that the rest of the
            # script after a failure (execute with go_on), about to start
            # here, takes it over.
            self.step_mode = "pause"
        if self.state == "running":
            self.backend.retrace(frame)

    def restart_blocked(self):
        return self.restart_blocker() if self.restart_blocker is not None else None

    def restart_unblocked(self):
        """Main thread, when the last driver call in flight has returned."""
        if self.restart_requested is not None and self.state == "running":
            self.backend.interrupt()

    def _should_break(self, bp, frame):
        if bp.condition:
            try:
                if not eval(bp.condition, frame.f_globals, frame.f_locals):
                    return False
            except Exception as error:
                self.session.output("console", "breakpoint condition %r failed: %s\n" % (
                    bp.condition, inspection.describe_exception(error)))
                return True
        bp.hits += 1
        if bp.hit_condition and not hit_condition_met(bp.hit_condition, bp.hits):
            return False
        if bp.log_message:
            self.session.output("console", _interpolate(bp.log_message, frame) + "\n")
            return False
        return True

    # ---- stopping ---------------------------------------------------------
    def stop_live(self, frame, reason, hit_ids=None, description=None, error=None):
        stack = []
        current = frame
        while current is not None:
            if not self.is_agent_file(current.f_code.co_filename):
                stack.append((current, current.f_lineno))
            if current.f_code is self.script_code:
                break
            current = current.f_back
        try:
            action = self.stop(stack, reason, hit_ids=hit_ids, description=description,
                               error=error)
        except BaseException:
            # A restart or terminate: nothing goes on to pause.
            self._end_resume(keep_pause=False)
            raise
        top = stack[0][0] if stack else frame
        self.step_frame = None
        if action == "next":
            self.step_mode, self.step_frame = "over", top
        elif action == "stepIn":
            self.step_mode = "in"
        elif action == "stepOut":
            self.step_mode, self.step_frame = "out", top
        else:
            self.step_mode = None
        if self._end_resume(keep_pause=False):
            self.step_mode = "pause"
        self.backend.retrace(frame)

    def stop(self, stack, reason, hit_ids=None, description=None, error=None, post_mortem=False):
        """Report a stop and serve requests until one resumes the script.
        Returns the resuming command; restart/terminate raise."""
        with self.lock:
            self.state = "stopped"
            # This stop is what a pause still on its way asked for.
            self.pause_requested = False
            self.requests.begin(stack, error, post_mortem)
        body = {"reason": reason, "threadId": THREAD_ID, "allThreadsStopped": True}
        if description:
            body["description"] = description
            body["text"] = description
        if hit_ids:
            body["hitBreakpointIds"] = hit_ids
        self.session.send_event("stopped", body)
        try:
            action = self._command_loop()
        finally:
            with self.lock:
                self.requests.end()
                self.state = "running"
                late = self._take_queued()
            self._serve_late(late)
        self.session.send_event("continued", {"threadId": THREAD_ID, "allThreadsContinued": True})
        return action

    def idle(self, namespace, announce=None):
        """Serve requests (REPL, restart, terminate) with no script running;
        used by interactive drivers once a run has ended. `announce` runs
        once the main thread listens, so a client reacting to it is served."""
        with self.lock:
            self.state = "idle"
            self.namespace = namespace
        if announce is not None:
            announce()
        try:
            return self._command_loop()
        finally:
            with self.lock:
                self.state = "running"
                late = self._take_queued()
            try:
                self._serve_late(late)
            finally:
                self._end_resume(keep_pause=False)  # no script goes on

    def begin_resume(self):
        """Main thread, before answering the request that ends a stop."""
        with self.lock:
            self._resuming = True

    def _end_resume(self, keep_pause):
        """Main thread, once a stop has ended: whether a pause arrived
        behind the request that ended it. It is kept (for the rest of the
        script a goto chose after a failure) or dropped."""
        with self.lock:
            self._resuming = False
            paused = self.pause_requested
            if not keep_pause:
                self.pause_requested = False
        return paused

    def _take_queued(self):
        """Under the lock, as the stop ends: the requests queued after the
        one that ended it."""
        late = []
        while True:
            try:
                late.append(self.commands.get_nowait())
            except queue.Empty:
                return late

    def _serve_late(self, late):
        """A request that arrived between the answer that ended a stop and
        the end of the stop (a client sends `continue`, then at once a
        machine action) was queued for a command loop that no longer
        reads: it is handled as one arriving while the script runs, or it
        would wait for the next stop, which may never come."""
        for request in late:
            if request.get("type") == "request":
                self.session.dispatch(request)
            elif self.terminate_requested:
                self.backend.interrupt()

    def _command_loop(self):
        while True:
            try:
                request = self.commands.get(timeout=0.25)
            except queue.Empty:
                if self.terminate_requested:
                    raise TerminateRequested(self.exit_code)
                continue
            action = self.requests.dispatch(request)
            if action:
                return action

    def submit(self, request):
        """I/O thread: hand a request to the main thread if it is listening.
        Returns False when the script is running (caller answers)."""
        with self.lock:
            if self.state not in ("stopped", "idle"):
                return False
            self.commands.put(request)
            return True

    # ---- control from the I/O thread ----------------------------------------
    def request_pause(self):
        with self.lock:
            if self._resuming:
                self.pause_requested = True
                return True
            if self.state != "running":
                return False
            self.pause_requested = True
        self.backend.interrupt()
        return True

    def request_restart(self, request, answer):
        """`answer` runs before the interrupt: served late on the main
        thread, the interrupt raises the restart there at once."""
        launch_args = restart_arguments(request)
        with self.lock:
            if self.state != "running":
                return False
            self.restart_requested = launch_args
        answer()
        self.backend.interrupt()
        return True

    def detach(self):
        """The client leaves without ending the test: run on untraced."""
        with self.lock:
            self.table = BreakpointTable()
            self.exception_filters = set()
            self.no_debug = True
            state = self.state
        self.breakpoints_changed()
        if state == "stopped":
            self.commands.put({"command": "continue"})

    def execute(self, code, namespace, stop_on_entry=False, go_on=False):
        """Main thread: run one compiled script under the debugger; go_on:
        it is the rest of the script after a failure, which a pause sent
        with the continue stops at once."""
        self.script_code = code
        self.namespace = namespace
        self.step_mode = "entry" if stop_on_entry and not self.no_debug else None
        with self.lock:
            self.state = "running"
            paused = go_on and self.pause_requested
            self.pause_requested = False
        if paused and not self.no_debug:
            self.step_mode = "pause"
        if self.terminate_requested:
            raise TerminateRequested(self.exit_code)
        self.backend.prepare(namespace)
        self.backend.retrace(sys._getframe())
        try:
            exec(code, namespace)
        finally:
            self.backend.stop_tracing()
            self.step_mode = None
            self.step_frame = None
            with self.lock:
                if self.state == "running":
                    self.state = "finished"

    def post_mortem(self, error):
        """Main thread: stop on an uncaught exception with the traceback's
        frames. Returns "continue" (let it fail, or go on with `resume` when
        a goto chose where); restart/terminate raise."""
        self.resume = None
        stack = []
        tb = error.__traceback__
        while tb is not None:
            if not self.is_agent_file(tb.tb_frame.f_code.co_filename):
                stack.append((tb.tb_frame, tb.tb_lineno))
            tb = tb.tb_next
        stack.reverse()
        try:
            return self.stop(stack, "exception", description=inspection.describe_exception(error),
                             error=error, post_mortem=True)
        finally:
            # A pause behind the continue pauses the rest a goto chose
            # (execute with go_on); with no rest nothing runs on to pause.
            self._end_resume(keep_pause=self.resume is not None)

    def take_resume(self):
        """The rest of the script a goto chose at the last failure, adopted
        as script code, or None."""
        remainder, self.resume = self.resume, None
        if remainder is not None:
            self.linemap.adopt(remainder.code)
            self.backend.adopt(remainder.code)
            self.breakpoints_changed()
        return remainder

    def request_terminate(self):
        self.terminate_requested = True
        with self.lock:
            state = self.state
        if state in ("running", "finished"):
            self.backend.interrupt()
        elif state in ("stopped", "idle"):
            self.commands.put({"command": "nixtide/internalTerminate"})


def _interpolate(message, frame):
    out, rest = [], message
    while "{" in rest and "}" in rest:
        before, _, tail = rest.partition("{")
        expression, _, rest = tail.partition("}")
        try:
            value = str(eval(expression, frame.f_globals, frame.f_locals))
        except Exception as error:
            value = "<%s>" % inspection.describe_exception(error)
        out.append(before + value)
    out.append(rest)
    return "".join(out)


_FILE_KEYS = {}


def _file_key(filename):
    key = _FILE_KEYS.get(filename)
    if key is None:
        key = os.path.realpath(filename) if not filename.startswith("<") else filename
        _FILE_KEYS[filename] = key
    return key


_OWN_LINES = {}


def _own_lines(code):
    lines = _OWN_LINES.get(code)
    if lines is None:
        if hasattr(code, "co_lines"):
            lines = [line for _s, _e, line in code.co_lines() if line]
        else:
            import dis
            lines = [line for _o, line in dis.findlinestarts(code) if line]
        _OWN_LINES[code] = lines
    return lines


def _stdlib_prefixes():
    import sysconfig
    prefixes = set()
    for key in ("stdlib", "platstdlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            prefixes.add(os.path.realpath(path) + os.sep)
            prefixes.add(path + os.sep)
    # site-packages live under stdlib on Debian; they are not "the stdlib".
    return tuple(sorted(prefixes))
