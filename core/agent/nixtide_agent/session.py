"""The DAP session: one client on a unix socket, served by an I/O thread.

Requests that only touch configuration are answered here; requests that
need the script's frames go to the main thread through the debugger's
command queue. Custom requests (`nixtide/...`) are registered by the driver
integration in `extensions`.
"""

import json
import os
import socket
import stat
import struct
import sys
import threading

from .debugger import Debugger
from .protocol import FrameReader, Writer


def _load_capabilities():
    # One source for the agent's answer to `initialize` and for the debug
    # adapter, which must answer before the agent runs (core/cli).
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "capabilities.json")
    with open(path) as handle:
        return json.load(handle)


CAPABILITIES = _load_capabilities()

_MAIN_THREAD_REQUESTS = ("stackTrace", "scopes", "variables", "evaluate", "exceptionInfo",
                         "next", "stepIn", "stepOut", "gotoTargets", "goto", "completions")


class SocketDirectoryError(Exception):
    pass


def check_socket_directory(path):
    directory = os.path.dirname(os.path.abspath(path))
    try:
        info = os.stat(directory)
    except OSError as error:
        raise SocketDirectoryError("cannot stat %s: %s" % (directory, error))
    if not stat.S_ISDIR(info.st_mode):
        raise SocketDirectoryError("%s is not a directory" % directory)
    if info.st_uid != os.getuid():
        raise SocketDirectoryError("%s is owned by uid %d, not by us (uid %d)" % (
            directory, info.st_uid, os.getuid()))
    if stat.S_IMODE(info.st_mode) & 0o077:
        raise SocketDirectoryError("%s has mode %o; it must be 0700 so no other user can "
                                   "reach the debugger" % (directory, stat.S_IMODE(info.st_mode)))


def peer_uid(connection):
    """The uid of the process at the other end of a unix socket, or None."""
    try:
        creds = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                      struct.calcsize("3i"))
    except OSError:
        return None
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid


class Session:
    def __init__(self, socket_path):
        self.socket_path = socket_path
        self.debugger = Debugger(self)
        self.writer = None
        self.launch_args = {}
        self.launched = threading.Event()
        self.configured = threading.Event()
        self.client_gone = threading.Event()
        self.detached = False
        self.extensions = {}
        self.launch_hooks = []
        self._initialized = False
        self._pending = []
        self._pending_lock = threading.Lock()
        self._finished = False
        self._listener = None

    # ---- transport ----------------------------------------------------------
    def listen(self):
        check_socket_directory(self.socket_path)
        # Bound and listening under another name, then renamed: nixtide
        # connects when the socket's name appears (a directory watch), so
        # the name must never stand for a socket that refuses.
        # (A name too long for sun_path with the suffix is bound as it is.)
        binding = self.socket_path + ".new"
        if len(os.fsencode(binding)) >= 108:
            binding = self.socket_path
        for path in {self.socket_path, binding}:
            try:
                if stat.S_ISSOCK(os.lstat(path).st_mode):
                    os.unlink(path)
            except FileNotFoundError:
                pass
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(binding)
        os.chmod(binding, 0o600)
        listener.listen(1)
        if binding != self.socket_path:
            os.rename(binding, self.socket_path)
        self._listener = listener
        thread = threading.Thread(target=self._serve, name="nixtide-agent-dap", daemon=True)
        thread.start()

    def _accept(self):
        """The first connection from our own user; others are closed unheard.

        The socket's directory (0700) already keeps other users out; the
        peer's uid is checked as well because whoever connects can run code
        in the driver, and a directory's mode is easy to loosen by mistake.
        """
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return None
            uid = peer_uid(connection)
            if uid == os.getuid():
                return connection
            self._complain("refused a connection from uid %s: only uid %d may debug this driver"
                           % (uid, os.getuid()))
            connection.close()

    def _serve(self):
        connection = self._accept()
        if connection is None:
            return
        self._listener.close()
        try:
            os.unlink(self.socket_path)
        except OSError:
            pass
        self.writer = Writer(connection)
        reader = FrameReader()
        while True:
            try:
                data = connection.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            for kind, item in reader.feed(data):
                if kind == "message":
                    self.dispatch(item)
                elif kind == "junk":
                    self._complain("ignored %d bytes outside a DAP frame: %r" % (len(item), item[:80]))
                else:
                    self._complain(item)
        self.writer.closed = True
        self.client_gone.set()
        if not self.detached:
            self.debugger.request_terminate()

    def _complain(self, text):
        sys.stderr.write("nixtide agent: %s\n" % text)
        self.output("console", "nixtide agent: %s\n" % text)

    # ---- sending ------------------------------------------------------------
    def send_event(self, event, body=None):
        message = {"type": "event", "event": event, "body": body or {}}
        with self._pending_lock:
            if not self._initialized:
                if len(self._pending) < 20000:
                    self._pending.append(message)
                return
        if self.writer is not None:
            self.writer.send(message)

    def respond(self, request, body=None, success=True, message=None):
        response = {"type": "response", "request_seq": request.get("seq", 0),
                    "command": request.get("command", ""), "success": bool(success)}
        if body is not None:
            response["body"] = body
        if message is not None:
            response["message"] = message
        if self.writer is not None and "seq" in request:
            self.writer.send(response)

    def output(self, category, text):
        self.send_event("output", {"category": category, "output": text})

    def finish(self, exit_code):
        """The debuggee is ending: tell the client, once."""
        if self._finished:
            return
        self._finished = True
        self.debugger.state = "exiting"
        self.send_event("exited", {"exitCode": int(exit_code)})
        self.send_event("terminated", {})

    # ---- waiting (main thread) -----------------------------------------------
    def wait_configured(self):
        while not self.configured.wait(0.25):
            if self.debugger.terminate_requested:
                from .errors import TerminateRequested
                raise TerminateRequested(1)
        return self.launch_args

    # ---- requests (I/O thread) -------------------------------------------------
    def dispatch(self, request):
        """Also called by the main thread for a request that came too late
        for the stop it was queued in (Debugger._serve_late)."""
        if request.get("type") != "request":
            return
        command = request.get("command", "")
        handler = self.extensions.get(command)
        if handler is None:
            handler = getattr(self, "_on_" + command, None)
        if handler is None and command in _MAIN_THREAD_REQUESTS:
            handler = self._on_main_thread
        if handler is None:
            self.respond(request, success=False, message="unsupported request: %s" % command)
            return
        try:
            handler(request)
        except Exception as error:
            self.respond(request, success=False, message="%s: %s" % (type(error).__name__, error))

    def _on_initialize(self, request):
        self.respond(request, dict(CAPABILITIES))
        with self._pending_lock:
            self._initialized = True
            pending, self._pending = self._pending, []
        self.writer.send({"type": "event", "event": "initialized", "body": {}})
        for message in pending:
            self.writer.send(message)

    def _on_launch(self, request):
        self.launch_args = dict(request.get("arguments") or {})
        self.debugger.no_debug = bool(self.launch_args.get("noDebug"))
        for hook in self.launch_hooks:
            hook(self.launch_args)
        self.launched.set()
        self.respond(request)

    _on_attach = _on_launch

    def _on_setBreakpoints(self, request):
        arguments = request.get("arguments") or {}
        path = (arguments.get("source") or {}).get("path")
        if not path:
            raise ValueError("setBreakpoints needs source.path")
        specs = arguments.get("breakpoints")
        if specs is None:
            specs = [{"line": line} for line in arguments.get("lines") or []]
        self.respond(request, {"breakpoints": self.debugger.set_breakpoints(path, specs)})

    def _on_setExceptionBreakpoints(self, request):
        filters = (request.get("arguments") or {}).get("filters") or []
        self.debugger.set_exception_filters(filters)
        self.respond(request, {"breakpoints": [{"verified": True} for _ in filters]})

    def _on_configurationDone(self, request):
        self.configured.set()
        self.respond(request)

    def _on_threads(self, request):
        self.respond(request, {"threads": [{"id": 1, "name": "testScript"}]})

    def _on_pause(self, request):
        # While stopped, the pause goes through the stop's queue: behind a
        # `continue` it pauses the script that goes on (Debugger._serve_late).
        if self.debugger.submit(request):
            return
        self.debugger.request_pause()
        self.respond(request)

    def _on_continue(self, request):
        if not self.debugger.submit(request):
            self.respond(request, {"allThreadsContinued": True})

    def _on_main_thread(self, request):
        if not self.debugger.submit(request):
            self.respond(request, success=False,
                         message="the test script is running; pause it first")

    def _on_restart(self, request):
        if self.debugger.submit(request):
            return
        if not self.debugger.request_restart(request, lambda: self.respond(request)):
            self.respond(request, success=False, message="no test script to restart")

    def _on_terminate(self, request):
        self.respond(request)
        self.debugger.request_terminate()

    def _on_disconnect(self, request):
        arguments = request.get("arguments") or {}
        if arguments.get("terminateDebuggee") is False:
            self.detached = True
            self.debugger.detach()
            self.respond(request)
            return
        self.respond(request)
        self.debugger.request_terminate()
