"""nixtide's demo driver: a stand-in for the NixOS test driver
(`nixos/lib/test-driver/src/test_driver`) that runs the demo tests against
the Debian-made guest, as either generation (test_driver.generation):

- environment era (nixos-22.11 to 25.05): `startScripts`, `testScript`,
  `vlans`, `globalTimeout` through the `EnvDefault` action (or the matching
  options), the test script as positional argument; interactive mode calls
  `ptpython.repl.embed(symbols, {}, ...)`;
  with the nixos-22.11 command line (test_driver.generation.COMMAND_LINE)
  the parser has no `--junit-xml`, `--global-timeout` or `--log-level`;
- configuration era (master): `--config driverConfiguration.json` (and
  `--log-level`) only; interactive mode calls
  `ptpython.ipython.embed(user_ns=symbols, ...)`.
"""

from __future__ import annotations

import argparse
import os
import signal
import time
from pathlib import Path
from typing import Any

import ptpython.ipython
import ptpython.repl

from test_driver.driver import Driver
from test_driver.generation import COMMAND_LINE, GENERATION
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


def _add_common_arguments(arg_parser: argparse.ArgumentParser, since_22_11: bool = True) -> None:
    arg_parser.add_argument(
        "-I",
        "--interactive",
        help="drop into a python repl and run the tests interactively",
        action=argparse.BooleanOptionalAction,
    )
    arg_parser.add_argument(
        "-o",
        "--output_directory",
        help="""The path to the directory where outputs copied from the VM will be placed.
                By e.g. Machine.copy_from_vm or Machine.screenshot""",
        default=Path.cwd(),
        type=writeable_dir,
    )
    if not since_22_11:
        return
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


def build_environment_arg_parser(command_line: str = COMMAND_LINE) -> argparse.ArgumentParser:
    since_22_11 = command_line != "nixos-22.11"
    arg_parser = argparse.ArgumentParser(prog="nixos-test-driver")
    arg_parser.add_argument(
        "-K",
        "--keep-vm-state",
        help="re-use a VM state coming from a previous run",
        action="store_true",
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
    if since_22_11:
        arg_parser.add_argument(
            "--global-timeout",
            type=int,
            metavar="GLOBAL_TIMEOUT",
            action=EnvDefault,
            envvar="globalTimeout",
            help="Timeout in seconds for the whole test",
        )
    _add_common_arguments(arg_parser, since_22_11)
    arg_parser.add_argument(
        "testscript",
        action=EnvDefault,
        envvar="testScript",
        help="the test script to run",
        type=Path,
    )
    return arg_parser


def build_configuration_arg_parser() -> argparse.ArgumentParser:
    arg_parser = argparse.ArgumentParser(prog="nixos-test-driver")
    arg_parser.add_argument(
        "-c",
        "--config",
        help="the test driver configuration file",
        type=Path,
        required=True,
    )
    arg_parser.add_argument(
        "--keep-vm-state",
        help=argparse.SUPPRESS,
        dest="keep_machine_state",
        action="store_true",
    )
    arg_parser.add_argument(
        "-K",
        "--keep-machine-state",
        help="re-use a machine state coming from a previous run",
        action="store_true",
    )
    _add_common_arguments(arg_parser)
    return arg_parser


def build_arg_parser(
    generation: str = GENERATION, command_line: str = COMMAND_LINE
) -> argparse.ArgumentParser:
    if generation == "configuration":
        return build_configuration_arg_parser()
    return build_environment_arg_parser(command_line)


def parse_args(
    argv: Any = None, generation: str = GENERATION, command_line: str = COMMAND_LINE
) -> argparse.Namespace:
    return build_arg_parser(generation, command_line).parse_args(argv)


def _exit_on_signal(signum: int, _frame: Any) -> None:
    # Unwinds through `with Driver(...)`, which kills the VMs and switches.
    raise SystemExit(128 + signum)


def _install_signal_handlers() -> None:
    for signum in (signal.SIGTERM, signal.SIGHUP):
        # Leave a handler that someone else (a debugger agent) set alone.
        if signal.getsignal(signum) in (signal.SIG_DFL, None):
            signal.signal(signum, _exit_on_signal)


def _make_logger(args: argparse.Namespace, output_directory: Path) -> CompositeLogger:
    logger = CompositeLogger([TerminalLogger()])
    if "LOGFILE" in os.environ.keys():
        logger.add_logger(XMLLogger(os.environ["LOGFILE"]))
    # The nixos-22.11 parser has neither option.
    junit_xml = getattr(args, "junit_xml", None)
    log_level = getattr(args, "log_level", None)
    if junit_xml:
        logger.add_logger(JunitXMLLogger(output_directory / junit_xml))
    if log_level:
        logger.set_log_level(LOG_LEVELS[log_level])
    return logger


def _run(driver: Any, logger: CompositeLogger) -> None:
    tic = time.time()
    driver.run_tests()
    toc = time.time()
    logger.info(f"test script finished in {(toc - tic):.2f}s")


def _history_path() -> str:
    return os.path.join(os.getcwd(), ".nixos-test-history")


def _main_environment(args: argparse.Namespace) -> None:
    output_directory = args.output_directory.resolve()
    logger = _make_logger(args, output_directory)
    if not args.keep_vm_state:
        logger.info("Machine state will be reset. To keep it, pass --keep-vm-state")

    with Driver(
        args.start_scripts,
        args.vlans,
        args.testscript.read_text(),
        output_directory,
        logger,
        args.keep_vm_state,
        getattr(args, "global_timeout", None),
    ) as driver:
        if args.interactive:
            ptpython.repl.embed(driver.test_symbols(), {}, history_filename=_history_path())
        else:
            _run(driver, logger)


def _main_configuration(args: argparse.Namespace) -> None:
    from test_driver.config import ConfigurationError, load_driver_configuration

    try:
        config = load_driver_configuration(args.config)
    except ConfigurationError as error:
        build_configuration_arg_parser().error(str(error))

    output_directory = args.output_directory.resolve()
    logger = _make_logger(args, output_directory)
    if not args.keep_machine_state:
        logger.info("Machine state will be reset. To keep it, pass --keep-machine-state")

    with Driver(
        config=config,
        out_dir=output_directory,
        logger=logger,
        keep_machine_state=args.keep_machine_state,
    ) as driver:
        if config.enable_ssh_backdoor:
            logger.warning("the demo driver has no SSH backdoor over vsock")
        if args.interactive:
            ptpython.ipython.embed(
                user_ns=driver.test_symbols(), history_filename=_history_path()
            )
        else:
            _run(driver, logger)


def main() -> None:
    args = parse_args()
    _install_signal_handlers()
    if GENERATION == "configuration":
        _main_configuration(args)
    else:
        _main_environment(args)


def generate_driver_symbols() -> None:
    """Write the names a test script can use (for pyflakes) to
    ./driver-symbols, as upstream does at build time."""
    if GENERATION == "configuration":
        from test_driver.config import DriverConfiguration

        script = Path("driver-symbols-empty-script")
        script.write_text("")
        d = Driver(
            config=DriverConfiguration(
                vms={},
                containers={},
                vlans=[],
                global_timeout=0,
                enable_ssh_backdoor=False,
                test_script=script,
            ),
            out_dir=Path(),
            logger=CompositeLogger([]),
        )
        script.unlink()
    else:
        d = Driver([], [], "", Path(), CompositeLogger([]))
    with open("driver-symbols", "w") as fp:
        fp.write(",".join(d.test_symbols().keys()))


__all__ = [
    "Driver",
    "EnvDefault",
    "GENERATION",
    "generate_driver_symbols",
    "main",
    "writeable_dir",
]
