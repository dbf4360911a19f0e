"""Requests served on the main thread while the script is stopped (or idle,
for interactive drivers): the stack, scopes, variables, evaluate, exception
info, and the commands that end a stop (continue, step, restart, terminate).

Frame objects and variable references live here for the length of one stop
and are dropped when the script resumes: a reference from an earlier stop is
answered with an error, never with a stale value.
"""

import os
import sys

from . import completion, inspection
from .resume import remainder
from .errors import RestartRequested, TerminateRequested


class MainThreadRequests:
    def __init__(self, debugger):
        self.debugger = debugger
        self.session = debugger.session
        self.extra = {}  # command -> handler, for driver integration requests
        self.stack = []  # (frame, line), innermost first
        self.refs = {}
        self.error = None
        self.post_mortem = None
        self.remainders = {}  # goto target id -> resume.Remainder, after a failure

    def begin(self, stack, error=None, post_mortem=False):
        self.stack = stack
        self.refs = {}
        self.error = error
        self.post_mortem = error if post_mortem else None
        self.remainders = {}

    def end(self):
        self.stack = []
        self.refs = {}
        self.error = None
        self.post_mortem = None
        self.remainders = {}

    def dispatch(self, request):
        """Serve one request; returns the resuming action, if any."""
        command = request.get("command", "")
        handler = self.extra.get(command)
        if handler is None:
            handler = getattr(self, "_on_" + command.replace("/", "_"), None)
        if handler is None:
            self.session.respond(request, success=False, message="unsupported: " + command)
            return None
        try:
            return handler(request)
        except (RestartRequested, SystemExit):
            raise
        except Exception as error:
            self.session.respond(request, success=False,
                                 message=inspection.describe_exception(error))
            return None

    # ---- frames and references --------------------------------------------------
    def _frame(self, frame_id):
        if frame_id is None:
            return self.stack[0] if self.stack else (None, None)
        index = int(frame_id) - 1
        if not 0 <= index < len(self.stack):
            raise ValueError("unknown frameId %s" % frame_id)
        return self.stack[index]

    def _ref(self, value):
        ref = len(self.refs) + 1
        self.refs[ref] = value
        return ref

    def _on_stackTrace(self, request):
        arguments = request.get("arguments") or {}
        start = int(arguments.get("startFrame") or 0)
        levels = int(arguments.get("levels") or 0)
        frames = [self._describe_frame(index + 1, frame, line)
                  for index, (frame, line) in enumerate(self.stack)]
        shown = frames[start: start + levels] if levels else frames[start:]
        self.session.respond(request, {"stackFrames": shown, "totalFrames": len(frames)})

    def _describe_frame(self, ident, frame, line):
        code = frame.f_code
        name = code.co_name
        filename = code.co_filename
        linemap = self.debugger.linemap
        described = {"id": ident, "column": 1}
        if linemap is not None and linemap.owns(code):
            if name == "<module>":
                name = "testScript"
            source = {"path": linemap.client_path, "name": os.path.basename(linemap.client_path)}
            line = linemap.to_source(line)
        else:
            # The driver's own code: shown so a pause inside `succeed` says
            # where it waits, but marked so a client can fold it away.
            described["presentationHint"] = "subtle"
            if os.path.isabs(filename):
                source = {"path": filename, "name": os.path.basename(filename)}
            else:
                source = {"name": filename, "presentationHint": "deemphasize"}
        described.update(name=name, source=source, line=line or 0)
        return described

    def _on_scopes(self, request):
        frame, _line = self._frame((request.get("arguments") or {}).get("frameId"))
        scopes = []
        if frame is None:
            scopes += self._test_scopes(self.debugger.namespace or {})
        else:
            if frame.f_locals is not frame.f_globals:
                scopes.append(self._scope("Locals", frame.f_locals, "locals"))
            if frame.f_globals is self.debugger.namespace:
                scopes += self._test_scopes(frame.f_globals)
            else:
                scopes.append(self._scope("Globals", frame.f_globals, "globals"))
        self.session.respond(request, {"scopes": scopes})

    def _test_scopes(self, namespace):
        """The script's own names, then what the driver put there for it
        (machines, start_all, subtest…), unless the script rebound them."""
        given = self.debugger.driver_names or {}
        own, driver = {}, {}
        for key, value in namespace.items():
            (driver if key in given and given[key] is value else own)[key] = value
        scopes = [self._scope("Test namespace", own, "globals")]
        if driver:
            scopes.append(self._scope("Driver", driver, "globals"))
        return scopes

    def _scope(self, name, namespace, hint):
        scope = inspection.scope_of(namespace)
        return {"name": name, "presentationHint": hint, "variablesReference": self._ref(scope),
                "namedVariables": len(scope), "expensive": False}

    def _variable(self, name, value):
        expandable = inspection.is_expandable(value)
        return {"name": name, "value": inspection.safe_repr(value), "type": type(value).__name__,
                "variablesReference": self._ref(value) if expandable else 0}

    def _on_variables(self, request):
        ref = int((request.get("arguments") or {}).get("variablesReference") or 0)
        if ref not in self.refs:
            raise ValueError("variablesReference %d is not valid (any more)" % ref)
        children = inspection.children(self.refs[ref])
        self.session.respond(request, {"variables": [self._variable(name, value)
                                                     for name, value in children]})

    def _selected_frame(self, arguments):
        """The request's frame; without one, the test's namespace: the
        innermost script frame, not the driver code it called."""
        if arguments.get("frameId") is not None:
            frame, _line = self._frame(arguments.get("frameId"))
            return frame
        linemap = self.debugger.linemap
        return next((f for f, _l in self.stack if linemap is not None
                     and linemap.owns(f.f_code)), None)

    def _on_evaluate(self, request):
        arguments = request.get("arguments") or {}
        expression = arguments.get("expression") or ""
        context = arguments.get("context") or "repl"
        linemap = self.debugger.linemap
        frame = self._selected_frame(arguments)
        if context == "hover" and not inspection.hover_allowed(expression):
            self.session.respond(request, success=False, message="not evaluated on hover")
            return None
        saved = sys.stdout, sys.stderr
        send = self.session.output
        sys.stdout = inspection.OutputTee(saved[0], "stdout", send)
        sys.stderr = inspection.OutputTee(saved[1], "stderr", send)
        try:
            value, has_value = inspection.evaluate(expression, frame, self.debugger.namespace,
                                                   context)
        except (RestartRequested, SystemExit):
            raise
        except BaseException as error:
            if context == "repl":
                send("stderr", _format(error, linemap))
            self.session.respond(request, success=False,
                                 message=inspection.describe_exception(error))
            return None
        finally:
            sys.stdout, sys.stderr = saved
        if has_value:
            body = self._variable("", value)
            body = {"result": body["value"], "type": body["type"],
                    "variablesReference": body["variablesReference"]}
        else:
            body = {"result": "", "variablesReference": 0}
        self.session.respond(request, body)
        return None

    def _on_completions(self, request):
        """Names for the REPL: `text` up to `column` (1-based) completed
        in the frame asked for, else the innermost script frame, else the
        test's namespace (an idle interactive driver)."""
        arguments = request.get("arguments") or {}
        text = arguments.get("text") or ""
        column = int(arguments.get("column") or len(text) + 1)
        frame = self._selected_frame(arguments)
        namespaces = []
        if frame is not None:
            if frame.f_locals is not frame.f_globals:
                namespaces.append(frame.f_locals)
            namespaces.append(frame.f_globals)
        elif self.debugger.namespace is not None:
            namespaces.append(self.debugger.namespace)
        namespaces.append(completion.builtin_namespace())
        prefix, items = completion.complete(text[:column - 1], namespaces)
        for item in items:
            item["start"] = column - 1 - len(prefix)
            item["length"] = len(prefix)
        self.session.respond(request, {"targets": items})

    def _on_exceptionInfo(self, request):
        error = self.error
        if error is None:
            raise ValueError("not stopped on an exception")
        self.session.respond(request, {
            "exceptionId": type(error).__name__,
            "description": str(error),
            "breakMode": "unhandled" if self.post_mortem is not None else "always",
            "details": {"message": str(error), "typeName": type(error).__name__,
                        "stackTrace": _format(error, self.debugger.linemap)}})

    # ---- set next statement -------------------------------------------------------
    def _jump_frame(self):
        """The frame a jump moves: the innermost, paused on a line of the
        script itself (Python can move only the frame whose line event is
        being handled, and only within its own code)."""
        linemap = self.debugger.linemap
        if not self.stack or linemap is None or not linemap.owns(self.stack[0][0].f_code):
            raise ValueError("the next statement can be set only while paused in the test "
                             "script itself (step out of the driver first)")
        return self.stack[0][0]

    def _on_gotoTargets(self, request):
        arguments = request.get("arguments") or {}
        linemap = self.debugger.linemap
        if linemap is None:
            raise ValueError("no script is running")
        path = (arguments.get("source") or {}).get("path") or linemap.client_path
        if not linemap.is_client_path(path):
            raise ValueError("%s is not the test script" % os.path.basename(path))
        line = int(arguments.get("line") or 0)
        script_line = linemap.to_script(path, line)
        if self.post_mortem is not None:
            return self._failure_targets(request, line, script_line)
        frame = self._jump_frame()
        if script_line is None or script_line not in _own_lines(frame.f_code):
            raise ValueError("line %d holds no statement of the code that is paused" % line)
        client_line = linemap.to_source(script_line)
        self.session.respond(request, {"targets": [{
            "id": script_line, "label": "line %d" % client_line, "line": client_line}]})
        return None

    def _failure_targets(self, request, line, script_line):
        """After a failure the frames are gone: the target is the rest of
        the script from the first statement at or after the line."""
        linemap = self.debugger.linemap
        if script_line is None and not _past_the_end(linemap, line):
            raise ValueError("line %d holds no statement of the script" % line)
        # Past the last statement: nothing more runs, and the script ends.
        rest = remainder(self.debugger.script_text, script_line,
                         self.debugger.backend.compile_script)
        target = rest.line or 0
        self.remainders[target] = rest
        if rest.line is None:
            label, client_line = "the end of the script", line
        else:
            client_line = linemap.to_source(rest.line)
            label = "line %d" % client_line
        self.session.respond(request, {"targets": [{
            "id": target, "label": label, "line": client_line}]})
        return None

    def _goto_after_failure(self, request, target):
        rest = self.remainders.get(target)
        if rest is None:
            raise ValueError("unknown goto target %s" % target)
        self.debugger.resume = rest
        # The stop now shows where the script goes on: the script's own
        # frame at that line (its namespace stays what the REPL sees).
        script = next((frame for frame, _line in self.stack
                       if frame.f_code is self.debugger.script_code), None)
        if script is not None and rest.line is not None:
            self.stack = [(script, rest.line)]
            self.refs = {}
        self.session.respond(request)
        self.session.send_event("stopped", {"reason": "goto", "threadId": 1,
                                            "allThreadsStopped": True})
        return None

    def _on_goto(self, request):
        arguments = request.get("arguments") or {}
        target = int(arguments.get("targetId") or 0)
        if self.post_mortem is not None:
            return self._goto_after_failure(request, target)
        frame = self._jump_frame()
        if target not in _own_lines(frame.f_code):
            raise ValueError("unknown goto target %s" % target)
        # Python checks the jump (not into a block, not out of a finally)
        # and raises ValueError with its reason, answered as the failure.
        frame.f_lineno = target
        self.stack[0] = (frame, frame.f_lineno)
        self.session.respond(request)
        self.session.send_event("stopped", {"reason": "goto", "threadId": 1,
                                            "allThreadsStopped": True})
        return None

    # ---- commands that end the stop ---------------------------------------------
    def _resume(self, request, action):
        if self.post_mortem is not None and action != "continue":
            raise ValueError("the script has failed: continue (to fail, or to go on from the "
                             "line Set Next Statement chose) or restart")
        if self.debugger.state == "idle" and action != "continue":
            raise ValueError("no script is running")
        self.debugger.begin_resume()
        self.session.respond(request, {"allThreadsContinued": True} if action == "continue" else None)
        return action

    def _on_continue(self, request):
        return self._resume(request, "continue")

    def _on_next(self, request):
        return self._resume(request, "next")

    def _on_stepIn(self, request):
        return self._resume(request, "stepIn")

    def _on_stepOut(self, request):
        return self._resume(request, "stepOut")

    def _on_pause(self, request):
        # Already stopped: nothing to do.
        self.session.respond(request)

    def _on_restart(self, request):
        blocked = self.debugger.restart_blocked()
        if blocked and self.post_mortem is None:
            raise ValueError("cannot restart now: " + blocked)
        self.session.respond(request)
        raise RestartRequested(restart_arguments(request))

    def _on_terminate(self, request):
        self.session.respond(request)
        raise TerminateRequested(self.debugger.exit_code)

    def _on_nixtide_internalTerminate(self, _request):
        raise TerminateRequested(self.debugger.exit_code)


def _past_the_end(linemap, line):
    """Whether `line` of the client's file comes after the script's last."""
    span = linemap.source_range()
    if span is not None:
        return line > span[1]
    return bool(linemap.code_lines) and line > max(linemap.code_lines)


def _own_lines(code):
    """Lines of `code` itself, not of functions nested in it."""
    if hasattr(code, "co_lines"):
        return {line for _start, _end, line in code.co_lines() if line}
    import dis
    return {line for _offset, line in dis.findlinestarts(code) if line}


def _format(error, linemap):
    if linemap is None:
        return inspection.format_exception(error)
    return linemap.format_exception(error)


def restart_arguments(request):
    """DAP puts new launch arguments under `arguments.arguments`."""
    arguments = request.get("arguments") or {}
    nested = arguments.get("arguments")
    return nested if isinstance(nested, dict) else arguments
