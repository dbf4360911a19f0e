"""A small real DAP client for the agent tests: unix socket, framing,
responses matched by request_seq, events queued in arrival order."""

import json
import os
import queue
import shutil
import socket
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
AGENT_DIR = os.path.join(REPO, "core", "agent")
INJECT_DIR = os.path.join(AGENT_DIR, "inject")
PYTHON = os.environ.get("NIXTIDE_TEST_PYTHON", "/usr/bin/python3")


class DapError(Exception):
    pass


class DapClient:
    def __init__(self, path, timeout=20.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.seq = 0
        self.responses = {}
        self.events = queue.Queue()
        self.all_events = []
        self.junk = []
        self.cond = threading.Condition()
        self.closed = False
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        buffer = b""
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            buffer += data
            while True:
                end = buffer.find(b"\r\n\r\n")
                if end < 0:
                    break
                header = buffer[:end].decode()
                if not header.startswith("Content-Length:"):
                    self.junk.append(header)
                length = int(header.split(":")[1])
                if len(buffer) < end + 4 + length:
                    break
                message = json.loads(buffer[end + 4:end + 4 + length])
                buffer = buffer[end + 4 + length:]
                if message["type"] == "response":
                    with self.cond:
                        self.responses[message["request_seq"]] = message
                        self.cond.notify_all()
                else:
                    self.all_events.append(message)
                    self.events.put(message)
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, command, arguments=None):
        return self.send_together([(command, arguments)])[0]

    def send_together(self, requests):
        """Requests [(command, arguments)] in one write, so that the agent
        reads them at once; their seqs."""
        seqs, data = [], b""
        for command, arguments in requests:
            self.seq += 1
            message = {"seq": self.seq, "type": "request", "command": command}
            if arguments is not None:
                message["arguments"] = arguments
            body = json.dumps(message).encode()
            data += b"Content-Length: %d\r\n\r\n" % len(body) + body
            seqs.append(self.seq)
        self.sock.sendall(data)
        return seqs

    def wait_response(self, seq, timeout=20.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while seq not in self.responses:
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    raise DapError("no response to request %d" % seq)
                self.cond.wait(left)
            return self.responses.pop(seq)

    def request(self, command, arguments=None, timeout=20.0, ok=True):
        response = self.wait_response(self.send(command, arguments), timeout)
        if ok and not response["success"]:
            raise DapError("%s failed: %s" % (command, response.get("message")))
        return response

    def wait_event(self, name, timeout=20.0, predicate=None):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise DapError("no %s event within %.1f s" % (name, timeout))
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                continue
            names = name if isinstance(name, tuple) else (name,)
            if event["event"] in names and (predicate is None or predicate(event)):
                return event

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # conveniences
    def stack(self):
        return self.request("stackTrace", {"threadId": 1})["body"]["stackFrames"]

    def evaluate(self, expression, frame_id=None, context="repl", ok=True):
        arguments = {"expression": expression, "context": context}
        if frame_id is not None:
            arguments["frameId"] = frame_id
        return self.request("evaluate", arguments, ok=ok)

    def scope_variables(self, frame_id, scope_name):
        scopes = self.request("scopes", {"frameId": frame_id})["body"]["scopes"]
        ref = [s for s in scopes if s["name"] == scope_name][0]["variablesReference"]
        return self.request("variables", {"variablesReference": ref})["body"]["variables"]


def private_dir():
    path = tempfile.mkdtemp(prefix="nixtide-agent-test-")
    os.chmod(path, 0o700)
    return path


class AgentProcess:
    """`python -m nixtide_agent --socket … script.py` with a connected client."""

    def __init__(self, script_text, python=PYTHON, extra_args=(), env=None):
        self.dir = private_dir()
        self.script = os.path.join(self.dir, "script.py")
        with open(self.script, "w") as handle:
            handle.write(script_text)
        self.socket = os.path.join(self.dir, "agent.sock")
        env = dict(os.environ, **(env or {}))
        env["PYTHONPATH"] = AGENT_DIR
        self.proc = subprocess.Popen(
            [python, "-m", "nixtide_agent", "--socket", self.socket, self.script] + list(extra_args),
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.client = None
        try:
            self.client = DapClient(self.socket)
        except BaseException:
            self.close()  # no caller holds us to clean up
            raise

    def start(self, breakpoints=(), launch=None, exceptions=("uncaught",), source=None):
        client = self.client
        caps = client.request("initialize", {"adapterID": "nixtide", "linesStartAt1": True})
        client.wait_event("initialized")
        client.request("launch", launch or {})
        if breakpoints:
            client.request("setBreakpoints", {"source": {"path": source or self.script},
                                              "breakpoints": list(breakpoints)})
        client.request("setExceptionBreakpoints", {"filters": list(exceptions)})
        client.request("configurationDone")
        return caps

    def finish(self, timeout=20):
        try:
            out, err = self.proc.communicate(timeout=timeout)
        finally:
            self.close()
        return self.proc.returncode, out.decode(), err.decode()

    def close(self):
        """Kill the agent if it still runs and remove its directory: also
        after a failed check, so that no test leaves a process or a
        directory behind."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()
        if self.client is not None:
            self.client.close()
        shutil.rmtree(self.dir, ignore_errors=True)
