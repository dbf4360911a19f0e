"""The Driver: VLANs, machines and the test script's namespace.

Shaped like the nixos-24.11/25.05 `Driver(start_scripts, vlans, tests,
out_dir, logger, keep_vm_state, global_timeout)`; it also takes upstream
master's keyword form `Driver(config=..., out_dir=..., logger=...,
keep_machine_state=...)` for the configuration era, and then also exposes
master's extra symbols (machines_qemu, machines_nspawn, BaseMachine, debug).
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
from typing import Any, Callable, Dict, Iterator, List, Optional, Union
from unittest import TestCase

from test_driver.config import DriverConfiguration, load_driver_configuration
from test_driver.debug import DebugAbstract, DebugNop
from test_driver.errors import MachineError, RequestedAssertionFailed
from test_driver.logger import AbstractLogger
from test_driver.machine import Machine, NixStartScript, retry
from test_driver.polling_condition import PollingCondition
from test_driver.vlan import VLan

__all__ = ["Driver", "DriverConfiguration", "load_driver_configuration"]

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


class Driver:
    """A handle to the driver that sets up the environment
    and runs the tests"""

    tests: str
    vlans: List[VLan]
    machines: List[Machine]
    polling_conditions: List[PollingCondition]
    global_timeout: int
    race_timer: threading.Timer
    logger: AbstractLogger
    config: Optional[DriverConfiguration]

    def __init__(
        self,
        start_scripts: Optional[List[str]] = None,
        vlans: Optional[List[int]] = None,
        tests: Optional[str] = None,
        out_dir: Optional[Path] = None,
        logger: Optional[AbstractLogger] = None,
        keep_vm_state: bool = False,
        global_timeout: Optional[int] = DEFAULT_GLOBAL_TIMEOUT,
        *,
        config: Optional[DriverConfiguration] = None,
        keep_machine_state: Optional[bool] = None,
        debug: Optional[DebugAbstract] = None,
    ):
        if logger is None:
            raise TypeError("Driver needs a logger")
        if keep_machine_state is not None:
            keep_vm_state = keep_machine_state
        self.config = config

        names: List[Optional[str]]
        if config is not None:
            if config.containers:
                raise MachineError(
                    "the demo driver cannot run systemd-nspawn containers: "
                    + ", ".join(config.containers)
                )
            names = [vm.name for vm in config.vms.values()]
            start_scripts = [str(vm.start_script) for vm in config.vms.values()]
            vlans = list(config.vlans)
            tests = Path(config.test_script).read_text()
            global_timeout = int(config.global_timeout.total_seconds())
        else:
            start_scripts = list(start_scripts or [])
            names = [None] * len(start_scripts)

        self.tests = tests or ""
        self.out_dir = Path(out_dir) if out_dir is not None else Path.cwd()
        self.global_timeout = (
            DEFAULT_GLOBAL_TIMEOUT if global_timeout is None else int(global_timeout)
        )
        self.race_timer = threading.Timer(self.global_timeout, self.terminate_test)
        self.race_timer.daemon = True
        self.logger = logger
        self.debug = debug if debug is not None else DebugNop()

        tmp_dir = get_tmp_dir()

        with self.logger.nested("start all VLans"):
            # The environment era hands the numbers over as strings.
            numbers = sorted({int(nr) for nr in (vlans or [])})
            self.vlans = []
            try:
                for nr in numbers:
                    self.vlans.append(VLan(nr, tmp_dir, self.logger))
            except BaseException:
                self._stop_vlans()
                raise

        self.polling_conditions = []

        self.machines = []
        for name, script in zip(names, start_scripts):
            cmd = NixStartScript(script)
            self.machines.append(
                Machine(
                    start_command=cmd,
                    keep_vm_state=keep_vm_state,
                    name=name or cmd.machine_name,
                    tmp_dir=tmp_dir,
                    callbacks=[self.check_polling_conditions],
                    out_dir=self.out_dir,
                    logger=self.logger,
                )
            )

    def __enter__(self) -> "Driver":
        return self

    def __exit__(self, *_: Any) -> None:
        with self.logger.nested("cleanup"):
            self.race_timer.cancel()
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
            machines=self.machines,
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
            Machine=Machine,  # for typing
            t=AssertionTester(),
        )
        if self.config is not None:
            general_symbols.update(
                machines_qemu=self.machines,
                machines_nspawn=[],
                BaseMachine=Machine,
                debug=self.debug,
            )
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

    def create_machine(
        self,
        start_command: str,
        *,
        name: Optional[str] = None,
        keep_vm_state: bool = False,
    ) -> Machine:
        tmp_dir = get_tmp_dir()
        cmd = NixStartScript(start_command)
        return Machine(
            tmp_dir=tmp_dir,
            out_dir=self.out_dir,
            start_command=cmd,
            name=name or cmd.machine_name,
            keep_vm_state=keep_vm_state,
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
