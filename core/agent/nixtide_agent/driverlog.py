"""A logger the driver's CompositeLogger forwards to: turns nested log
steps, messages, serial lines into `nixtide/...` DAP events. A step or
message begun by the test script carries the script's `path` and `line`
(the .nix line when mapped), so the IDE can jump from the log to it."""

import itertools
import sys
import threading
import time
from contextlib import contextmanager

from .serialtap import SerialStreams

_ids = itertools.count(1)


class DapLogger:
    def __init__(self, session, on_serial=None, locate=None, serial=None, rename=None):
        self._session = session
        # Sends serial lines of machines whose byte stream is not tapped.
        self._serial = serial if serial is not None else SerialStreams(session)
        self._local = threading.local()
        self._on_serial = on_serial
        # frame -> (path, line) of the script frame on its stack, or None.
        self._locate = locate
        # text -> text naming the script's traceback frames by the client's
        # file and line (the driver's failure report names `<string>`).
        self._rename = rename

    def _where(self, body):
        if self._locate is not None:
            try:
                position = self._locate(sys._getframe(1))
            except Exception:
                position = None
            if position is not None:
                body["path"], body["line"] = position
        return body

    def _stack(self):
        stack = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    def _message(self, level, args, kwargs):
        if len(args) >= 2 and isinstance(args[1], dict):
            message, attributes = args[0], args[1]
        else:
            message = " ".join(str(arg) for arg in args)
            attributes = kwargs.get("attributes") or {}
        self.log(message, attributes, level)

    def log(self, message, attributes=None, level="info"):
        attributes = dict(attributes or {})
        stack = self._stack()
        message = str(message)
        if self._rename is not None:
            message = self._rename(message)
        self._session.send_event("nixtide/log", self._where({
            "message": message, "machine": attributes.get("machine"), "level": level,
            "parentId": stack[-1] if stack else None, "attributes": _plain(attributes),
            "time": time.time()}))

    @contextmanager
    def nested(self, message, attributes=None, kind="nested"):
        attributes = dict(attributes or {})
        stack = self._stack()
        ident = next(_ids)
        start = time.monotonic()
        self._session.send_event("nixtide/logBegin", self._where({
            "id": ident, "parentId": stack[-1] if stack else None, "message": str(message),
            "machine": attributes.get("machine"), "attributes": _plain(attributes),
            "kind": kind, "time": time.time()}))
        stack.append(ident)
        failed = False
        try:
            yield
        except BaseException:
            failed = True
            raise
        finally:
            stack.pop()
            self._session.send_event("nixtide/logEnd", {
                "id": ident, "durationSeconds": round(time.monotonic() - start, 6),
                "failed": failed})

    def ocr(self, body):
        """One OCR attempt (see ocr.py), under the step open on this thread."""
        stack = self._stack()
        body = dict(body, parentId=stack[-1] if stack else None, time=time.time())
        self._session.send_event("nixtide/ocr", self._where(body))

    def subtest(self, name, attributes=None):
        return self.nested(name, attributes, kind="subtest")

    def debug(self, *args, **kwargs):
        self._message("debug", args, kwargs)

    def info(self, *args, **kwargs):
        self._message("info", args, kwargs)

    def warning(self, *args, **kwargs):
        self._message("warning", args, kwargs)

    def error(self, *args, **kwargs):
        self._message("error", args, kwargs)

    def log_test_error(self, *args, **kwargs):
        self._message("error", args, kwargs)

    def log_serial(self, message, machine):
        if self._on_serial is not None:
            self._on_serial(machine, message)
        self._serial.send_line(machine, message)

    def print_serial_logs(self, enable):
        pass

    def set_log_level(self, level):
        pass

    def close(self):
        pass


def _plain(attributes):
    return {str(key): str(value) for key, value in attributes.items()}


def wrap_rootlog(rootlog, dap_logger):
    """Older drivers (nixos-22.11 to 23.05) have one module-level `rootlog`
    and no `add_logger`: its methods are replaced on the instance to report
    to `dap_logger` too. Its own methods call one another (`info` calls
    `self.log`, `nested` logs its head and its timing): only the outermost
    call is reported, so each message arrives once."""
    quiet = threading.local()

    @contextmanager
    def silenced():
        depth = getattr(quiet, "depth", 0)
        quiet.depth = depth + 1
        try:
            yield
        finally:
            quiet.depth = depth

    for name in ("log", "log_serial", "info", "warning", "error", "log_test_error"):
        original = getattr(rootlog, name, None)
        if original is None:
            continue

        def forward(*args, _original=original, _name=name, **kwargs):
            if not getattr(quiet, "depth", 0):
                try:
                    getattr(dap_logger, _name)(*args, **kwargs)
                except Exception:
                    pass
            with silenced():
                return _original(*args, **kwargs)
        setattr(rootlog, name, forward)
    for name in ("nested", "subtest"):
        original = getattr(rootlog, name, None)
        if original is None:
            continue

        @contextmanager
        def both(message, attributes=None, _original=original, _name=name):
            with getattr(dap_logger, _name)(message, attributes or {}):
                context = _original(message, attributes or {})
                with silenced():
                    context.__enter__()
                try:
                    yield
                except BaseException:
                    with silenced():
                        if not context.__exit__(*sys.exc_info()):
                            raise
                else:
                    with silenced():
                        context.__exit__(None, None, None)
        setattr(rootlog, name, both)
