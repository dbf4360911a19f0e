"""The Driver: VLANs, machines and the test script's namespace, in the
shape of the generation this copy of the driver behaves as
(test_driver.generation):

- environment era (nixos-22.11 to 25.05): `Driver(start_scripts, vlans,
  tests, out_dir, logger, keep_vm_state, global_timeout)` builds the VLANs
  and machines in the constructor; `machines` is a list.
- configuration era (master): `Driver(config=..., out_dir=..., logger=...,
  keep_machine_state=..., debug=...)` only keeps the configuration; the
  VLANs and machines are built when the driver is entered (`with Driver(...)
  as driver:`), and `machines` is a property over `machines_qemu` and
  `machines_nspawn`. Until then the driver has no machine.

`Driver` names the class of this copy's generation; both classes stay
importable (the unit tests use each).
"""

from __future__ import annotations

import os
import re
import signal
import sys
import tempfile
import threading
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Optional, Union
from unittest import TestCase

from test_driver.debug import DebugAbstract, DebugNop
from test_driver.errors import MachineError, RequestedAssertionFailed
from test_driver.generation import GENERATION
from test_driver.logger import AbstractLogger
from test_driver.machine import (
    Machine,
    NixContainerStartScript,
    NixStartScript,
    NspawnMachine,
    retry,
)
from test_driver.polling_condition import PollingCondition
from test_driver.vlan import VLan

if GENERATION == "configuration" or TYPE_CHECKING:
    # Needs pydantic, which the environment era's Python does not have.
    from test_driver.config import DriverConfiguration, load_driver_configuration

__all__ = [
    "ConfigurationDriver",
    "Driver",
    "DriverConfiguration",
    "EnvironmentDriver",
    "load_driver_configuration",
]

DEFAULT_GLOBAL_TIMEOUT = 24 * 60 * 60 * 7


class AssertionTester(TestCase):
    """`t` in test scripts: unittest assertions whose failures get the
    test-script treatment (RequestedAssertionFailed)."""

    failureException = RequestedAssertionFailed

    def __init__(self) -> None:
        super().__init__("runTest")

    def runTest(self) -> None:  # TestCase wants a method to name
        pass


def get_tmp_dir() -> Path:
    """XDG_RUNTIME_DIR, else TMPDIR/TEMP/TMP/cwd; must be a writeable dir."""
    tmp_dir = Path(os.environ.get("XDG_RUNTIME_DIR", tempfile.gettempdir()))
    tmp_dir.mkdir(mode=0o700, exist_ok=True)
    if not tmp_dir.is_dir():
        raise NotADirectoryError(
            f"The directory defined by XDG_RUNTIME_DIR, TMPDIR, TEMP, TMP or CWD: {tmp_dir} is not a directory"
        )
    if not os.access(tmp_dir, os.W_OK):
        raise PermissionError(
            f"The directory defined by XDG_RUNTIME_DIR, TMPDIR, TEMP, TMP, or CWD: {tmp_dir} is not writeable"
        )
    return tmp_dir


def pythonize_name(name: str) -> str:
    return re.sub(r"^[^A-Za-z_]|[^A-Za-z0-9_]", "_", name)


class _BaseDriver:
    """What both generations share: the script, its namespace, the timer."""

    tests: str
    vlans: List[VLan]
    polling_conditions: List[PollingCondition]
    global_timeout: int
    race_timer: threading.Timer
    logger: AbstractLogger
    debug: DebugAbstract

    machines: List[Machine]

    def __init__(
        self,
        tests: str,
        out_dir: Optional[Path],
        logger: AbstractLogger,
        global_timeout: Optional[int],
        debug: Optional[DebugAbstract],
    ) -> None:
        self.tests = tests
        self.out_dir = Path(out_dir) if out_dir is not None else Path.cwd()
        self.global_timeout = (
            DEFAULT_GLOBAL_TIMEOUT if global_timeout is None else int(global_timeout)
        )
        self.logger = logger
        self.debug = debug if debug is not None else DebugNop()
        self.vlans = []
        self.polling_conditions = []

    def _new_race_timer(self) -> None:
        self.race_timer = threading.Timer(self.global_timeout, self.terminate_test)
        self.race_timer.daemon = True

    def _start_vlans(self, numbers: List[Any], tmp_dir: Path) -> None:
        with self.logger.nested("start all VLans"):
            # The environment era hands the numbers over as strings.
            self.vlans = []
            try:
                for nr in sorted({int(nr) for nr in numbers}):
                    self.vlans.append(VLan(nr, tmp_dir, self.logger))
            except BaseException:
                self._stop_vlans()
                raise

    def _new_machine(
        self, start_script: str, name: Optional[str], keep_state: bool, tmp_dir: Path
    ) -> Machine:
        cmd = NixStartScript(start_script)
        return Machine(
            start_command=cmd,
            keep_vm_state=keep_state,
            name=name or cmd.machine_name,
            tmp_dir=tmp_dir,
            callbacks=[self.check_polling_conditions],
            out_dir=self.out_dir,
            logger=self.logger,
        )

    def __enter__(self) -> "_BaseDriver":
        return self

    def __exit__(self, *_: Any) -> None:
        with self.logger.nested("cleanup"):
            timer = getattr(self, "race_timer", None)
            if timer is not None:
                timer.cancel()
            for machine in self.machines:
                try:
                    machine.release()
                except Exception as e:
                    self.logger.warning(f"Error during cleanup of {machine.name}: {e}")
            self._stop_vlans()

    def _stop_vlans(self) -> None:
        for vlan in self.vlans:
            try:
                vlan.stop()
            except Exception as e:
                self.logger.warning(f"Error during cleanup of vlan{vlan.nr}: {e}")

    def subtest(self, name: str) -> Iterator[None]:
        """Group logs under a given test name"""
        with self.logger.subtest(name):
            try:
                yield
                return True
            except Exception as e:
                self.logger.log_test_error(f'Test "{name}" failed with error: "{e}"')
                raise e

    def test_symbols(self) -> Dict[str, Any]:
        @contextmanager
        def subtest(name: str) -> Iterator[None]:
            return self.subtest(name)

        general_symbols = dict(
            start_all=self.start_all,
            test_script=self.test_script,
            vlans=self.vlans,
            driver=self,
            log=self.logger,
            os=os,
            create_machine=self.create_machine,
            subtest=subtest,
            run_tests=self.run_tests,
            join_all=self.join_all,
            retry=retry,
            serial_stdout_off=self.serial_stdout_off,
            serial_stdout_on=self.serial_stdout_on,
            polling_condition=self.polling_condition,
            t=AssertionTester(),
        )
        general_symbols.update(self._era_symbols())
        machine_symbols = {pythonize_name(m.name): m for m in self.machines}
        # A lone machine is also "machine", whatever it is called.
        if len(self.machines) == 1:
            (machine_symbols["machine"],) = self.machines
        vlan_symbols = {
            f"vlan{v.nr}": self.vlans[idx] for idx, v in enumerate(self.vlans)
        }
        print(
            "additionally exposed symbols:\n    "
            + ", ".join(map(lambda m: m.name, self.machines))
            + ",\n    "
            + ", ".join(map(lambda v: f"vlan{v.nr}", self.vlans))
            + ",\n    "
            + ", ".join(list(general_symbols.keys()))
        )
        return {**general_symbols, **machine_symbols, **vlan_symbols}

    def test_script(self) -> None:
        """Run the test script"""
        with self.logger.nested("run the VM test script"):
            symbols = self.test_symbols()  # call eagerly
            try:
                exec(self.tests, symbols, None)
            except MachineError:
                for line in traceback.format_exc().splitlines():
                    self.logger.log_test_error(line)
                sys.exit(1)
            except RequestedAssertionFailed:
                self._log_test_script_error()
                self.debug.breakpoint()
                sys.exit(1)
            except Exception:
                self.debug.breakpoint()
                raise

    def _log_test_script_error(self) -> None:
        # Only the test script's frames (its file name is "<string>"), each
        # followed by the line of the script that it ran.
        exc_type, exc, tb = sys.exc_info()
        frames = [f for f in traceback.extract_tb(tb) if f.filename == "<string>"]
        self.logger.log_test_error("Traceback (most recent call last):")
        code = self.tests.splitlines()
        for frame, text in zip(frames, traceback.format_list(frames)):
            self.logger.log_test_error(text.rstrip())
            if frame.lineno and frame.lineno <= len(code):
                self.logger.log_test_error(f"    {code[frame.lineno - 1].strip()}")
        self.logger.log_test_error("")
        prefix = exc_type.__name__ if exc_type is not None else "Error"
        for line in f"{prefix}: {exc}".splitlines():
            self.logger.log_test_error(line)

    def run_tests(self) -> None:
        """Run the test script (for non-interactive test runs)"""
        self.logger.info(
            f"Test will time out and terminate in {self.global_timeout} seconds"
        )
        self.race_timer.start()
        self.test_script()
        for machine in self.machines:
            if machine.is_up():
                machine.execute("sync")

    def start_all(self) -> None:
        """Start all machines"""
        with self.logger.nested("start all VMs"):
            for machine in self.machines:
                machine.start()

    def join_all(self) -> None:
        """Wait for all machines to shut down"""
        with self.logger.nested("wait for all VMs to finish"):
            for machine in self.machines:
                machine.wait_for_shutdown()
            self.race_timer.cancel()

    def terminate_test(self) -> None:
        # Runs on the timer's thread: kill the machines, then SIGTERM our own
        # process so the main thread cannot swallow the end of the test.
        with self.logger.nested("timeout reached; test terminating..."):
            for machine in self.machines:
                machine.release()
            os.kill(os.getpid(), signal.SIGTERM)

    def _create_machine(
        self, start_command: str, name: Optional[str], keep_state: bool
    ) -> Machine:
        cmd = NixStartScript(start_command)
        return Machine(
            tmp_dir=get_tmp_dir(),
            out_dir=self.out_dir,
            start_command=cmd,
            name=name or cmd.machine_name,
            keep_vm_state=keep_state,
            logger=self.logger,
        )

    def serial_stdout_on(self) -> None:
        self.logger.print_serial_logs(True)

    def serial_stdout_off(self) -> None:
        self.logger.print_serial_logs(False)

    def check_polling_conditions(self) -> None:
        for condition in self.polling_conditions:
            condition.maybe_raise()

    def polling_condition(
        self,
        fun_: Optional[Callable] = None,
        *,
        seconds_interval: float = 2.0,
        description: Optional[str] = None,
    ) -> Union[Callable[[Callable], Any], Any]:
        driver = self

        class Poll:
            def __init__(self, fun: Callable):
                self.condition = PollingCondition(
                    fun, driver.logger, seconds_interval, description
                )

            def __enter__(self) -> None:
                driver.polling_conditions.append(self.condition)

            def __exit__(self, a, b, c) -> None:  # type: ignore
                res = driver.polling_conditions.pop()
                assert res is self.condition

            def wait(self, timeout: int = 900) -> None:
                def condition(last: bool) -> bool:
                    if last:
                        driver.logger.info(
                            f"Last chance for {self.condition.description}"
                        )
                    ret = self.condition.check(force=True)
                    if not ret and not last:
                        driver.logger.info(
                            f"({self.condition.description} failure not fatal yet)"
                        )
                    return ret

                with driver.logger.nested(f"waiting for {self.condition.description}"):
                    retry(condition, timeout)

        if fun_ is None:
            return Poll
        return Poll(fun_)


class EnvironmentDriver(_BaseDriver):
    """nixos-22.11 to 25.05: everything is built in the constructor."""

    def __init__(
        self,
        start_scripts: List[str],
        vlans: List[Any],
        tests: str,
        out_dir: Path,
        logger: AbstractLogger,
        keep_vm_state: bool = False,
        global_timeout: Optional[int] = DEFAULT_GLOBAL_TIMEOUT,
        debug: Optional[DebugAbstract] = None,
    ):
        super().__init__(tests, out_dir, logger, global_timeout, debug)
        self._new_race_timer()
        tmp_dir = get_tmp_dir()
        self._start_vlans(list(vlans or []), tmp_dir)
        self.machines = [
            self._new_machine(script, None, keep_vm_state, tmp_dir)
            for script in (start_scripts or [])
        ]

    def _era_symbols(self) -> Dict[str, Any]:
        return dict(machines=self.machines, Machine=Machine)

    def create_machine(
        self,
        start_command: str,
        *,
        name: Optional[str] = None,
        keep_vm_state: bool = False,
    ) -> Machine:
        return self._create_machine(start_command, name, keep_vm_state)


class ConfigurationDriver(_BaseDriver):
    """Upstream master: the constructor keeps the configuration; VLANs and
    machines exist from `__enter__` on."""

    config: "DriverConfiguration"
    machines_qemu: List[Machine]
    machines_nspawn: List[Machine]

    def __init__(
        self,
        config: "DriverConfiguration",
        out_dir: Path,
        logger: AbstractLogger,
        keep_machine_state: bool = False,
        debug: Optional[DebugAbstract] = None,
    ):
        super().__init__(
            Path(config.test_script).read_text(),
            out_dir,
            logger,
            int(config.global_timeout.total_seconds()),
            debug,
        )
        self.config = config
        self.keep_machine_state = keep_machine_state
        self.vm_start_scripts = {
            vm.name: str(vm.start_script) for vm in config.vms.values()
        }
        self.container_start_scripts = {
            c.name: str(c.start_script) for c in config.containers.values()
        }
        self.vlan_ids = list(config.vlans)
        self.machines_qemu = []
        self.machines_nspawn = []

    @property
    def machines(self) -> List[Machine]:  # type: ignore[override]
        # By name, as upstream orders VMs and containers together.
        return sorted(self.machines_qemu + self.machines_nspawn, key=lambda m: m.name)

    def __enter__(self) -> "ConfigurationDriver":
        self._new_race_timer()
        tmp_dir = get_tmp_dir()
        self._start_vlans(self.vlan_ids, tmp_dir)
        try:
            self.machines_qemu = [
                self._new_machine(script, name, self.keep_machine_state, tmp_dir)
                for name, script in self.vm_start_scripts.items()
            ]
            self.machines_nspawn = [
                self._new_container(script, name, tmp_dir)
                for name, script in self.container_start_scripts.items()
            ]
        except BaseException:
            self._stop_vlans()
            raise
        return self

    def _new_container(self, start_script: str, name: str, tmp_dir: Path) -> NspawnMachine:
        return NspawnMachine(
            start_command=NixContainerStartScript(start_script),
            keep_vm_state=self.keep_machine_state,
            name=name,
            tmp_dir=tmp_dir,
            callbacks=[self.check_polling_conditions],
            out_dir=self.out_dir,
            logger=self.logger,
        )

    def _era_symbols(self) -> Dict[str, Any]:
        return dict(
            machines=self.machines,
            machines_qemu=self.machines_qemu,
            machines_nspawn=self.machines_nspawn,
            BaseMachine=Machine,  # for typing
            QemuMachine=Machine,  # for typing
            NspawnMachine=NspawnMachine,  # for typing
            debug=self.debug,
        )

    def create_machine(
        self,
        start_command: str,
        *,
        name: Optional[str] = None,
        keep_machine_state: bool = False,
    ) -> Machine:
        return self._create_machine(start_command, name, keep_machine_state)


Driver: Any = ConfigurationDriver if GENERATION == "configuration" else EnvironmentDriver
