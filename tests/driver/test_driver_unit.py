"""Unit tests of the demo driver's pure parts (no QEMU): argument parsing of
both generations, the driver configuration, names, key mapping, loggers,
the test script's error path and the ptpython stand-in.

Run: /usr/bin/python3 tests/driver/test_driver_unit.py [Class.test_x ...]
"""

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path
from unittest import mock

HERE = Path(__file__).resolve().parent
DRIVER_DIR = HERE.parent.parent / "resources" / "demo" / "driver"
sys.path.insert(0, str(DRIVER_DIR))

import test_driver  # noqa: E402
from test_driver import config as cfg  # noqa: E402
from test_driver.driver import Driver, pythonize_name  # noqa: E402
from test_driver.errors import RequestedAssertionFailed  # noqa: E402
from test_driver.logger import (  # noqa: E402
    CompositeLogger,
    JunitXMLLogger,
    LogLevel,
    TerminalLogger,
    XMLLogger,
)
from test_driver.machine import (  # noqa: E402
    CHAR_TO_KEY,
    Machine,
    NixStartScript,
    QemuMachine,
    retry,
)

ENV_KEYS = ("startScripts", "testScript", "vlans", "globalTimeout", "logLevel")


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    env.update(extra)
    return mock.patch.dict(os.environ, env, clear=True)


class RecordingLogger(TerminalLogger):
    """A terminal logger that keeps what it would print."""

    def __init__(self):
        super().__init__()
        self.lines = []

    def _eprint(self, *args, **kwargs):
        self.lines.append(" ".join(str(a) for a in args))


class ArgParsing(unittest.TestCase):
    def test_environment_era_reads_env_defaults(self):
        with clean_env(
            startScripts="/a/bin/run-one-vm /b/bin/run-two-vm",
            testScript="/x/test-script",
            vlans="1 2",
            globalTimeout="77",
        ):
            args = test_driver.parse_args([])
        self.assertEqual(args.start_scripts, ["/a/bin/run-one-vm", "/b/bin/run-two-vm"])
        self.assertEqual(args.vlans, ["1", "2"])
        self.assertEqual(args.global_timeout, 77)
        self.assertEqual(args.testscript, Path("/x/test-script"))
        self.assertIsNone(args.config)

    def test_command_line_beats_environment(self):
        with clean_env(startScripts="/a/run-one-vm", testScript="/x/t"):
            args = test_driver.parse_args(
                ["--start-scripts", "/c/run-three-vm", "-K", "-I", "/y/t"]
            )
        self.assertEqual(args.start_scripts, ["/c/run-three-vm"])
        self.assertEqual(args.testscript, Path("/y/t"))
        self.assertTrue(args.keep_vm_state)
        self.assertTrue(args.interactive)

    def test_configuration_era(self):
        with clean_env():
            args = test_driver.parse_args(
                ["--config", "/d/driverConfiguration.json", "--log-level", "debug",
                 "--keep-machine-state", "--junit-xml", "j.xml"]
            )
        self.assertEqual(args.config, Path("/d/driverConfiguration.json"))
        self.assertEqual(args.log_level, "debug")
        self.assertTrue(args.keep_vm_state)
        self.assertEqual(args.junit_xml, Path("j.xml"))

    def test_neither_script_nor_config_is_an_error(self):
        with clean_env(), contextlib.redirect_stderr(io.StringIO()) as err:
            with self.assertRaises(SystemExit) as cm:
                test_driver.parse_args([])
        self.assertEqual(cm.exception.code, 2)
        self.assertIn("testscript", err.getvalue())

    def test_bad_log_level_is_an_error(self):
        with clean_env(), contextlib.redirect_stderr(io.StringIO()):
            with self.assertRaises(SystemExit):
                test_driver.parse_args(["--config", "c.json", "--log-level", "loud"])


class Configuration(unittest.TestCase):
    def write(self, data):
        d = tempfile.mkdtemp()
        path = Path(d) / "driverConfiguration.json"
        path.write_text(json.dumps(data))
        return path

    def test_loads_upstream_fields(self):
        path = self.write(
            {
                "vms": {"my-server": {"name": "my-server", "start_script": "/s/bin/run-my-server-vm"}},
                "containers": {},
                "vlans": [2, 1],
                "global_timeout": 3600,
                "enable_ssh_backdoor": False,
                "test_script": "/s/test-script",
            }
        )
        c = cfg.load_driver_configuration(path)
        self.assertEqual(c.vms["my-server"].start_script, Path("/s/bin/run-my-server-vm"))
        self.assertEqual(c.vlans, [2, 1])
        self.assertEqual(c.global_timeout.total_seconds(), 3600)
        self.assertEqual(c.test_script, Path("/s/test-script"))

    def test_durations(self):
        self.assertEqual(cfg.parse_timedelta("PT1H30M").total_seconds(), 5400)
        self.assertEqual(cfg.parse_timedelta("P1DT2S").total_seconds(), 86402)
        self.assertEqual(cfg.parse_timedelta("90").total_seconds(), 90)
        self.assertEqual(cfg.parse_timedelta(2.5).total_seconds(), 2.5)
        for bad in ("PT", "1h", True, None):
            with self.assertRaises(ValueError):
                cfg.parse_timedelta(bad)

    def test_missing_field(self):
        path = self.write({"vms": {}, "vlans": []})
        with self.assertRaises(ValueError) as cm:
            cfg.load_driver_configuration(path)
        self.assertIn("test_script", str(cm.exception))


class Names(unittest.TestCase):
    def test_pythonize(self):
        self.assertEqual(pythonize_name("my-server.lan"), "my_server_lan")
        self.assertEqual(pythonize_name("1st"), "_st")
        self.assertEqual(pythonize_name("ok_name2"), "ok_name2")

    def test_machine_name_from_start_script(self):
        self.assertEqual(NixStartScript("/n/bin/run-web-1-vm").machine_name, "web-1")
        self.assertEqual(NixStartScript("/n/bin/qemu-start").machine_name, "machine")

    def test_qemu_machine_alias(self):
        self.assertIs(QemuMachine, Machine)


class Keys(unittest.TestCase):
    def test_mapping(self):
        expected = {
            "A": "shift-a", "Z": "shift-z", " ": "spc", "\n": "ret",
            "!": "shift-0x02", "(": "shift-0x0A", ")": "shift-0x0B",
            "-": "0x0C", "_": "shift-0x0C", "=": "0x0D", "+": "shift-0x0D",
            "[": "0x1A", "{": "shift-0x1A", ";": "0x27", ":": "shift-0x27",
            "'": "0x28", '"': "shift-0x28", "`": "0x29", "~": "shift-0x29",
            "\\": "0x2B", "|": "shift-0x2B", ",": "0x33", "<": "shift-0x33",
            ".": "0x34", ">": "shift-0x34", "/": "0x35", "?": "shift-0x35",
        }
        for char, key in expected.items():
            self.assertEqual(CHAR_TO_KEY.get(char), key, repr(char))
        # Lower case letters and digits are QEMU key names themselves.
        for char in "az09":
            self.assertNotIn(char, CHAR_TO_KEY)


class StartCommandTests(unittest.TestCase):
    def test_command_line_and_environment(self):
        with tempfile.TemporaryDirectory() as d:
            d = Path(d)
            script = d / "run-probe-vm"
            script.write_text(
                '#!/bin/sh\necho "$@" > args\nenv > env\npwd > cwd\necho "$$" > pid\n'
            )
            script.chmod(0o755)
            state, shared = d / "state", d / "shared"
            state.mkdir()
            shared.mkdir()
            env = {k: v for k, v in os.environ.items()
                   if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
            with mock.patch.dict(os.environ, env, clear=True):
                proc = NixStartScript(str(script)).run(
                    state, shared, state / "monitor", state / "qmp", state / "shell", False
                )
                proc.communicate(timeout=10)
            args = (state / "args").read_text()
            for part in ("-qmp unix:%s/qmp,server=on,wait=off" % state,
                         "-monitor unix:%s/monitor" % state,
                         "-chardev socket,id=shell,path=%s/shell" % state,
                         "-device virtconsole,chardev=shell", "-serial stdio",
                         "-no-reboot", "-nographic"):
                self.assertIn(part, args)
            envs = (state / "env").read_text().splitlines()
            self.assertIn("TMPDIR=%s" % state, envs)
            self.assertIn("SHARED_DIR=%s" % shared, envs)
            self.assertIn("USE_TMPDIR=1", envs)
            self.assertEqual((state / "cwd").read_text().strip(), str(state))
            # The shell exec'd the script: no shell process in between.
            self.assertEqual(int((state / "pid").read_text()), proc.pid)

    def test_display_and_reboot(self):
        with mock.patch.dict(os.environ, {"DISPLAY": ":0"}):
            cmd = NixStartScript("/x/run-a-vm").cmd(
                Path("/m"), Path("/q"), Path("/s"), allow_reboot=True
            )
        self.assertNotIn("-nographic", cmd)
        self.assertNotIn("-no-reboot", cmd)


class Retry(unittest.TestCase):
    def test_gives_last_chance_then_raises(self):
        calls = []
        with mock.patch("time.sleep"):
            with self.assertRaises(RequestedAssertionFailed):
                retry(lambda last: calls.append(last) and False, timeout=3)
        self.assertEqual(calls, [False, False, False, True])


class Loggers(unittest.TestCase):
    def test_terminal_nesting_and_timing(self):
        rec = RecordingLogger()
        log = CompositeLogger([])
        log.add_logger(rec)
        with log.nested("outer", {"machine": "m1"}):
            log.info("inside")
            with log.subtest("sub"):
                log.log_serial("serial line", "m1")
        self.assertIn("m1: \x1b[1m\x1b[32mouter\x1b[0m", rec.lines[0])
        self.assertEqual(rec.lines[1], "inside")
        self.assertIn("subtest: sub", rec.lines[2])
        self.assertIn("m1 # serial line", rec.lines[3])
        self.assertRegex(rec.lines[4], r"^\(finished: subtest: sub, in \d+\.\d\d seconds\)$")
        self.assertRegex(rec.lines[5], r"^m1: \(finished: outer, in \d+\.\d\d seconds\)$")

    def test_serial_off_and_levels(self):
        rec = RecordingLogger()
        log = CompositeLogger([rec])
        log.print_serial_logs(False)
        log.log_serial("hidden", "m")
        log.set_log_level(LogLevel.WARNING)
        log.info("hidden too")
        log.warning("shown")
        log.log_test_error("bad")
        self.assertEqual(rec.lines, ["shown", "\x1b[31m!!! \x1b[0mbad"])

    def test_error_exits(self):
        rec = RecordingLogger()
        with self.assertRaises(SystemExit) as cm:
            CompositeLogger([rec]).error("boom")
        self.assertEqual(cm.exception.code, 1)
        self.assertEqual(rec.lines, ["boom"])

    def test_xml_logger(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "log.xml")
            x = XMLLogger(path)
            with x.nested("step", {"machine": "m"}):
                x.log_serial("from\x07serial", "m")
                x.log("message")
            with self.assertRaises(RuntimeError):
                with x.nested("failing step"):
                    raise RuntimeError
            x.close()
            root = ET.parse(path).getroot()
        self.assertEqual(root.tag, "logfile")
        nest = root.find("nest")
        self.assertEqual(nest.find("head").text, "step")
        self.assertEqual(nest.find("head").get("machine"), "m")
        lines = nest.findall("line")
        self.assertEqual((lines[0].text, lines[0].get("type")), ("fromserial", "serial"))
        self.assertEqual(lines[1].text, "message")
        self.assertEqual(len(root.findall("nest")), 2)

    def test_junit_logger(self):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "junit.xml"
            j = JunitXMLLogger(path)
            with j.subtest("good"):
                j.info("fine")
            with j.subtest("bad"):
                with j.subtest("inner"):
                    j.log_test_error("it broke")
            j.close()
            root = ET.parse(path).getroot()
        cases = {c.get("name"): c for c in root.iter("testcase")}
        self.assertEqual(set(cases), {"good", "bad", "inner"})
        self.assertIsNone(cases["good"].find("failure"))
        self.assertIsNotNone(cases["inner"].find("failure"))
        self.assertIn("fine", cases["good"].find("system-out").text)
        self.assertEqual(root.get("failures"), "1")

    def test_junit_main_case_without_subtests(self):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "junit.xml"
            j = JunitXMLLogger(path)
            j.error("failed")
            j.close()
            root = ET.parse(path).getroot()
        (case,) = list(root.iter("testcase"))
        self.assertEqual(case.get("name"), "main")
        self.assertIsNotNone(case.find("failure"))


class DriverScript(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        patcher = mock.patch.dict(os.environ, {"XDG_RUNTIME_DIR": self.tmp.name})
        patcher.start()
        self.addCleanup(patcher.stop)
        self.rec = RecordingLogger()

    def driver(self, tests, scripts=()):
        return Driver(list(scripts), [], tests, Path(self.tmp.name), CompositeLogger([self.rec]))

    def test_symbols(self):
        d = self.driver("", ["/n/bin/run-web-1-vm"])
        with contextlib.redirect_stdout(io.StringIO()):
            symbols = d.test_symbols()
        self.assertIs(symbols["web_1"], d.machines[0])
        self.assertIs(symbols["machine"], d.machines[0])
        for name in ("start_all", "test_script", "run_tests", "create_machine",
                     "subtest", "join_all", "retry", "serial_stdout_on",
                     "serial_stdout_off", "polling_condition", "machines",
                     "vlans", "driver", "log", "os", "t"):
            self.assertIn(name, symbols)
        self.assertNotIn("machines_qemu", symbols)
        self.assertTrue((Path(self.tmp.name) / "vm-state-web-1").is_dir())

    def test_failed_assertion_logs_line_and_exits_1(self):
        d = self.driver("x = 1\nwith subtest('check'):\n    t.assertEqual(x, 2)\n")
        with contextlib.redirect_stdout(io.StringIO()):
            with self.assertRaises(SystemExit) as cm:
                d.test_script()
        self.assertEqual(cm.exception.code, 1)
        text = "\n".join(self.rec.lines)
        self.assertIn('File "<string>", line 3, in <module>', text)
        self.assertIn("    t.assertEqual(x, 2)", text)
        self.assertIn("RequestedAssertionFailed: 1 != 2", text)
        self.assertIn('Test "check" failed with error', text)

    def test_other_exceptions_propagate(self):
        d = self.driver("raise KeyError('k')\n")
        with contextlib.redirect_stdout(io.StringIO()):
            with self.assertRaises(KeyError):
                d.test_script()

    def test_script_runs_in_symbols(self):
        d = self.driver("log.info('ran with %d machines' % len(machines))\n")
        with contextlib.redirect_stdout(io.StringIO()):
            d.test_script()
        self.assertIn("ran with 0 machines", self.rec.lines)

    def test_polling_condition(self):
        d = self.driver("")
        calls = []

        @d.polling_condition(seconds_interval=0)
        def never():
            calls.append(1)
            return False

        with never:
            with self.assertRaises(Exception) as cm:
                d.check_polling_conditions()
        self.assertIn("Polling condition failed: never", str(cm.exception))
        self.assertEqual(calls, [1])


def run_driver(args, stdin="", env=None, cwd=None):
    e = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    e.update(env or {})
    return subprocess.run(
        [sys.executable, str(DRIVER_DIR / "bin" / "nixos-test-driver")] + args,
        input=stdin, capture_output=True, text=True, env=e, cwd=cwd, timeout=60,
    )


class EntryPoint(unittest.TestCase):
    """The whole main() without machines, in a child interpreter."""

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        self.env = {"XDG_RUNTIME_DIR": str(self.tmp)}

    def script(self, text):
        path = self.tmp / "test-script"
        path.write_text(text)
        return path

    def test_environment_era_success_and_failure(self):
        env = dict(self.env, testScript=str(self.script("log.info('hello')\n")))
        ok = run_driver(["-o", str(self.tmp)], env=env)
        self.assertEqual(ok.returncode, 0, ok.stderr)
        self.assertIn("hello", ok.stderr)
        self.assertRegex(ok.stderr, r"test script finished in \d+\.\d\ds")

        env["testScript"] = str(self.script("t.assertTrue(False, 'nope')\n"))
        bad = run_driver(["-o", str(self.tmp), "--junit-xml", "j.xml"], env=env)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("t.assertTrue(False, 'nope')", bad.stderr)
        root = ET.parse(self.tmp / "j.xml").getroot()
        self.assertEqual(root.get("failures"), "1")

    def test_configuration_era(self):
        conf = self.tmp / "driverConfiguration.json"
        conf.write_text(json.dumps({
            "vms": {}, "containers": {}, "vlans": [], "global_timeout": 60,
            "enable_ssh_backdoor": False,
            "test_script": str(self.script("assert 'machines_qemu' in globals()\nlog.info('config ok')\n")),
        }))
        r = run_driver(["--config", str(conf), "--log-level", "info", "-o", str(self.tmp)], env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("config ok", r.stderr)
        self.assertIn("Test will time out and terminate in 60 seconds", r.stderr)

    def test_interactive_repl_both_eras(self):
        env = dict(self.env, testScript=str(self.script("")))
        r = run_driver(["-I", "-o", str(self.tmp)], stdin="print('sym', 'start_all' in dir(), callable(t.assertEqual))\n", env=env, cwd=str(self.tmp))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("sym True True", r.stdout)

        conf = self.tmp / "c.json"
        conf.write_text(json.dumps({
            "vms": {}, "containers": {}, "vlans": [], "global_timeout": "PT1M",
            "enable_ssh_backdoor": False, "test_script": str(self.script("")),
        }))
        r = run_driver(["--config", str(conf), "-I", "-o", str(self.tmp)], stdin="x = 5\nprint('debug' in dir(), x * 2)\n", env=self.env, cwd=str(self.tmp))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("True 10", r.stdout)


if __name__ == "__main__":
    unittest.main()
