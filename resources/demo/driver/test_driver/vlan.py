"""One vde_switch per VLAN number; the start scripts find it through
$QEMU_VDE_SOCKET_<nr>."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from test_driver.logger import AbstractLogger


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

        self.logger.info(f"running vlan (pid {self.pid}; ctl {self.socket_dir})")

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
