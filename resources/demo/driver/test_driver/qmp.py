"""A minimal QMP client: JSON lines over the machine's `-qmp` unix socket."""

from __future__ import annotations

import json
import socket
import time
from collections import deque
from pathlib import Path
from typing import Any, Deque, Dict, Optional


class QMPAPIError(RuntimeError):
    def __init__(self, message: Dict[str, Any]):
        err = message.get("error", {})
        super().__init__(f"{err.get('class', 'Error')}: {err.get('desc', message)}")
        self.message = message


class QMPSession:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.file = sock.makefile("r", encoding="utf-8")
        self.events: Deque[Dict[str, Any]] = deque()
        # The greeting, then capabilities negotiation leaves command mode on.
        self._read()
        self.send("qmp_capabilities")

    @classmethod
    def from_path(cls, path: Path, timeout: float = 10.0) -> "QMPSession":
        # QEMU creates the server socket while starting up; it normally
        # exists once QEMU has connected to the monitor, but may lag a bit.
        deadline = time.monotonic() + timeout
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(str(path))
                return cls(sock)
            except (FileNotFoundError, ConnectionRefusedError):
                sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _read(self) -> Dict[str, Any]:
        line = self.file.readline()
        if not line:
            raise ConnectionError("QMP connection closed")
        return json.loads(line)

    def send(self, cmd: str, args: Optional[Dict[str, Any]] = None) -> Any:
        msg: Dict[str, Any] = {"execute": cmd}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            answer = self._read()
            if "event" in answer:
                self.events.append(answer)
                continue
            if "error" in answer:
                raise QMPAPIError(answer)
            return answer.get("return")

    def wait_for_event(self, timeout: float = 10) -> Dict[str, Any]:
        if self.events:
            return self.events.popleft()
        self.sock.settimeout(timeout)
        try:
            while True:
                answer = self._read()
                if "event" in answer:
                    return answer
        except socket.timeout:
            raise TimeoutError("no QMP event") from None
        finally:
            self.sock.settimeout(None)

    def close(self) -> None:
        try:
            self.file.close()
        finally:
            self.sock.close()
