"""Machines of the demo driver: a QEMU process started from a NixOS-style
start script, driven through its monitor, QMP and the guest's backdoor shell.

Mirrors the module of the nixos-24.11/25.05 driver
(``nixos/lib/test-driver/src/test_driver/machine.py``): ``StartCommand``,
``NixStartScript``, ``Machine`` and ``retry``. Upstream master renamed the
class ``QemuMachine`` (``machine/__init__.py``); ``QemuMachine`` is exported
here as an alias so code written against either name works. One file on
purpose: hooks look classes up where upstream keeps them.
"""

from __future__ import annotations

import atexit
import base64
import io
import os
import queue
import re
import select
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from contextlib import nullcontext
from pathlib import Path
from queue import Queue
from typing import Any, Callable, ContextManager, Dict, Iterable, List, Optional, Tuple

from test_driver.errors import MachineError, RequestedAssertionFailed
from test_driver.logger import AbstractLogger
from test_driver.qmp import QMPSession


def _build_char_to_key() -> Dict[str, str]:
    """Characters that QEMU's `sendkey` does not name directly: upper case
    letters are shift-<letter>, punctuation goes by PC scancode (US layout).
    Lower case letters and digits are key names already."""
    table = {" ": "spc", "\n": "ret"}
    for letter in "abcdefghijklmnopqrstuvwxyz":
        table[letter.upper()] = f"shift-{letter}"
    # Shifted digit row: "!" is shift-1 (scancode 0x02) … ")" is shift-0 (0x0B).
    for code, char in enumerate("!@#$%^&*()", start=2):
        table[char] = f"shift-0x{code:02X}"
    for plain, shifted, code in [
        ("-", "_", 0x0C),
        ("=", "+", 0x0D),
        ("[", "{", 0x1A),
        ("]", "}", 0x1B),
        (";", ":", 0x27),
        ("'", '"', 0x28),
        ("`", "~", 0x29),
        ("\\", "|", 0x2B),
        (",", "<", 0x33),
        (".", ">", 0x34),
        ("/", "?", 0x35),
    ]:
        table[plain] = f"0x{code:02X}"
        table[shifted] = f"shift-0x{code:02X}"
    return table


CHAR_TO_KEY = _build_char_to_key()


def make_command(args: List[Any]) -> str:
    return " ".join(shlex.quote(str(a)) for a in args)


def _netpbm(pipeline: str, src: str, dst: str) -> None:
    # The input redirection leads the pipeline: written after it, it would
    # feed only the last command while the first read the driver's stdin.
    ret = subprocess.run(
        f"< {shlex.quote(src)} {pipeline} > {shlex.quote(dst)}",
        shell=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
    )
    if ret.returncode != 0:
        raise MachineError(
            f"Image processing failed with exit code {ret.returncode}, "
            f"stderr: {ret.stderr.decode(errors='replace')}"
        )


def _preprocess_screenshot(screenshot_path: str, negate: bool = False) -> str:
    """Grey, enlarged (72 to ~300 dpi, as upstream asks ImageMagick for) and
    contrast-stretched copy of a PPM screendump, made with netpbm."""
    out_file = screenshot_path + (".negative" if negate else "") + ".pgm"
    pipeline = "ppmtopgm | pamscale -filter=catrom 4 | pnmnorm -quiet"
    if negate:
        pipeline += " | pnminvert"
    _netpbm(pipeline, screenshot_path, out_file)
    return out_file


# Whether tesseract's language data holds the legacy engine (--oem 0 and 2).
# nixpkgs' does; Debian's tesseract-ocr-eng has only the LSTM one (--oem 1),
# so those model ids fall back to 1 there.
_legacy_ocr_available: Optional[bool] = None


def _run_tesseract(image: str, model_id: int) -> str:
    global _legacy_ocr_available
    if model_id in (0, 2) and _legacy_ocr_available is False:
        model_id = 1
    ret = subprocess.run(
        ["tesseract", image, "-", "--oem", str(model_id)]
        + ["-c", "debug_file=/dev/null", "--psm", "11"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
    )
    if ret.returncode != 0 and model_id in (0, 2) and b"legacy" in ret.stderr.lower():
        _legacy_ocr_available = False
        return _run_tesseract(image, 1)
    if ret.returncode != 0:
        raise MachineError(f"OCR failed with exit code {ret.returncode}")
    if model_id in (0, 2):
        _legacy_ocr_available = True
    return ret.stdout.decode("utf-8")


def _perform_ocr_on_screenshot(
    screenshot_path: str, model_ids: Iterable[int]
) -> List[str]:
    if shutil.which("tesseract") is None:
        raise MachineError("OCR requested but enableOCR is false")

    processed_image = _preprocess_screenshot(screenshot_path, negate=False)
    processed_negative = _preprocess_screenshot(screenshot_path, negate=True)

    model_results = []
    for image in [screenshot_path, processed_image, processed_negative]:
        for model_id in model_ids:
            model_results.append(_run_tesseract(image, model_id))
    return model_results


def retry(fn: Callable, timeout: int = 900) -> None:
    """Call the given function repeatedly, with 1 second intervals,
    until it returns True or a timeout is reached.
    """
    for _ in range(timeout):
        if fn(False):
            return
        time.sleep(1)

    if not fn(True):
        raise RequestedAssertionFailed(f"action timed out after {timeout} seconds")


def _descendants(pid: int) -> List[int]:
    """Every process below `pid`, read from /proc (children first)."""
    children: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: split after it.
        fields = stat[stat.rfind(b")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry))
    found: List[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return list(reversed(found))


def _start_time(pid: int) -> Optional[int]:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rfind(b")") + 2 :].split()
    # Zombies are gone already for our purpose.
    if fields[0] == b"Z":
        return None
    return int(fields[19])


def _terminate_tree(process: subprocess.Popen, grace: float = 10.0) -> None:
    """End the start command and whatever it forked. QEMU (a descendant when
    the shell did not exec it) gets SIGTERM first, so that the shell reaps it
    and exits; then the shell, and SIGKILL for anything left after `grace`."""

    def signal_all(pids: List[int], sig: int) -> None:
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass

    pids = _descendants(process.pid)
    starts = {pid: _start_time(pid) for pid in pids}
    signal_all(pids or [process.pid], signal.SIGTERM)
    try:
        process.wait(timeout=grace / 2 if pids else grace)
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            process.wait(timeout=grace / 2)
        except subprocess.TimeoutExpired:
            pass
    if process.poll() is None:
        pids = _descendants(process.pid) or pids
        process.kill()
        process.wait()
    # A descendant that outlived the shell (orphaned, not reaped by us) gets
    # SIGKILL, if its PID still names the same process (start time).
    for pid, started in starts.items():
        if _start_time(pid) == started:
            signal_all([pid], signal.SIGKILL)


# Machines with a live QEMU, released at interpreter exit even when nobody
# did (machines made with create_machine, a crash before Driver.__exit__).
_live_machines: "weakref.WeakSet[Machine]" = weakref.WeakSet()


@atexit.register
def _release_live_machines() -> None:
    for machine in list(_live_machines):
        try:
            machine.release()
        except Exception:
            pass


class StartCommand:
    """Appends the driver's runtime QEMU options to a start command, which
    must pass its extra arguments on to QEMU."""

    _cmd: str

    def cmd(
        self,
        monitor_socket_path: Path,
        qmp_socket_path: Path,
        shell_socket_path: Path,
        allow_reboot: bool = False,
    ) -> str:
        display_opts = ""
        if not any(x in os.environ for x in ["DISPLAY", "WAYLAND_DISPLAY"]):
            display_opts += " -nographic"

        qemu_opts = (
            " -device virtio-serial"
            # virtconsole is /dev/hvc0 in the guest, where the backdoor runs.
            " -device virtconsole,chardev=shell"
            " -device virtio-rng-pci"
            " -serial stdio"
        )
        if not allow_reboot:
            qemu_opts += " -no-reboot"

        return (
            f"{self._cmd}"
            f" -qmp unix:{qmp_socket_path},server=on,wait=off"
            f" -monitor unix:{monitor_socket_path}"
            f" -chardev socket,id=shell,path={shell_socket_path}"
            f"{qemu_opts}"
            f"{display_opts}"
        )

    @staticmethod
    def build_environment(state_dir: Path, shared_dir: Path) -> dict:
        env = dict(os.environ)
        env.update(
            {
                "TMPDIR": str(state_dir),
                "SHARED_DIR": str(shared_dir),
                "USE_TMPDIR": "1",
            }
        )
        return env

    def run(
        self,
        state_dir: Path,
        shared_dir: Path,
        monitor_socket_path: Path,
        qmp_socket_path: Path,
        shell_socket_path: Path,
        allow_reboot: bool,
    ) -> subprocess.Popen:
        command = self.cmd(
            monitor_socket_path, qmp_socket_path, shell_socket_path, allow_reboot
        )
        # On NixOS /bin/sh is bash, which execs a lone command; dash (Debian)
        # forks instead and leaves a shell between the driver and QEMU, which
        # then outlives a killed driver. Say exec when it is a plain command.
        first_word = command.split(None, 1)[0] if command.strip() else ""
        if first_word and "=" not in first_word and not set(";&|`$(){}") & set(command):
            command = "exec " + command
        return subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            shell=True,
            cwd=state_dir,
            env=self.build_environment(state_dir, shared_dir),
        )


class NixStartScript(StartCommand):
    """A `run-<name>-vm` start script; the machine's name comes from its
    file name."""

    def __init__(self, script: str):
        self._cmd = script

    @property
    def machine_name(self) -> str:
        match = re.search("run-(.+)-vm$", self._cmd)
        return match.group(1) if match else "machine"


class Machine:
    """A handle to the machine with this name, that also knows how to manage
    the machine lifecycle with the help of a start script / command."""

    name: str
    out_dir: Path
    tmp_dir: Path
    shared_dir: Path
    state_dir: Path
    monitor_path: Path
    qmp_path: Path
    shell_path: Path

    start_command: StartCommand
    keep_vm_state: bool

    process: Optional[subprocess.Popen]
    pid: Optional[int]
    monitor: Optional[socket.socket]
    qmp_client: Optional[QMPSession]
    shell: Optional[socket.socket]
    serial_thread: Optional[threading.Thread]

    booted: bool
    connected: bool
    # What runs the machine, for messages about its process.
    runner = "QEMU"
    # Last serial console lines, for wait_for_console_text.
    last_lines: Queue = Queue()
    callbacks: List[Callable]

    def __repr__(self) -> str:
        return f"<Machine '{self.name}'>"

    def __init__(
        self,
        out_dir: Path,
        tmp_dir: Path,
        start_command: StartCommand,
        logger: AbstractLogger,
        name: str = "machine",
        keep_vm_state: bool = False,
        callbacks: Optional[List[Callable]] = None,
    ) -> None:
        self.out_dir = Path(out_dir)
        self.tmp_dir = Path(tmp_dir)
        self.keep_vm_state = keep_vm_state
        self.name = name
        self.start_command = start_command
        self.callbacks = callbacks if callbacks is not None else []
        self.logger = logger

        self.shared_dir = self.tmp_dir / "shared-xchg"
        self.shared_dir.mkdir(mode=0o700, exist_ok=True)

        self.state_dir = self.tmp_dir / f"vm-state-{self.name}"
        self.monitor_path = self.state_dir / "monitor"
        self.qmp_path = self.state_dir / "qmp"
        self.shell_path = self.state_dir / "shell"
        if (not self.keep_vm_state) and self.state_dir.exists():
            self.cleanup_statedir()
        self.state_dir.mkdir(mode=0o700, exist_ok=True)

        self.process = None
        self.pid = None
        self.monitor = None
        self.qmp_client = None
        self.shell = None
        self.serial_thread = None

        self.booted = False
        self.connected = False

    def is_up(self) -> bool:
        return self.booted and self.connected

    def log(self, msg: str) -> None:
        self.logger.log(msg, {"machine": self.name})

    def log_serial(self, msg: str) -> None:
        self.logger.log_serial(msg, self.name)

    def nested(self, msg: str, attrs: Dict[str, str] = {}) -> ContextManager[None]:
        my_attrs = {"machine": self.name}
        my_attrs.update(attrs)
        return self.logger.nested(msg, my_attrs)

    def run_callbacks(self) -> None:
        for callback in self.callbacks:
            callback()

    # --- monitor and QMP ---------------------------------------------------

    def wait_for_monitor_prompt(self) -> str:
        assert self.monitor is not None
        answer = ""
        while True:
            undecoded_answer = self.monitor.recv(1024)
            if not undecoded_answer:
                break
            answer += undecoded_answer.decode(errors="replace")
            if answer.endswith("(qemu) "):
                break
        return answer

    def send_monitor_command(self, command: str) -> str:
        """Send a command to the QEMU monitor and return its answer."""
        self.run_callbacks()
        if self.monitor is None:
            raise MachineError(f"machine {self.name} is not running")
        self.monitor.send(f"{command}\n".encode())
        return self.wait_for_monitor_prompt()

    def wait_for_qmp_event(
        self, event_filter: Callable[[Dict[str, Any]], bool], timeout: int = 60 * 10
    ) -> Dict[str, Any]:
        """Wait for a QMP event accepted by `event_filter`, skipping others."""
        if self.qmp_client is None:
            raise RuntimeError("QMP API is not ready yet, is the VM ready?")
        start = time.time()
        while True:
            evt = self.qmp_client.wait_for_event(timeout=timeout)
            if event_filter(evt):
                return evt
            if time.time() - start >= timeout:
                raise TimeoutError

    # --- systemd -------------------------------------------------------------

    def wait_for_unit(
        self, unit: str, user: Optional[str] = None, timeout: int = 900
    ) -> None:
        """Wait for a systemd unit to get into "active" state. Raises on
        "failed", on "inactive" with no pending jobs, and on timeout."""

        def check_active(_last_try: bool) -> bool:
            state = self.get_unit_property(unit, "ActiveState", user)
            if state == "failed":
                raise RequestedAssertionFailed(f'unit "{unit}" reached state "{state}"')

            if state == "inactive":
                status, jobs = self.systemctl("list-jobs --full 2>&1", user)
                if "No jobs" in jobs:
                    info = self.get_unit_info(unit, user)
                    if info["ActiveState"] == state:
                        raise RequestedAssertionFailed(
                            f'unit "{unit}" is inactive and there are no pending jobs'
                        )

            return state == "active"

        with self.nested(
            f"waiting for unit {unit}"
            + (f" with user {user}" if user is not None else "")
        ):
            retry(check_active, timeout)

    def get_unit_info(self, unit: str, user: Optional[str] = None) -> Dict[str, str]:
        status, lines = self.systemctl(f'--no-pager show "{unit}"', user)
        if status != 0:
            raise RequestedAssertionFailed(
                f'retrieving systemctl info for unit "{unit}"'
                + ("" if user is None else f' under user "{user}"')
                + f" failed with exit code {status}"
            )
        line_pattern = re.compile(r"^([^=]+)=(.*)$")
        info = {}
        for line in lines.split("\n"):
            match = line_pattern.match(line)
            if match:
                info[match[1]] = match[2]
        return info

    def get_unit_property(
        self, unit: str, property: str, user: Optional[str] = None
    ) -> str:
        status, lines = self.systemctl(
            f'--no-pager show "{unit}" --property="{property}"', user
        )
        if status != 0:
            raise RequestedAssertionFailed(
                f'retrieving systemctl property "{property}" for unit "{unit}"'
                + ("" if user is None else f' under user "{user}"')
                + f" failed with exit code {status}"
            )
        invalid = (
            f'systemctl show --property "{property}" "{unit}" '
            f"produced invalid output: {lines}"
        )
        match = re.match(r"^([^=]+)=(.*)$", lines)
        assert match is not None, invalid
        assert match[1] == property, invalid
        return match[2]

    def systemctl(self, q: str, user: Optional[str] = None) -> Tuple[int, str]:
        """Run `systemctl q`, or `systemctl --user q` as `user`."""
        if user is not None:
            q = q.replace("'", "\\'")
            return self.execute(
                f"su -l {user} --shell /bin/sh -c "
                "$'XDG_RUNTIME_DIR=/run/user/`id -u` "
                f"systemctl --user {q}'"
            )
        return self.execute(f"systemctl {q}")

    def require_unit_state(self, unit: str, require_state: str = "active") -> None:
        with self.nested(
            f"checking if unit '{unit}' has reached state '{require_state}'"
        ):
            state = self.get_unit_info(unit)["ActiveState"]
            if state != require_state:
                raise RequestedAssertionFailed(
                    f"Expected unit '{unit}' to to be in state "
                    f"'{require_state}' but it is in state '{state}'"
                )

    def start_job(self, jobname: str, user: Optional[str] = None) -> Tuple[int, str]:
        return self.systemctl(f"start {jobname}", user)

    def stop_job(self, jobname: str, user: Optional[str] = None) -> Tuple[int, str]:
        return self.systemctl(f"stop {jobname}", user)

    def wait_for_job(self, jobname: str) -> None:
        self.wait_for_unit(jobname)

    # --- the backdoor shell ------------------------------------------------

    def _next_newline_closed_block_from_shell(self) -> str:
        assert self.shell
        output_buffer = []
        while True:
            chunk = self.shell.recv(4096)
            if not chunk:
                if not output_buffer:
                    raise MachineError(
                        f"the shell connection to {self.name} is closed"
                    )
                break
            decoded = chunk.decode(errors="replace")
            output_buffer.append(decoded)
            if decoded[-1] == "\n":
                break
        return "".join(output_buffer)

    def execute(
        self,
        command: str,
        check_return: bool = True,
        check_output: bool = True,
        timeout: Optional[int] = 900,
    ) -> Tuple[int, str]:
        """Execute a shell command in the guest, returning `(status, stdout)`.

        Runs with `set -euo pipefail`; waits for stdout to close (a command
        that detaches must redirect its stdout). `check_return=False` skips
        reading the status and returns -1 (for commands that end the VM);
        `check_output=False` returns (-2, "") at once. `timeout` in seconds,
        None for none; default 900.
        """
        self.run_callbacks()
        self.connect()

        command = f"set -euo pipefail; {command}"
        timeout_str = f"timeout {timeout}" if timeout is not None else ""
        out_command = (
            f"{timeout_str} bash -c {shlex.quote(command)} | (base64 -w 0; echo)\n"
        )

        assert self.shell
        self.shell.send(out_command.encode())

        if not check_output:
            return (-2, "")

        output = base64.b64decode(self._next_newline_closed_block_from_shell())

        if not check_return:
            return (-1, output.decode(errors="replace"))

        self.shell.send(b"echo ${PIPESTATUS[0]}\n")
        rc = int(self._next_newline_closed_block_from_shell().strip())

        return (rc, output.decode(errors="replace"))

    def shell_interact(self, address: Optional[str] = None) -> None:
        """Type into the guest's root shell directly (for test development).
        Ctrl-D ends the session. Upstream uses socat; without it, stdin and
        the shell socket are copied to each other here."""
        self.connect()
        assert self.shell
        self.log("Terminal is ready (there is no initial prompt):")
        if shutil.which("socat") is not None:
            try:
                subprocess.run(
                    ["socat", address or "READLINE,prompt=$ ", f"FD:{self.shell.fileno()}"],
                    pass_fds=[self.shell.fileno()],
                )
            except KeyboardInterrupt:
                pass
            return
        try:
            while True:
                ready, _, _ = select.select([sys.stdin, self.shell], [], [])
                if self.shell in ready:
                    data = self.shell.recv(4096)
                    if not data:
                        break
                    sys.stdout.write(data.decode(errors="replace"))
                    sys.stdout.flush()
                if sys.stdin in ready:
                    line = sys.stdin.readline()
                    if not line:
                        break
                    self.shell.send(line.encode())
        except KeyboardInterrupt:
            pass

    def console_interact(self) -> None:
        """Forward the terminal's input to QEMU's stdin (the serial console).
        Ctrl-D returns to the test runner."""
        self.log("Terminal is ready (there is no prompt):")
        assert self.process and self.process.stdin
        while True:
            try:
                char = sys.stdin.buffer.read(1)
            except KeyboardInterrupt:
                break
            if char == b"":
                self.log("Closing connection to the console")
                break
            self.send_console(char.decode(errors="replace"))

    def succeed(self, *commands: str, timeout: Optional[int] = None) -> str:
        """Run commands; raise if one exits non-zero, else return their
        stdout. No timeout unless given."""
        output = ""
        for command in commands:
            with self.nested(f"must succeed: {command}"):
                (status, out) = self.execute(command, timeout=timeout)
                if status != 0:
                    self.log(f"output: {out}")
                    raise RequestedAssertionFailed(
                        f"command `{command}` failed (exit code {status})"
                    )
                output += out
        return output

    def fail(self, *commands: str, timeout: Optional[int] = None) -> str:
        """Like `succeed`, but raise if a command exits zero."""
        output = ""
        for command in commands:
            with self.nested(f"must fail: {command}"):
                (status, out) = self.execute(command, timeout=timeout)
                if status == 0:
                    raise RequestedAssertionFailed(
                        f"command `{command}` unexpectedly succeeded"
                    )
                output += out
        return output

    def wait_until_succeeds(self, command: str, timeout: int = 900) -> str:
        """Repeat a command every second until it succeeds; raise on timeout."""
        output = ""

        def check_success(_last_try: bool) -> bool:
            nonlocal output
            status, output = self.execute(command, timeout=timeout)
            return status == 0

        with self.nested(f"waiting for success: {command}"):
            retry(check_success, timeout)
            return output

    def wait_until_fails(self, command: str, timeout: int = 900) -> str:
        """Repeat a command every second until it fails; raise on timeout."""
        output = ""

        def check_failure(_last_try: bool) -> bool:
            nonlocal output
            status, output = self.execute(command, timeout=timeout)
            return status != 0

        with self.nested(f"waiting for failure: {command}"):
            retry(check_failure, timeout)
            return output

    def wait_for_file(self, filename: str, timeout: int = 900) -> None:
        """Wait until the file exists in the machine's file system."""

        def check_file(_last_try: bool) -> bool:
            status, _ = self.execute(f"test -e {filename}")
            return status == 0

        with self.nested(f"waiting for file '{filename}'"):
            retry(check_file, timeout)

    def wait_for_open_port(
        self, port: int, addr: str = "localhost", timeout: int = 900
    ) -> None:
        """Wait until something listens on the TCP port at addr."""

        def port_is_open(_last_try: bool) -> bool:
            status, _ = self.execute(f"nc -z {addr} {port}")
            return status == 0

        with self.nested(f"waiting for TCP port {port} on {addr}"):
            retry(port_is_open, timeout)

    def wait_for_open_unix_socket(
        self, addr: str, is_datagram: bool = False, timeout: int = 900
    ) -> None:
        """Wait until something listens on the unix socket at addr."""
        flags = "-z " + ("-uU" if is_datagram else "-U")

        def socket_is_open(_last_try: bool) -> bool:
            status, _ = self.execute(f"nc {flags} {addr}")
            return status == 0

        kind = "datagram" if is_datagram else "stream"
        with self.nested(f"waiting for UNIX-domain {kind} on '{addr}'"):
            retry(socket_is_open, timeout)

    def wait_for_closed_port(
        self, port: int, addr: str = "localhost", timeout: int = 900
    ) -> None:
        """Wait until nothing listens on the TCP port at addr."""

        def port_is_closed(_last_try: bool) -> bool:
            status, _ = self.execute(f"nc -z {addr} {port}")
            return status != 0

        with self.nested(f"waiting for TCP port {port} on {addr} to be closed"):
            retry(port_is_closed, timeout)

    def get_tty_text(self, tty: str) -> str:
        status, output = self.execute(
            f"fold -w$(stty -F /dev/tty{tty} size | awk '{{print $2}}') /dev/vcs{tty}"
        )
        return output

    def wait_until_tty_matches(self, tty: str, regexp: str, timeout: int = 900) -> None:
        """Wait until the visible text of /dev/tty<tty> matches regexp."""
        matcher = re.compile(regexp)

        def tty_matches(last_try: bool) -> bool:
            text = self.get_tty_text(tty)
            if last_try:
                self.log(
                    f"Last chance to match /{regexp}/ on TTY{tty}, "
                    f"which currently contains: {text}"
                )
            return len(matcher.findall(text)) > 0

        with self.nested(f"waiting for {regexp} to appear on tty {tty}"):
            retry(tty_matches, timeout)

    def dump_tty_contents(self, tty: str) -> None:
        """Debugging: dump the contents of TTY<n>."""
        self.execute(f"fold -w 80 /dev/vcs{tty} | systemd-cat")

    # --- booting ---------------------------------------------------------------

    def connect(self) -> None:
        """Start the machine if needed and wait for its backdoor shell."""
        if self.connected:
            return

        with self.nested("waiting for the VM to finish booting"):
            self.start()
            assert self.shell and self.process

            tic = time.time()
            seen = b""
            quiet_since = time.monotonic()
            while b"Spawning backdoor root shell..." not in seen:
                ready, _, _ = select.select([self.shell], [], [], 1)
                if not ready:
                    if self.process.poll() is not None:
                        raise MachineError(
                            f"{self.runner} of {self.name} exited (code "
                            f"{self.process.returncode}) before its shell was ready"
                        )
                    if time.monotonic() - quiet_since >= 30:
                        quiet_since = time.monotonic()
                        self.log("Guest root shell did not produce any data yet...")
                        self.log(
                            "  To debug, enter the VM and run "
                            "'systemctl status backdoor.service'."
                        )
                    continue
                chunk = self.shell.recv(1024)
                if not chunk:
                    # QEMU closes the socket when it exits: say how it ended.
                    try:
                        code = self.process.wait(timeout=5)
                        how = f"{self.runner} exited with code {code}"
                    except subprocess.TimeoutExpired:
                        how = f"{self.runner} still running"
                    raise MachineError(
                        f"the shell connection of {self.name} closed while booting ({how})"
                    )
                self.log(f"Guest shell says: {chunk!r}")
                # Keep a tail, in case the banner is split between chunks.
                seen = seen[-64:] + chunk

            toc = time.time()
            self.log("connected to guest root shell")
            self.log(f"(connecting took {toc - tic:.2f} seconds)")
            self.connected = True

    def _accept(self, listener: socket.socket, what: str) -> socket.socket:
        # QEMU connects at start-up; if it dies first, say so instead of
        # waiting forever.
        assert self.process
        listener.settimeout(0.2)
        while True:
            try:
                conn, _ = listener.accept()
                conn.settimeout(None)
                return conn
            except socket.timeout:
                if self.process.poll() is not None:
                    raise MachineError(
                        f"QEMU of {self.name} exited (code {self.process.returncode})"
                        f" before connecting to the {what} socket"
                    ) from None

    def _follow_console(self, thread_name: str) -> None:
        """Reads the started process's stdout (the serial console of a VM,
        the console of a container) into last_lines and the serial log."""
        self.last_lines = Queue()

        def read_console() -> None:
            assert self.process and self.process.stdout
            for _line in self.process.stdout:
                # Boot menus may print bytes that are not UTF-8.
                line = _line.decode(errors="ignore").replace("\r", "").rstrip()
                self.last_lines.put(line)
                self.log_serial(line)

        # A daemon thread: a hung machine must never keep the driver from exiting.
        self.serial_thread = threading.Thread(target=read_console, name=thread_name, daemon=True)
        self.serial_thread.start()

    def start(self, allow_reboot: bool = False) -> None:
        """Start the virtual machine. This method is asynchronous --- it does
        not wait for the machine to finish booting."""
        if self.booted:
            return

        self.log("starting vm")

        def clear(path: Path) -> Path:
            if path.exists():
                path.unlink()
            return path

        def create_socket(path: Path) -> socket.socket:
            s = socket.socket(family=socket.AF_UNIX, type=socket.SOCK_STREAM)
            s.bind(str(path))
            s.listen(1)
            return s

        monitor_socket = create_socket(clear(self.monitor_path))
        shell_socket = create_socket(clear(self.shell_path))
        self.process = self.start_command.run(
            self.state_dir,
            self.shared_dir,
            self.monitor_path,
            self.qmp_path,
            self.shell_path,
            allow_reboot,
        )
        self.pid = self.process.pid
        _live_machines.add(self)
        self._follow_console(f"serial-{self.name}")

        try:
            self.monitor = self._accept(monitor_socket, "monitor")
            self.shell = self._accept(shell_socket, "shell")
            self.qmp_client = QMPSession.from_path(self.qmp_path)
            self.wait_for_monitor_prompt()
        except OSError as e:
            try:
                code = self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                code = None
            self.release()
            raise MachineError(
                f"QEMU of {self.name} failed while starting (exit code {code}): {e}"
            ) from e
        except BaseException:
            self.release()
            raise
        finally:
            monitor_socket.close()
            shell_socket.close()

        self.booted = True
        self.log(f"QEMU running (pid {self.pid})")

    def cleanup_statedir(self) -> None:
        shutil.rmtree(self.state_dir)
        self.logger.log(f"deleting VM state directory {self.state_dir}")
        self.logger.log("if you want to keep the VM state, pass --keep-vm-state")

    # --- screen and keyboard ---------------------------------------------------

    def screenshot(self, filename: str) -> None:
        """Save the machine's display as PNG; a relative name goes to the
        output directory, a name without extension gets `.png`."""
        if "." not in os.path.basename(filename):
            filename += ".png"
        if not os.path.isabs(filename):
            filename = os.path.join(self.out_dir, filename)
        tmp = f"{filename}.ppm"

        with self.nested(
            f"making screenshot {filename}",
            {"image": os.path.basename(filename)},
        ):
            self.send_monitor_command(f"screendump {tmp}")
            ret = subprocess.run(
                f"pnmtopng {shlex.quote(tmp)} > {shlex.quote(filename)}",
                shell=True,
                stdin=subprocess.DEVNULL,
            )
            if os.path.exists(tmp):
                os.unlink(tmp)
            if ret.returncode != 0:
                raise MachineError("Cannot convert screenshot")

    def _get_screen_text_variants(self, model_ids: Iterable[int]) -> List[str]:
        with tempfile.TemporaryDirectory() as tmpdir:
            screenshot_path = os.path.join(tmpdir, "ppm")
            self.send_monitor_command(f"screendump {screenshot_path}")
            return _perform_ocr_on_screenshot(screenshot_path, model_ids)

    def get_screen_text_variants(self) -> List[str]:
        """Several OCR readings of the screen (models × preprocessing)."""
        return self._get_screen_text_variants([0, 1, 2])

    def get_screen_text(self) -> str:
        """The text on the machine's screen, read by OCR."""
        return self._get_screen_text_variants([2])[0]

    def wait_for_text(self, regex: str, timeout: int = 900) -> None:
        """Wait until OCR of the screen matches regex."""

        def screen_matches(last_try: bool) -> bool:
            variants = self.get_screen_text_variants()
            for text in variants:
                if re.search(regex, text) is not None:
                    return True
            if last_try:
                self.log(f"Last OCR attempt failed. Text was: {variants}")
            return False

        with self.nested(f"waiting for {regex} to appear on screen"):
            retry(screen_matches, timeout)

    def wait_for_console_text(self, regex: str, timeout: Optional[int] = None) -> None:
        """Wait until the serial console output matches regex."""
        console = io.StringIO()

        def console_matches(_last_try: bool) -> bool:
            # Upstream takes one line per try (one a second); take all that
            # arrived, so a busy console cannot outrun the timeout.
            try:
                while True:
                    console.write(self.last_lines.get(block=False) + "\n")
            except queue.Empty:
                pass
            console.seek(0)
            return re.search(regex, console.read()) is not None

        with self.nested(f"waiting for {regex} to appear on console"):
            if timeout is not None:
                retry(console_matches, timeout)
            else:
                while not console_matches(False):
                    time.sleep(0.05)

    def send_key(
        self, key: str, delay: Optional[float] = 0.01, log: Optional[bool] = True
    ) -> None:
        """Press a key (combination) by QEMU name, e.g. "ctrl-alt-delete";
        single characters are mapped (CHAR_TO_KEY)."""
        key = CHAR_TO_KEY.get(key, key)
        context = self.nested(f"sending key {key!r}") if log else nullcontext()
        with context:
            self.send_monitor_command(f"sendkey {key}")
            if delay is not None:
                time.sleep(delay)

    def send_keys(self, *keys: str, delay: Optional[float] = 0.01) -> None:
        """Press several keys in turn (not in upstream 24.11/25.05, kept for
        scripts written for older releases)."""
        with self.nested(f"sending keys {list(keys)!r}"):
            for key in keys:
                self.send_key(key, delay, log=False)

    def send_chars(self, chars: str, delay: Optional[float] = 0.01) -> None:
        """Type a string on the virtual keyboard."""
        with self.nested(f"sending keys {chars!r}"):
            for char in chars:
                self.send_key(char, delay, log=False)

    def send_console(self, chars: str) -> None:
        """Write to the serial console (QEMU's stdin)."""
        assert self.process and self.process.stdin
        self.process.stdin.write(chars.encode())
        self.process.stdin.flush()

    # --- files ----------------------------------------------------------------

    def copy_from_host_via_shell(self, source: str, target: str) -> None:
        """Copy a host file into the guest through the shell (no 9p)."""
        with open(source, "rb") as fh:
            content_b64 = base64.b64encode(fh.read()).decode()
        self.succeed(
            f"mkdir -p $(dirname {target})",
            f"echo -n {content_b64} | base64 -d > {target}",
        )

    def copy_from_host(self, source: str, target: str) -> None:
        """Copy a host file or directory to `target` in the machine, through
        the shared directory (mounted at /tmp/shared in the guest)."""
        host_src = Path(source)
        vm_target = Path(target)
        with tempfile.TemporaryDirectory(dir=self.shared_dir) as shared_td:
            shared_temp = Path(shared_td)
            host_intermediate = shared_temp / host_src.name
            vm_shared_temp = Path("/tmp/shared") / shared_temp.name
            vm_intermediate = vm_shared_temp / host_src.name

            self.succeed(make_command(["mkdir", "-p", vm_shared_temp]))
            if host_src.is_dir():
                shutil.copytree(host_src, host_intermediate)
            else:
                shutil.copy(host_src, host_intermediate)
            self.succeed(make_command(["mkdir", "-p", vm_target.parent]))
            self.succeed(make_command(["cp", "-r", vm_intermediate, vm_target]))

    def copy_from_vm(self, source: str, target_dir: str = "") -> None:
        """Copy a file or directory from the machine to the output directory
        (under target_dir), through the shared directory."""
        vm_src = Path(source)
        with tempfile.TemporaryDirectory(dir=self.shared_dir) as shared_td:
            shared_temp = Path(shared_td)
            vm_shared_temp = Path("/tmp/shared") / shared_temp.name
            vm_intermediate = vm_shared_temp / vm_src.name
            intermediate = shared_temp / vm_src.name
            self.succeed(make_command(["mkdir", "-p", vm_shared_temp]))
            self.succeed(make_command(["cp", "-r", vm_src, vm_intermediate]))
            abs_target = self.out_dir / target_dir / vm_src.name
            abs_target.parent.mkdir(exist_ok=True, parents=True)
            if intermediate.is_dir():
                shutil.copytree(intermediate, abs_target)
            else:
                shutil.copy(intermediate, abs_target)

    # Upstream master's name for the same thing.
    copy_from_machine = copy_from_vm

    # --- power and network ---------------------------------------------------

    def wait_for_shutdown(self) -> None:
        if not self.booted:
            return

        with self.nested("waiting for the VM to power off"):
            sys.stdout.flush()
            assert self.process
            self.process.wait()

            self.pid = None
            self.booted = False
            self.connected = False
            _live_machines.discard(self)

    def shutdown(self) -> None:
        """Shut down the machine, waiting for the VM to exit."""
        if not self.booted:
            return
        assert self.shell
        self.shell.send(b"poweroff\n")
        self.wait_for_shutdown()

    def crash(self) -> None:
        """Simulate a sudden power failure: QEMU quits at once."""
        if not self.booted:
            return
        self.log("forced crash")
        self.send_monitor_command("quit")
        self.wait_for_shutdown()

    def reboot(self) -> None:
        """Press Ctrl+Alt+Delete; the next command reconnects (needs a
        machine started with allow_reboot=True)."""
        self.send_key("ctrl-alt-delete")
        self.connected = False

    def wait_for_x(self, timeout: int = 900) -> None:
        """Wait until it is possible to connect to the X server."""

        def check_x(_last_try: bool) -> bool:
            cmd = (
                "journalctl -b SYSLOG_IDENTIFIER=systemd | "
                + 'grep "Reached target Current graphical"'
            )
            status, _ = self.execute(cmd)
            if status != 0:
                return False
            status, _ = self.execute("[ -e /tmp/.X11-unix/X0 ]")
            return status == 0

        with self.nested("waiting for the X11 server"):
            retry(check_x, timeout)

    def get_window_names(self) -> List[str]:
        return self.succeed(
            r"xwininfo -root -tree | sed 's/.*0x[0-9a-f]* \"\([^\"]*\)\".*/\1/; t; d'"
        ).splitlines()

    def wait_for_window(self, regexp: str, timeout: int = 900) -> None:
        """Wait until an X11 window whose name matches regexp appears."""
        pattern = re.compile(regexp)

        def window_is_visible(last_try: bool) -> bool:
            names = self.get_window_names()
            if last_try:
                self.log(
                    f"Last chance to match {regexp} on the window list,"
                    + " which currently contains: "
                    + ", ".join(names)
                )
            return any(pattern.search(name) for name in names)

        with self.nested("waiting for a window to appear"):
            retry(window_is_visible, timeout)

    def sleep(self, secs: int) -> None:
        # Guest time, not host time.
        self.succeed(f"sleep {secs}")

    def forward_port(self, host_port: int = 8080, guest_port: int = 80) -> None:
        """Forward a host TCP port to a guest TCP port (user networking)."""
        self.send_monitor_command(f"hostfwd_add tcp::{host_port}-:{guest_port}")

    def block(self) -> None:
        """Unplug the machine from the test VLAN (its eth1); eth0 stays."""
        self.send_monitor_command("set_link virtio-net-pci.1 off")

    def unblock(self) -> None:
        """Undo the effect of `block`."""
        self.send_monitor_command("set_link virtio-net-pci.1 on")

    def release(self) -> None:
        """Kill QEMU (and its start command) and close the connections."""
        if self.pid is None:
            return
        self.logger.info(f"kill machine (pid {self.pid})")
        assert self.process

        _terminate_tree(self.process)
        for conn in (self.shell, self.monitor):
            if conn is not None:
                conn.close()
        if self.serial_thread is not None:
            self.serial_thread.join(timeout=10)
        if self.qmp_client:
            self.qmp_client.close()
            self.qmp_client = None

        self.pid = None
        self.booted = False
        self.connected = False
        _live_machines.discard(self)

    def switch_root(self) -> None:
        """Stage 1 to stage 2 (systemd initrd); not applicable to the demo
        guest, kept for the same surface as upstream."""
        self.wait_for_unit("initrd.target")
        self.execute(
            "systemctl isolate --no-block initrd-switch-root.target 2>/dev/null >/dev/null",
            check_return=False,
            check_output=False,
        )
        self.connected = False
        self.connect()


# Upstream master's name for this class.
QemuMachine = Machine


class _FifoShell:
    """The driver's end of a container's backdoor: two FIFOs in the state
    directory (`backdoor/in`, `backdoor/out`) standing in for the socket a
    VM's virtconsole connects to, with the socket calls Machine uses."""

    def __init__(self, directory: Path, alive: Callable[[], bool]) -> None:
        self._alive = alive
        directory.mkdir(mode=0o700, exist_ok=True)
        for name in ("in", "out"):
            path = directory / name
            if path.exists():
                path.unlink()
            os.mkfifo(path, 0o600)
        # Read-write opens never block and never see EOF while we hold them:
        # the container may open its ends late or reopen them (respawn).
        self._to_guest = os.open(directory / "in", os.O_RDWR | os.O_CLOEXEC)
        self._from_guest = os.open(directory / "out", os.O_RDWR | os.O_CLOEXEC)

    def fileno(self) -> int:
        return self._from_guest

    def recv(self, size: int) -> bytes:
        # Holding the write end ourselves, a FIFO never reports EOF: a
        # container that is gone reads as a closed connection instead, as a
        # VM's socket would.
        while True:
            ready, _, _ = select.select([self._from_guest], [], [], 0.5)
            if ready:
                return os.read(self._from_guest, size)
            if not self._alive():
                return b""

    def send(self, data: bytes) -> int:
        view = memoryview(data)
        while view:
            view = view[os.write(self._to_guest, view) :]
        return len(data)

    def close(self) -> None:
        for fd in (self._to_guest, self._from_guest):
            try:
                os.close(fd)
            except OSError:
                pass


class NixContainerStartScript(StartCommand):
    """A `run-<name>-container` start script: systemd-nspawn around the
    node's tree. It takes no QEMU options; the backdoor's FIFOs are in the
    state directory where the script looks for them."""

    def __init__(self, script: str):
        self._cmd = script

    @property
    def machine_name(self) -> str:
        match = re.search("run-(.+)-container$", self._cmd)
        return match.group(1) if match else "container"

    def run_container(self, state_dir: Path, shared_dir: Path) -> subprocess.Popen:
        return subprocess.Popen(
            [self._cmd],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=state_dir,
            env=self.build_environment(state_dir, shared_dir),
        )


class NspawnMachine(Machine):
    """A `containers.<name>` node (nixos-26.05): the demo guest's tree under
    systemd-nspawn. Same backdoor protocol and console as a VM (the console
    is the start script's stdin and stdout); no QEMU monitor, no QMP, no
    framebuffer, so the screen and keyboard methods raise."""

    start_command: NixContainerStartScript  # type: ignore[assignment]
    runner = "systemd-nspawn"

    def __repr__(self) -> str:
        return f"<NspawnMachine '{self.name}'>"

    def start(self, allow_reboot: bool = False) -> None:
        if self.booted:
            return
        self.log("starting container")
        shell = _FifoShell(
            self.state_dir / "backdoor",
            lambda: self.process is not None and self.process.poll() is None,
        )
        self.shell = shell  # type: ignore[assignment]
        self.process = self.start_command.run_container(self.state_dir, self.shared_dir)
        self.pid = self.process.pid
        _live_machines.add(self)
        self._follow_console(f"console-{self.name}")
        self.booted = True
        self.log(f"systemd-nspawn running (pid {self.pid})")

    def _no_monitor(self, what: str) -> MachineError:
        return MachineError(
            f"{self.name} is a container: it has no QEMU monitor ({what})"
        )

    def send_monitor_command(self, command: str) -> str:
        raise self._no_monitor(f"send_monitor_command({command!r})")

    def wait_for_qmp_event(self, *args: Any, **kwargs: Any) -> Dict[str, Any]:
        raise self._no_monitor("wait_for_qmp_event")

    def screenshot(self, filename: str) -> None:
        raise MachineError(f"{self.name} is a container: it has no screen")

    def _get_screen_text_variants(self, model_ids: Iterable[int]) -> List[str]:
        raise MachineError(f"{self.name} is a container: it has no screen")

    def send_key(
        self, key: str, delay: Optional[float] = 0.01, log: Optional[bool] = True
    ) -> None:
        raise MachineError(f"{self.name} is a container: it has no keyboard")

    def forward_port(self, host_port: int = 8080, guest_port: int = 80) -> None:
        raise self._no_monitor("forward_port")

    def block(self) -> None:
        """Take the container's first VLAN interface down."""
        self.succeed("ip link set eth1 down")

    def unblock(self) -> None:
        self.succeed("ip link set eth1 up")

    def crash(self) -> None:
        """Kill the container at once."""
        if not self.booted:
            return
        self.log("forced crash")
        self._kill()

    def reboot(self) -> None:
        raise MachineError(f"{self.name} is a container: the demo cannot reboot it")

    def release(self) -> None:
        self._kill()

    def _kill(self) -> None:
        # Not through release(): tools that wrap release() read it as an
        # orderly end, which a crash is not.
        if self.pid is None:
            if self.shell is not None:
                self.shell.close()
                self.shell = None
            return
        self.logger.info(f"kill container (pid {self.pid})")
        assert self.process
        _terminate_tree(self.process)
        if self.shell is not None:
            self.shell.close()
            self.shell = None
        if self.serial_thread is not None:
            self.serial_thread.join(timeout=10)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        self.pid = None
        self.booted = False
        self.connected = False
        _live_machines.discard(self)
