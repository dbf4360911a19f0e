"""nixtide's demo driver: a stand-in for the NixOS test driver
(`nixos/lib/test-driver/src/test_driver`, nixos-24.11/25.05 layout) that
runs the demo tests against the Debian-made guest.

`main()` reads either generation of input:
- environment era: `startScripts`, `testScript`, `vlans`, `globalTimeout`
  through the `EnvDefault` action (or the matching options), the test
  script as positional argument; interactive mode calls
  `ptpython.repl.embed(symbols, {}, ...)`;
- configuration era: `--config driverConfiguration.json` (and
  `--log-level`), as upstream master; interactive mode calls
  `ptpython.ipython.embed(user_ns=symbols, ...)`.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import ptpython.ipython
import ptpython.repl

from test_driver.driver import Driver, DriverConfiguration, load_driver_configuration
from test_driver.logger import (
    CompositeLogger,
    JunitXMLLogger,
    LogLevel,
    TerminalLogger,
    XMLLogger,
)


class EnvDefault(argparse.Action):
    """An argparse Action that takes values from the specified
    environment variable as the flags default value.
    """

    def __init__(self, envvar, required=False, default=None, nargs=None, **kwargs):  # type: ignore
        if not default and envvar:
            if envvar in os.environ:
                if nargs is not None and (nargs.isdigit() or nargs in ["*", "+"]):
                    default = os.environ[envvar].split()
                else:
                    default = os.environ[envvar]
                kwargs["help"] = (
                    kwargs["help"] + f" (default from environment: {default})"
                )
        if required and default:
            required = False
        super().__init__(default=default, required=required, nargs=nargs, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):  # type: ignore
        setattr(namespace, self.dest, values)


def writeable_dir(arg: str) -> Path:
    """Raises an ArgumentTypeError if the given argument isn't a writeable
    directory: fail early rather than after a long test run."""
    path = Path(arg)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{path} is not a directory")
    if not os.access(path, os.W_OK):
        raise argparse.ArgumentTypeError(f"{path} is not a writeable directory")
    return path


LOG_LEVELS = {level.name.lower(): level for level in LogLevel}


def build_arg_parser() -> argparse.ArgumentParser:
    arg_parser = argparse.ArgumentParser(prog="nixos-test-driver")
    arg_parser.add_argument(
        "-c",
        "--config",
        help="the test driver configuration file (configuration era)",
        type=Path,
    )
    arg_parser.add_argument(
        "-K",
        "--keep-vm-state",
        "--keep-machine-state",
        dest="keep_vm_state",
        help="re-use a VM state coming from a previous run",
        action="store_true",
    )
    arg_parser.add_argument(
        "-I",
        "--interactive",
        help="drop into a python repl and run the tests interactively",
        action=argparse.BooleanOptionalAction,
    )
    arg_parser.add_argument(
        "--start-scripts",
        metavar="START-SCRIPT",
        action=EnvDefault,
        envvar="startScripts",
        nargs="*",
        help="start scripts for participating virtual machines",
    )
    arg_parser.add_argument(
        "--vlans",
        metavar="VLAN",
        action=EnvDefault,
        envvar="vlans",
        nargs="*",
        help="vlans to span by the driver",
    )
    arg_parser.add_argument(
        "--global-timeout",
        type=int,
        metavar="GLOBAL_TIMEOUT",
        action=EnvDefault,
        envvar="globalTimeout",
        help="Timeout in seconds for the whole test",
    )
    arg_parser.add_argument(
        "-o",
        "--output_directory",
        help="""The path to the directory where outputs copied from the VM will be placed.
                By e.g. Machine.copy_from_vm or Machine.screenshot""",
        default=Path.cwd(),
        type=writeable_dir,
    )
    arg_parser.add_argument(
        "--junit-xml",
        help="Enable JunitXML report generation to the given path",
        type=Path,
    )
    arg_parser.add_argument(
        "--log-level",
        metavar="LOG_LEVEL",
        action=EnvDefault,
        envvar="logLevel",
        choices=LOG_LEVELS,
        help="Set the log level",
    )
    arg_parser.add_argument(
        "testscript",
        action=EnvDefault,
        envvar="testScript",
        nargs="?",
        help="the test script to run (environment era)",
        type=Path,
    )
    return arg_parser


def parse_args(argv: Any = None) -> argparse.Namespace:
    arg_parser = build_arg_parser()
    args = arg_parser.parse_args(argv)
    if args.config is None and args.testscript is None:
        arg_parser.error("the following arguments are required: testscript")
    if args.config is not None and args.testscript is not None:
        arg_parser.error("give either --config or a test script, not both")
    return args


def _exit_on_signal(signum: int, _frame: Any) -> None:
    # Unwinds through `with Driver(...)`, which kills the VMs and switches.
    raise SystemExit(128 + signum)


def _install_signal_handlers() -> None:
    for signum in (signal.SIGTERM, signal.SIGHUP):
        # Leave a handler that someone else (a debugger agent) set alone.
        if signal.getsignal(signum) in (signal.SIG_DFL, None):
            signal.signal(signum, _exit_on_signal)


def main() -> None:
    args = parse_args()
    _install_signal_handlers()

    output_directory = args.output_directory.resolve()
    logger = CompositeLogger([TerminalLogger()])

    if "LOGFILE" in os.environ.keys():
        logger.add_logger(XMLLogger(os.environ["LOGFILE"]))

    if args.junit_xml:
        logger.add_logger(JunitXMLLogger(output_directory / args.junit_xml))

    if args.log_level:
        logger.set_log_level(LOG_LEVELS[args.log_level])

    if not args.keep_vm_state:
        logger.info("Machine state will be reset. To keep it, pass --keep-vm-state")

    if args.config is not None:
        driver_args: tuple = ()
        driver_kwargs: dict = dict(
            config=load_driver_configuration(args.config),
            out_dir=output_directory,
            logger=logger,
            keep_machine_state=args.keep_vm_state,
        )
    else:
        driver_args = (
            args.start_scripts,
            args.vlans,
            args.testscript.read_text(),
            output_directory,
            logger,
            args.keep_vm_state,
            args.global_timeout,
        )
        driver_kwargs = {}

    with Driver(*driver_args, **driver_kwargs) as driver:
        if driver.config is not None and driver.config.enable_ssh_backdoor:
            logger.warning("the demo driver has no SSH backdoor over vsock")
        if args.interactive:
            history_dir = os.getcwd()
            history_path = os.path.join(history_dir, ".nixos-test-history")
            if driver.config is not None:
                ptpython.ipython.embed(
                    user_ns=driver.test_symbols(),
                    history_filename=history_path,
                )
            else:
                ptpython.repl.embed(
                    driver.test_symbols(),
                    {},
                    history_filename=history_path,
                )
        else:
            tic = time.time()
            driver.run_tests()
            toc = time.time()
            logger.info(f"test script finished in {(toc - tic):.2f}s")


def generate_driver_symbols() -> None:
    """Write the names a test script can use (for pyflakes) to
    ./driver-symbols, as upstream does at build time."""
    d = Driver([], [], "", Path(), CompositeLogger([]))
    test_symbols = d.test_symbols()
    with open("driver-symbols", "w") as fp:
        fp.write(",".join(test_symbols.keys()))


__all__ = [
    "Driver",
    "DriverConfiguration",
    "EnvDefault",
    "generate_driver_symbols",
    "load_driver_configuration",
    "main",
    "writeable_dir",
]
