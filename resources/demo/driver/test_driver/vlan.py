"""One vde_switch per VLAN number; the start scripts find it through
$QEMU_VDE_SOCKET_<nr>.

How the driver knows its switch is up follows the generation
(test_driver.generation), because that is where upstream drivers differ when
the switch dies during start-up:

- environment era: the ctl socket is polled until the switch answers (or it
  exits, or 10 s pass), then the driver goes on or fails at once.
- configuration era (master): as upstream, the driver writes `showinfo` to
  the switch's stdin and reads its stdout until `1000 Success`, giving up
  only when 5 s pass without anything to read. A switch that dies after the
  command reached its pipe leaves an end of file, which is always readable:
  the wait never times out and the driver stays in its VLAN start-up until
  it is killed (measured against upstream's reader with Debian's vde_switch
  2.3.2). A switch that is alive but silent (stopped) fails after 5 s.

NIXTIDE_DEMO_VDE_SWITCH_DIES=1 is a fault for tests: the switch is killed
right after `showinfo` reached its pipe and before it could answer, the
moment at which a real switch's death makes the newer driver wait.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

from test_driver.generation import GENERATION
from test_driver.logger import AbstractLogger

# Upstream's allowance for each read of the switch's answer.
ANSWER_TIMEOUT_SECONDS = 5.0


class VLan:
    """A switch whose lifetime is the object's (until `stop`)."""

    nr: int
    socket_dir: Path
    process: subprocess.Popen
    pid: int

    def __repr__(self) -> str:
        return f"<Vlan Nr. {self.nr}>"

    def __init__(self, nr: int, tmp_dir: Path, logger: AbstractLogger):
        self.nr = int(nr)
        self.socket_dir = Path(tmp_dir) / f"vde{self.nr}.ctl"
        self.logger = logger

        # As upstream, the machines' start scripts inherit this through the
        # driver's own environment.
        os.environ[f"QEMU_VDE_SOCKET_{self.nr}"] = str(self.socket_dir)

        self.logger.info("start vlan")
        self._clear_stale_socket_dir()
        if GENERATION == "configuration":
            self._start_and_read_answer()
        else:
            self._start_and_poll_socket()
        self.logger.info(f"running vlan (pid {self.pid}; ctl {self.socket_dir})")

    def _start_and_poll_socket(self) -> None:
        # vde_switch reads console commands from stdin and quits at EOF: the
        # pipe stays open (and unused) for as long as the switch should run.
        self.process = subprocess.Popen(
            ["vde_switch", "-s", str(self.socket_dir), "--dirmode", "0700"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=None,
        )
        self.pid = self.process.pid

        ctl = self.socket_dir / "ctl"
        deadline = time.monotonic() + 10
        while not self._switch_answers(ctl):
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"cannot start vde_switch (exit code {self.process.returncode})"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("cannot start vde_switch: no ctl socket")
            time.sleep(0.02)

    def _start_and_read_answer(self) -> None:
        self.process = subprocess.Popen(
            ["vde_switch", "-s", str(self.socket_dir), "--dirmode", "0700"],
            bufsize=1,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,
            text=True,
        )
        self.pid = self.process.pid
        assert self.process.stdin is not None and self.process.stdout is not None
        dies = os.environ.get("NIXTIDE_DEMO_VDE_SWITCH_DIES") == "1"
        if dies:
            # Stopped first, so that it cannot answer before it dies.
            os.kill(self.pid, signal.SIGSTOP)
        self.process.stdin.write("showinfo\n")
        if dies:
            os.kill(self.pid, signal.SIGKILL)
        # The answer ends with "1000 Success"; by then the ctl socket exists.
        for line in self._answer_lines():
            if "1000 Success" in line:
                break
        assert (self.socket_dir / "ctl").exists(), "cannot start vde_switch"

    def _answer_lines(self) -> Iterator[str]:
        """The switch's stdout line by line, failing with TimeoutError when
        nothing is readable for ANSWER_TIMEOUT_SECONDS. As upstream's reader,
        an end of file is readable and yields no line, so it is waited past
        for ever rather than reported."""
        stdout = self.process.stdout
        assert stdout is not None
        fd = stdout.fileno()
        os.set_blocking(fd, False)
        try:
            while True:
                readable, _, _ = select.select([fd], [], [], ANSWER_TIMEOUT_SECONDS)
                if not readable:
                    raise TimeoutError()
                # Everything buffered, before select() is asked again: a
                # line already in the buffer makes the fd look idle.
                while True:
                    line = stdout.readline()
                    if not line:
                        break
                    yield line
        finally:
            os.set_blocking(fd, True)

    @staticmethod
    def _switch_answers(ctl: Path) -> bool:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(str(ctl))
            return True
        except OSError:
            return False
        finally:
            s.close()

    def _clear_stale_socket_dir(self) -> None:
        # Left by a switch that was killed: vde_switch refuses to bind over
        # it. A directory whose switch still answers belongs to someone else
        # (another run sharing this TMPDIR): never take it over.
        ctl = self.socket_dir / "ctl"
        if not self.socket_dir.exists():
            return
        if self._switch_answers(ctl):
            raise RuntimeError(
                f"cannot start vlan {self.nr}: {self.socket_dir} belongs to a "
                "running vde_switch (another test run in the same TMPDIR?)"
            )
        shutil.rmtree(self.socket_dir)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.logger.info(f"kill vlan (pid {self.pid})")
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdin:
            self.process.stdin.close()
        if self.process.stdout:
            self.process.stdout.close()
