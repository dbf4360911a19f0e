"""The serial console as bytes, as they arrive.

Every driver generation starts QEMU with `-serial stdio` and a piped stdout,
stores the `Popen` as `machine.process` and reads `machine.process.stdout`
line by line in a thread, calling `log_serial(line)`. Forwarding those lines
would hide a shell prompt, and every character typed, until the next
newline. So the machine classes' `process` attribute becomes a descriptor:
the moment the driver stores a new QEMU process, its stdout is replaced by a
`SerialTap`, which reads whatever bytes QEMU wrote, hands each chunk to the
IDE and still gives the driver's reader the same lines it would have read
(its `log_serial` lines, and so the driver's own log, stay as they are).

A machine whose stream is tapped is "streamed": its `log_serial` lines are
not forwarded again. Anything the tap cannot wrap (no pipe, a text-mode
stream) keeps the line-by-line forwarding.
"""

import base64
import io
import os
import threading

_MISSING = object()
_CHUNK = 65536


class SerialTap:
    """A binary stdout pipe that reports each chunk read from it."""

    def __init__(self, stream, on_chunk):
        self._stream = stream
        self._fd = stream.fileno()
        self._on_chunk = on_chunk
        self._pending = bytearray()
        self._eof = False
        self._lock = threading.Lock()

    def _fill(self):
        try:
            chunk = os.read(self._fd, _CHUNK)
        except OSError:
            chunk = b""
        if not chunk:
            self._eof = True
            return
        try:
            self._on_chunk(chunk)
        except Exception:
            pass  # the IDE going away must not stop the driver's reader
        self._pending += chunk

    def _take(self, count):
        data = bytes(self._pending[:count])
        del self._pending[:count]
        return data

    def readline(self, size=-1):
        with self._lock:
            while True:
                end = self._pending.find(b"\n")
                if end >= 0:
                    count = end + 1
                    break
                if self._eof or (0 <= size <= len(self._pending)):
                    count = len(self._pending)
                    break
                self._fill()
            if size is not None and 0 <= size < count:
                count = size
            return self._take(count)

    def read(self, size=-1):
        with self._lock:
            while not self._eof and (size is None or size < 0 or len(self._pending) < size):
                if size is not None and size >= 0 and self._pending:
                    break  # a sized read returns what is there, like a raw pipe
                self._fill()
            count = len(self._pending) if size is None or size < 0 else min(size, len(self._pending))
            return self._take(count)

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def fileno(self):
        return self._fd

    def close(self):
        self._stream.close()

    @property
    def closed(self):
        return self._stream.closed

    def __getattr__(self, name):
        return getattr(self._stream, name)


class SerialStreams:
    """Sends every machine's serial bytes as `nixtide/serial` events."""

    def __init__(self, session):
        self._session = session
        self._streamed = set()

    def is_streamed(self, machine_name):
        return machine_name in self._streamed

    def send_chunk(self, machine_name, chunk):
        self._session.send_event("nixtide/serial", {
            "machine": machine_name, "data": base64.b64encode(chunk).decode("ascii")})

    def send_line(self, machine_name, line):
        """A `log_serial` line of a machine whose stream is not tapped."""
        if machine_name in self._streamed:
            return
        self._session.send_event("nixtide/serial", {"machine": machine_name,
                                                    "text": str(line) + "\n"})

    def tap(self, machine, process):
        """Wraps `process.stdout`; returns the process."""
        stdout = getattr(process, "stdout", None)
        name = getattr(machine, "name", None)
        if stdout is None or name is None or isinstance(stdout, (io.TextIOBase, SerialTap)):
            return process
        try:
            stdout.fileno()
        except (AttributeError, OSError, ValueError):
            return process
        try:
            process.stdout = SerialTap(stdout, lambda chunk: self.send_chunk(name, chunk))
        except AttributeError:
            return process
        self._streamed.add(name)
        return process

    def patch_class(self, cls):
        """Makes `process` a descriptor of `cls` that taps what is stored."""
        if any(isinstance(klass.__dict__.get("process"), _ProcessAttribute)
               for klass in cls.__mro__):
            return
        setattr(cls, "process", _ProcessAttribute(self, cls.__dict__.get("process", _MISSING)))


class _ProcessAttribute:
    """Keeps the value where a plain attribute would be (the instance's
    `__dict__`), so instances made before the patch read the same."""

    def __init__(self, streams, default):
        self._streams = streams
        self._default = default

    def __get__(self, instance, owner=None):
        if instance is None:
            return self if self._default is _MISSING else self._default
        try:
            return instance.__dict__["process"]
        except KeyError:
            if self._default is _MISSING:
                raise AttributeError("process") from None
            return self._default

    def __set__(self, instance, value):
        if value is not None:
            value = self._streams.tap(instance, value)
        instance.__dict__["process"] = value

    def __delete__(self, instance):
        instance.__dict__.pop("process", None)
