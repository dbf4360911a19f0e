"""Loggers of the demo driver.

Same interface as the upstream test driver of the nixos-24.11/25.05 era: an
``AbstractLogger`` with ``log``, ``log_serial``, ``nested``, ``subtest``,
``debug``/``info``/``warning``/``error``, ``log_test_error``,
``print_serial_logs`` and ``set_log_level``; a ``CompositeLogger`` that fans
out to the loggers added with ``add_logger``; terminal, XML (``$LOGFILE``) and
JUnit XML (``--junit-xml``) loggers. That era has no module-level ``rootlog``:
the logger is built in ``main()`` and handed to the Driver, the machines and
the VLANs, so there is none here either.

Standard library only: the ANSI codes colorama would emit are spelled out and
the JUnit report is written with ElementTree.
"""

from __future__ import annotations

import atexit
import os
import re
import sys
import time
import unicodedata
import xml.etree.ElementTree as ET
from abc import ABC, abstractmethod
from contextlib import ExitStack, contextmanager
from enum import IntEnum
from pathlib import Path
from queue import Empty, Queue
from typing import Any, Dict, Iterator, List, Optional
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesImpl

# What colorama's Style/Fore constants expand to on a POSIX terminal.
BRIGHT = "\x1b[1m"
DIM = "\x1b[2m"
GREEN = "\x1b[32m"
RED = "\x1b[31m"
RESET_ALL = "\x1b[0m"


class LogLevel(IntEnum):
    DEBUG = 1
    INFO = 2
    WARNING = 3
    ERROR = 4


class AbstractLogger(ABC):
    @abstractmethod
    def log(self, message: str, attributes: Dict[str, str] = {}) -> None:
        pass

    @abstractmethod
    @contextmanager
    def subtest(self, name: str, attributes: Dict[str, str] = {}) -> Iterator[None]:
        pass

    @abstractmethod
    @contextmanager
    def nested(self, message: str, attributes: Dict[str, str] = {}) -> Iterator[None]:
        pass

    @abstractmethod
    def debug(self, *args: Any, **kwargs: Any) -> None:
        pass

    @abstractmethod
    def info(self, *args: Any, **kwargs: Any) -> None:
        pass

    @abstractmethod
    def warning(self, *args: Any, **kwargs: Any) -> None:
        pass

    @abstractmethod
    def error(self, *args: Any, **kwargs: Any) -> None:
        pass

    @abstractmethod
    def log_test_error(self, *args: Any, **kwargs: Any) -> None:
        pass

    @abstractmethod
    def log_serial(self, message: str, machine: str) -> None:
        pass

    @abstractmethod
    def print_serial_logs(self, enable: bool) -> None:
        pass

    @abstractmethod
    def set_log_level(self, level: LogLevel) -> None:
        pass


class CompositeLogger(AbstractLogger):
    """Forwards every call to each logger of its list, in order."""

    def __init__(self, logger_list: List[AbstractLogger]) -> None:
        self.logger_list = logger_list

    def add_logger(self, logger: AbstractLogger) -> None:
        self.logger_list.append(logger)

    def log(self, message: str, attributes: Dict[str, str] = {}) -> None:
        for logger in self.logger_list:
            logger.log(message, attributes)

    @contextmanager
    def subtest(self, name: str, attributes: Dict[str, str] = {}) -> Iterator[None]:
        with ExitStack() as stack:
            for logger in self.logger_list:
                stack.enter_context(logger.subtest(name, attributes))
            yield

    @contextmanager
    def nested(self, message: str, attributes: Dict[str, str] = {}) -> Iterator[None]:
        with ExitStack() as stack:
            for logger in self.logger_list:
                stack.enter_context(logger.nested(message, attributes))
            yield

    def debug(self, *args: Any, **kwargs: Any) -> None:
        for logger in self.logger_list:
            logger.debug(*args, **kwargs)

    def info(self, *args: Any, **kwargs: Any) -> None:
        for logger in self.logger_list:
            logger.info(*args, **kwargs)

    def warning(self, *args: Any, **kwargs: Any) -> None:
        for logger in self.logger_list:
            logger.warning(*args, **kwargs)

    def log_test_error(self, *args: Any, **kwargs: Any) -> None:
        for logger in self.logger_list:
            logger.log_test_error(*args, **kwargs)

    def error(self, *args: Any, **kwargs: Any) -> None:
        # As upstream: an error logged through the composite ends the run.
        for logger in self.logger_list:
            logger.error(*args, **kwargs)
        sys.exit(1)

    def print_serial_logs(self, enable: bool) -> None:
        for logger in self.logger_list:
            logger.print_serial_logs(enable)

    def log_serial(self, message: str, machine: str) -> None:
        for logger in self.logger_list:
            logger.log_serial(message, machine)

    def set_log_level(self, level: LogLevel) -> None:
        for logger in self.logger_list:
            logger.set_log_level(level)


def _maybe_prefix(message: str, attributes: Dict[str, str]) -> str:
    if "machine" in attributes:
        return f"{attributes['machine']}: {message}"
    return message


class TerminalLogger(AbstractLogger):
    """Human-readable log on stderr; nested steps end with their duration."""

    def __init__(self) -> None:
        self._print_serial_logs = True
        self._log_level = LogLevel.INFO

    def maybe_prefix(self, message: str, attributes: Dict[str, str]) -> str:
        return _maybe_prefix(message, attributes)

    @staticmethod
    def _eprint(*args: object, **kwargs: Any) -> None:
        print(*args, file=sys.stderr, **kwargs)

    def log(self, message: str, attributes: Dict[str, str] = {}) -> None:
        self._eprint(self.maybe_prefix(message, attributes))

    @contextmanager
    def subtest(self, name: str, attributes: Dict[str, str] = {}) -> Iterator[None]:
        with self.nested("subtest: " + name, attributes):
            yield

    @contextmanager
    def nested(self, message: str, attributes: Dict[str, str] = {}) -> Iterator[None]:
        self._eprint(
            self.maybe_prefix(BRIGHT + GREEN + message + RESET_ALL, attributes)
        )
        tic = time.time()
        # Like upstream, a step that raises prints no "finished" line.
        yield
        toc = time.time()
        self.log(f"(finished: {message}, in {toc - tic:.2f} seconds)", attributes)

    def debug(self, *args: Any, **kwargs: Any) -> None:
        if self._log_level <= LogLevel.DEBUG:
            self._eprint(DIM + self.maybe_prefix(args[0], kwargs) + RESET_ALL)

    def info(self, *args: Any, **kwargs: Any) -> None:
        if self._log_level <= LogLevel.INFO:
            self.log(*args, **kwargs)

    def warning(self, *args: Any, **kwargs: Any) -> None:
        if self._log_level <= LogLevel.WARNING:
            self.log(*args, **kwargs)

    def error(self, *args: Any, **kwargs: Any) -> None:
        self.log(*args, **kwargs)

    def print_serial_logs(self, enable: bool) -> None:
        self._print_serial_logs = enable

    def set_log_level(self, level: LogLevel) -> None:
        self._log_level = level

    def log_serial(self, message: str, machine: str) -> None:
        if not self._print_serial_logs:
            return
        self._eprint(DIM + f"{machine} # {message}" + RESET_ALL)

    def log_test_error(self, *args: Any, **kwargs: Any) -> None:
        prefix = RED + "!!! " + RESET_ALL
        # warning, not error: error would end the run after the first line.
        self.warning(f"{prefix}{args[0]}", *args[1:], **kwargs)


class XMLLogger(AbstractLogger):
    """The `$LOGFILE` log: <logfile> of <line> and <nest><head>…</nest>."""

    def __init__(self, outfile: str) -> None:
        self.logfile_handle = open(outfile, "wb")
        self.xml = XMLGenerator(self.logfile_handle, encoding="utf-8")
        # Serial lines arrive on reader threads; they are queued and written
        # by the thread that logs next, so the XML stream is never interleaved.
        self.queue: "Queue[Dict[str, str]]" = Queue()
        self._print_serial_logs = True
        self._log_level = LogLevel.INFO
        self._closed = False
        self.xml.startDocument()
        self.xml.startElement("logfile", attrs=AttributesImpl({}))
        atexit.register(self.close)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.drain_log_queue()
        self.xml.endElement("logfile")
        self.xml.endDocument()
        self.logfile_handle.close()

    def sanitise(self, message: str) -> str:
        return "".join(ch for ch in message if unicodedata.category(ch)[0] != "C")

    def maybe_prefix(self, message: str, attributes: Dict[str, str]) -> str:
        return _maybe_prefix(message, attributes)

    def log_line(self, message: str, attributes: Dict[str, str]) -> None:
        self.xml.startElement("line", attrs=AttributesImpl(attributes))
        self.xml.characters(message)
        self.xml.endElement("line")

    def debug(self, *args: Any, **kwargs: Any) -> None:
        if self._log_level <= LogLevel.DEBUG:
            self.log(*args, **kwargs)

    def info(self, *args: Any, **kwargs: Any) -> None:
        if self._log_level <= LogLevel.INFO:
            self.log(*args, **kwargs)

    def warning(self, *args: Any, **kwargs: Any) -> None:
        if self._log_level <= LogLevel.WARNING:
            self.log(*args, **kwargs)

    def error(self, *args: Any, **kwargs: Any) -> None:
        self.log(*args, **kwargs)

    def log_test_error(self, *args: Any, **kwargs: Any) -> None:
        self.log(*args, **kwargs)

    def log(self, message: str, attributes: Dict[str, str] = {}) -> None:
        if self._closed:
            return
        self.drain_log_queue()
        self.log_line(self.sanitise(message), attributes)

    def print_serial_logs(self, enable: bool) -> None:
        self._print_serial_logs = enable

    def set_log_level(self, level: LogLevel) -> None:
        self._log_level = level

    def log_serial(self, message: str, machine: str) -> None:
        if not self._print_serial_logs:
            return
        self.enqueue({"msg": message, "machine": machine, "type": "serial"})

    def enqueue(self, item: Dict[str, str]) -> None:
        self.queue.put(item)

    def drain_log_queue(self) -> None:
        try:
            while True:
                item = self.queue.get_nowait()
                msg = self.sanitise(item.pop("msg"))
                self.log_line(msg, item)
        except Empty:
            pass

    @contextmanager
    def subtest(self, name: str, attributes: Dict[str, str] = {}) -> Iterator[None]:
        with self.nested("subtest: " + name, attributes):
            yield

    @contextmanager
    def nested(self, message: str, attributes: Dict[str, str] = {}) -> Iterator[None]:
        self.xml.startElement("nest", attrs=AttributesImpl({}))
        self.xml.startElement("head", attrs=AttributesImpl(attributes))
        self.xml.characters(message)
        self.xml.endElement("head")
        tic = time.time()
        self.drain_log_queue()
        try:
            yield
            self.drain_log_queue()
            self.log(f"(finished: {message}, in {time.time() - tic:.2f} seconds)")
        finally:
            # Close the element even when the step raised: the file stays XML.
            if not self._closed:
                self.xml.endElement("nest")


# Characters XML 1.0 cannot hold even escaped (a serial console's ESC, say):
# dropped, as the junit_xml package upstream's report uses drops them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


class JunitXMLLogger(AbstractLogger):
    """One <testcase> per subtest (or one "main" case), written at exit."""

    class TestCaseState:
        def __init__(self) -> None:
            self.stdout = ""
            self.stderr = ""
            self.failure = False
            self.total_secs = 0.0
            self.nested_secs = 0.0

    def __init__(self, outfile: Path) -> None:
        self.testsuite = JunitXMLLogger.TestCaseState()
        self.tests: Dict[str, JunitXMLLogger.TestCaseState] = {}
        self.currentSubtest: Optional[str] = None
        self.outfile: Path = outfile
        self._print_serial_logs = True
        self._log_level = LogLevel.INFO
        self._start = time.monotonic()
        self._closed = False
        atexit.register(self.close)

    def _append(self, attr: str, message: str) -> None:
        line = message + os.linesep
        setattr(self.testsuite, attr, getattr(self.testsuite, attr) + line)
        if self.currentSubtest is not None:
            case = self.tests[self.currentSubtest]
            setattr(case, attr, getattr(case, attr) + line)

    def log(self, message: str, attributes: Dict[str, str] = {}) -> None:
        self._append("stdout", message)

    @contextmanager
    def subtest(self, name: str, attributes: Dict[str, str] = {}) -> Iterator[None]:
        outer = self.currentSubtest
        self.tests.setdefault(name, self.TestCaseState())
        self.currentSubtest = name
        tic = time.monotonic()
        try:
            yield
        finally:
            spent = time.monotonic() - tic
            self.tests[name].total_secs += spent
            self.currentSubtest = outer
            if outer is not None:
                # Time of a nested subtest is not counted twice.
                self.tests[outer].nested_secs += spent

    @contextmanager
    def nested(self, message: str, attributes: Dict[str, str] = {}) -> Iterator[None]:
        self.log(message)
        yield

    def debug(self, *args: Any, **kwargs: Any) -> None:
        if self._log_level <= LogLevel.DEBUG:
            self._append("stdout", args[0])

    def info(self, *args: Any, **kwargs: Any) -> None:
        if self._log_level <= LogLevel.INFO:
            self._append("stdout", args[0])

    def warning(self, *args: Any, **kwargs: Any) -> None:
        if self._log_level <= LogLevel.WARNING:
            self._append("stdout", args[0])

    def error(self, *args: Any, **kwargs: Any) -> None:
        self._append("stderr", args[0])
        self.testsuite.failure = True
        if self.currentSubtest is not None:
            self.tests[self.currentSubtest].failure = True

    def log_test_error(self, *args: Any, **kwargs: Any) -> None:
        self.error(*args, **kwargs)

    def log_serial(self, message: str, machine: str) -> None:
        if self._print_serial_logs:
            self.log(f"{machine} # {message}")

    def print_serial_logs(self, enable: bool) -> None:
        self._print_serial_logs = enable

    def set_log_level(self, level: LogLevel) -> None:
        self._log_level = level

    def to_xml(self) -> ET.Element:
        tests = dict(self.tests)
        if not tests:
            main = self.TestCaseState()
            main.failure = self.testsuite.failure
            main.total_secs = time.monotonic() - self._start
            tests["main"] = main
        failures = sum(1 for c in tests.values() if c.failure)
        total = sum(c.total_secs - c.nested_secs for c in tests.values())
        root = ET.Element(
            "testsuites",
            disabled="0",
            errors="0",
            failures=str(failures),
            tests=str(len(tests)),
            time=f"{total:.6f}",
        )
        suite = ET.SubElement(
            root,
            "testsuite",
            name="NixOS integration test",
            disabled="0",
            errors="0",
            failures=str(failures),
            skipped="0",
            tests=str(len(tests)),
            time=f"{total:.6f}",
        )
        for name, state in tests.items():
            case = ET.SubElement(
                suite,
                "testcase",
                name=_xml_text(name),
                time=f"{state.total_secs - state.nested_secs:.6f}",
            )
            if state.failure:
                ET.SubElement(
                    case, "failure", type="failure", message="test case failed"
                )
            ET.SubElement(case, "system-out").text = _xml_text(state.stdout)
            ET.SubElement(case, "system-err").text = _xml_text(state.stderr)
        ET.SubElement(suite, "system-out").text = _xml_text(self.testsuite.stdout)
        ET.SubElement(suite, "system-err").text = _xml_text(self.testsuite.stderr)
        return root

    def close(self) -> None:
        # Called at exit; an explicit earlier call wins.
        if self._closed:
            return
        self._closed = True
        data = ET.tostring(self.to_xml(), encoding="unicode")
        with open(self.outfile, "w", encoding="utf-8") as f:
            f.write('<?xml version="1.0" encoding="utf-8"?>\n' + data + "\n")
