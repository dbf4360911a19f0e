"""DAP wire format: Content-Length framed JSON.

The reader is fed raw bytes in whatever chunks the socket delivers and yields
complete messages; bytes that are not part of a frame are reported instead of
silently dropped, so a confused peer is visible in the log.
"""

import json
import threading

_HEADER_END = b"\r\n\r\n"


class FrameReader:
    def __init__(self):
        self._buffer = bytearray()

    def feed(self, data):
        """Append `data`; return a list of ("message", dict) / ("junk", bytes) /
        ("error", str) items in arrival order."""
        self._buffer.extend(data)
        items = []
        while True:
            end = self._buffer.find(_HEADER_END)
            if end < 0:
                # A header that never started with Content-Length cannot become
                # valid: report it once it is clearly not a header prefix.
                start = self._buffer.find(b"Content-Length")
                if start > 0:
                    items.append(("junk", bytes(self._buffer[:start])))
                    del self._buffer[:start]
                return items
            start = self._buffer.find(b"Content-Length", 0, end)
            if start < 0:
                items.append(("junk", bytes(self._buffer[: end + 4])))
                del self._buffer[: end + 4]
                continue
            if start > 0:
                items.append(("junk", bytes(self._buffer[:start])))
                del self._buffer[:start]
                continue
            length = None
            for line in bytes(self._buffer[:end]).split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    try:
                        length = int(value.strip())
                    except ValueError:
                        length = None
            if length is None or length < 0:
                items.append(("junk", bytes(self._buffer[: end + 4])))
                del self._buffer[: end + 4]
                continue
            body_start = end + 4
            if len(self._buffer) < body_start + length:
                return items
            body = bytes(self._buffer[body_start: body_start + length])
            del self._buffer[: body_start + length]
            try:
                message = json.loads(body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as error:
                items.append(("error", "invalid JSON in frame: %s" % error))
                continue
            if not isinstance(message, dict):
                items.append(("error", "frame is not a JSON object"))
                continue
            items.append(("message", message))


def encode(message):
    body = json.dumps(message, default=repr).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Writer:
    """Serializes writes from any thread and numbers outgoing messages."""

    def __init__(self, sock):
        self._sock = sock
        self._lock = threading.Lock()
        self._seq = 0
        self.closed = False

    def send(self, message):
        with self._lock:
            if self.closed:
                return False
            self._seq += 1
            message["seq"] = self._seq
            try:
                self._sock.sendall(encode(message))
            except OSError:
                self.closed = True
                return False
            return True
