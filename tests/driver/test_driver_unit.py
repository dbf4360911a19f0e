"""Unit tests of the demo driver's pure parts (no QEMU): argument parsing of
both generations, the driver configuration (pydantic), when each
generation's Driver builds its machines, names, key mapping, loggers, the
test script's error path and the ptpython stand-in.

Run: /usr/bin/python3 tests/driver/test_driver_unit.py [Class.test_x ...]
(Python 3.13 with pydantic; NIXTIDE_PYTHON311, if set, also runs the
environment-era entry point on Python 3.11.)
"""

import contextlib
import io
import json
import os
import shutil
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
from test_driver.driver import (  # noqa: E402
    ConfigurationDriver,
    EnvironmentDriver,
    pythonize_name,
)
from test_driver.errors import MachineError, RequestedAssertionFailed  # noqa: E402
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
    NixContainerStartScript,
    NixStartScript,
    NspawnMachine,
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
            args = test_driver.parse_args([], "environment")
        self.assertEqual(args.start_scripts, ["/a/bin/run-one-vm", "/b/bin/run-two-vm"])
        self.assertEqual(args.vlans, ["1", "2"])
        self.assertEqual(args.global_timeout, 77)
        self.assertEqual(args.testscript, Path("/x/test-script"))
        self.assertFalse(hasattr(args, "config"))

    def test_command_line_beats_environment(self):
        with clean_env(startScripts="/a/run-one-vm", testScript="/x/t"):
            args = test_driver.parse_args(
                ["--start-scripts", "/c/run-three-vm", "-K", "-I", "/y/t"], "environment"
            )
        self.assertEqual(args.start_scripts, ["/c/run-three-vm"])
        self.assertEqual(args.testscript, Path("/y/t"))
        self.assertTrue(args.keep_vm_state)
        self.assertTrue(args.interactive)

    def test_configuration_era(self):
        with clean_env():
            args = test_driver.parse_args(
                ["--config", "/d/driverConfiguration.json", "--log-level", "debug",
                 "--keep-machine-state", "--junit-xml", "j.xml"], "configuration"
            )
        self.assertEqual(args.config, Path("/d/driverConfiguration.json"))
        self.assertEqual(args.log_level, "debug")
        self.assertTrue(args.keep_machine_state)
        self.assertEqual(args.junit_xml, Path("j.xml"))
        with clean_env():
            old = test_driver.parse_args(["-c", "c.json", "--keep-vm-state"], "configuration")
        self.assertTrue(old.keep_machine_state)

    def test_nixos_22_11_command_line_lacks_the_later_options(self):
        with clean_env(testScript="/x/t", globalTimeout="77"):
            args = test_driver.parse_args(["-K", "-o", "/"], "environment", "nixos-22.11")
            self.assertTrue(args.keep_vm_state)
            self.assertEqual(args.testscript, Path("/x/t"))
            for name in ("junit_xml", "global_timeout", "log_level"):
                self.assertFalse(hasattr(args, name), name)
            for option in ("--junit-xml", "--global-timeout", "--log-level"):
                self.assert_usage_error([option, "v"], "environment",
                                        "unrecognized arguments: " + option, "nixos-22.11")

    def assert_usage_error(self, argv, generation, needle, command_line="current"):
        with contextlib.redirect_stderr(io.StringIO()) as err:
            with self.assertRaises(SystemExit) as cm:
                test_driver.parse_args(argv, generation, command_line)
        self.assertEqual(cm.exception.code, 2)
        self.assertIn(needle, err.getvalue())

    def test_each_era_refuses_the_other_eras_input(self):
        with clean_env():
            self.assert_usage_error([], "environment", "testscript")
            self.assert_usage_error([], "configuration", "--config")
            self.assert_usage_error(["--config", "c.json"], "environment", "--config")
            self.assert_usage_error(["--config", "c.json", "/t"], "configuration",
                                    "unrecognized arguments: /t")
        # The wrapper's environment is no input of the configuration era.
        with clean_env(testScript="/x/t"):
            self.assert_usage_error([], "configuration", "--config")

    def test_bad_log_level_is_an_error(self):
        with clean_env():
            self.assert_usage_error(["--config", "c.json", "--log-level", "loud"],
                                    "configuration", "loud")


class Configuration(unittest.TestCase):
    def write(self, data):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d, True)
        path = Path(d) / "driverConfiguration.json"
        path.write_text(data if isinstance(data, str) else json.dumps(data))
        return path

    def valid(self, **changes):
        data = {
            "vms": {"my-server": {"name": "my-server", "start_script": "/s/bin/run-my-server-vm"}},
            "containers": {},
            "vlans": [2, 1],
            "global_timeout": 3600,
            "enable_ssh_backdoor": False,
            "test_script": "/s/test-script",
        }
        data.update(changes)
        return data

    def test_loads_upstream_fields_with_pydantic(self):
        c = cfg.load_driver_configuration(self.write(self.valid()))
        self.assertIsInstance(c, cfg.BaseModel)
        self.assertIsInstance(c.vms["my-server"], cfg.QemuMachineConfiguration)
        self.assertEqual(c.vms["my-server"].start_script, Path("/s/bin/run-my-server-vm"))
        self.assertEqual(c.vlans, [2, 1])
        self.assertEqual(c.global_timeout.total_seconds(), 3600)
        self.assertEqual(c.test_script, Path("/s/test-script"))
        self.assertEqual(c.display_viewers, {})

    def test_durations(self):
        for given, seconds in (("PT1H30M", 5400), ("P1DT2S", 86402), (90, 90), (2.5, 2.5)):
            c = cfg.load_driver_configuration(self.write(self.valid(global_timeout=given)))
            self.assertEqual(c.global_timeout.total_seconds(), seconds, given)
        with self.assertRaises(cfg.ConfigurationError) as cm:
            cfg.load_driver_configuration(self.write(self.valid(global_timeout="soon")))
        self.assertIn("global_timeout", str(cm.exception))

    def test_bad_files_name_the_file_and_the_field(self):
        path = self.write({"vms": {}, "vlans": []})
        with self.assertRaises(cfg.ConfigurationError) as cm:
            cfg.load_driver_configuration(path)
        self.assertIn(str(path), str(cm.exception))
        self.assertIn("test_script", str(cm.exception))
        with self.assertRaises(cfg.ConfigurationError) as cm:
            cfg.load_driver_configuration(self.write(self.valid(vlans=["one"])))
        self.assertIn("vlans.0", str(cm.exception))
        broken = self.write('{"vms": {}\n  "vlans": []}')
        with self.assertRaises(cfg.ConfigurationError) as cm:
            cfg.load_driver_configuration(broken)
        self.assertIn(f"{broken}:2:3: not JSON", str(cm.exception))


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

    def test_junit_report_is_xml_whatever_the_serial_console_printed(self):
        # SeaBIOS clears the screen with ESC c: XML cannot hold ESC at all.
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "junit.xml"
            j = JunitXMLLogger(path)
            with j.subtest("boot \x1b"):
                j.log_serial("\x1bc\x1b[?7lSeaBIOS é", "machine")
            j.close()
            root = ET.parse(path).getroot()
        (case,) = list(root.iter("testcase"))
        self.assertEqual(case.get("name"), "boot ")
        self.assertEqual(case.find("system-out").text, "machine # c[?7lSeaBIOS é\n")

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


class PrivateRuntimeDir(unittest.TestCase):
    """A driver built in these tests works in a temporary directory of its
    own (drivers prefer $XDG_RUNTIME_DIR)."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        patcher = mock.patch.dict(os.environ, {"XDG_RUNTIME_DIR": self.tmp.name})
        patcher.start()
        self.addCleanup(patcher.stop)


class DriverScript(PrivateRuntimeDir):
    def setUp(self):
        super().setUp()
        self.rec = RecordingLogger()

    def driver(self, tests, scripts=()):
        return EnvironmentDriver(list(scripts), [], tests, Path(self.tmp.name),
                                 CompositeLogger([self.rec]))

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


class WhenMachinesExist(PrivateRuntimeDir):
    """Environment era: built by the constructor, `machines` a list.
    Configuration era: built by `__enter__`, `machines` a property."""

    def setUp(self):
        super().setUp()
        self.logger = CompositeLogger([RecordingLogger()])
        self.script = Path(self.tmp.name) / "test-script"
        self.script.write_text("pass\n")

    def config(self, vms=("web", "db"), containers=()):
        return cfg.DriverConfiguration.model_validate({
            "vms": {n: {"name": n, "start_script": f"/s/bin/run-{n}-vm"} for n in vms},
            "containers": {n: {"name": n, "start_script": f"/s/{n}"} for n in containers},
            "vlans": [], "global_timeout": 60, "enable_ssh_backdoor": False,
            "test_script": str(self.script),
        })

    def test_environment_era_builds_machines_in_the_constructor(self):
        d = EnvironmentDriver(["/s/bin/run-web-vm"], [], "", Path(self.tmp.name), self.logger)
        self.assertIsInstance(EnvironmentDriver.__dict__.get("machines", []), list)
        self.assertEqual([m.name for m in d.machines], ["web"])
        with d as entered:
            self.assertIs(entered, d)
            self.assertEqual([m.name for m in d.machines], ["web"])

    def test_configuration_era_builds_machines_when_entered(self):
        d = ConfigurationDriver(config=self.config(), out_dir=Path(self.tmp.name),
                                logger=self.logger)
        self.assertIsInstance(ConfigurationDriver.__dict__["machines"], property)
        self.assertEqual((d.machines, d.machines_qemu, d.machines_nspawn, d.vlans),
                         ([], [], [], []))
        self.assertFalse((Path(self.tmp.name) / "vm-state-web").exists())
        self.assertEqual(d.tests, "pass\n")
        self.assertEqual(d.global_timeout, 60)
        with d as entered:
            self.assertIs(entered, d)
            self.assertEqual([m.name for m in d.machines], ["db", "web"])
            self.assertEqual([m.name for m in d.machines_qemu], ["web", "db"])
            self.assertEqual(d.machines_nspawn, [])
            self.assertTrue((Path(self.tmp.name) / "vm-state-web").is_dir())
            with contextlib.redirect_stdout(io.StringIO()):
                symbols = d.test_symbols()
            for name in ("machines", "machines_qemu", "machines_nspawn", "debug",
                         "BaseMachine", "web", "db"):
                self.assertIn(name, symbols)

    def test_configuration_era_builds_containers_as_nspawn_machines(self):
        d = ConfigurationDriver(config=self.config(vms=("web",), containers=("box",)),
                                out_dir=Path(self.tmp.name), logger=self.logger)
        with d:
            self.assertEqual([m.name for m in d.machines], ["box", "web"])
            (box,) = d.machines_nspawn
            self.assertIsInstance(box, NspawnMachine)
            self.assertEqual([type(m) for m in d.machines_qemu], [Machine])
            self.assertTrue((Path(self.tmp.name) / "vm-state-box").is_dir())
            with contextlib.redirect_stdout(io.StringIO()):
                symbols = d.test_symbols()
            self.assertIs(symbols["box"], box)
            self.assertIs(symbols["NspawnMachine"], NspawnMachine)
            # No QEMU behind it: the screen and the monitor say so.
            for call in (lambda: box.screenshot("x"), lambda: box.send_key("a"),
                         lambda: box.send_monitor_command("info status"),
                         lambda: box.get_screen_text()):
                with self.assertRaises(MachineError) as cm:
                    call()
                self.assertIn("box is a container", str(cm.exception))

    def test_nspawn_machine_that_cannot_start_says_so(self):
        script = Path(self.tmp.name) / "run-box-container"
        script.write_text("#!/bin/sh\necho 'cannot run systemd-nspawn here' >&2\nexit 1\n")
        script.chmod(0o755)
        box = NspawnMachine(out_dir=Path(self.tmp.name), tmp_dir=Path(self.tmp.name),
                            start_command=NixContainerStartScript(str(script)),
                            logger=self.logger, name="box")
        self.addCleanup(box.release)
        with self.assertRaises(MachineError) as cm:
            box.succeed("true")
        self.assertIn("systemd-nspawn of box exited (code 1) before its shell was ready",
                      str(cm.exception))
        box.wait_for_console_text("cannot run systemd-nspawn here", timeout=30)

    def test_nspawn_machine_backdoor_over_fifos(self):
        """The container's backdoor protocol end to end, with a start script
        that runs the guest's FIFO backdoor on the host instead of
        systemd-nspawn (which this test does not need)."""
        bin_dir = Path(self.tmp.name) / "bin"
        bin_dir.mkdir()
        script = bin_dir / "run-box-container"
        script.write_text(
            "#!/bin/bash\n"
            "echo console of box\n"
            'exec <"$TMPDIR/backdoor/in" >"$TMPDIR/backdoor/out"\n'
            'echo "Spawning backdoor root shell..."\n'
            "export BACKDOOR_PID=$$\n"
            "PS1= exec bash --norc\n"
        )
        script.chmod(0o755)
        start = NixContainerStartScript(str(script))
        self.assertEqual(start.machine_name, "box")
        box = NspawnMachine(out_dir=Path(self.tmp.name), tmp_dir=Path(self.tmp.name),
                            start_command=start, logger=self.logger, name="box")
        self.addCleanup(box.release)
        self.assertEqual(box.succeed("echo hello; echo $TMPDIR"),
                         f"hello\n{Path(self.tmp.name) / 'vm-state-box'}\n")
        self.assertEqual(box.execute("exit 3")[0], 3)
        box.wait_for_console_text("console of box", timeout=30)
        # The container going away under a command ends it with an error,
        # not a wait for an answer that cannot come.
        with self.assertRaises(MachineError) as cm:
            box.execute("kill -KILL $BACKDOOR_PID; sleep 5")
        self.assertIn("shell connection to box is closed", str(cm.exception))
        pid = box.pid
        box.crash()
        self.assertIsNone(box.pid)
        with self.assertRaises(ProcessLookupError):  # ended and reaped
            os.kill(pid, 0)


PYTHON311 = os.environ.get("NIXTIDE_PYTHON311", "")


def run_driver(args, stdin="", env=None, cwd=None, generation=None, python=sys.executable):
    e = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    e.update(env or {})
    if generation is None:
        generation = "configuration" if "--config" in args else "environment"
    e["NIXTIDE_DEMO_DRIVER_GENERATION"] = generation
    return subprocess.run(
        [python, str(DRIVER_DIR / "bin" / "nixos-test-driver")] + args,
        input=stdin, capture_output=True, text=True, env=e, cwd=cwd, timeout=60,
    )


class EntryPoint(unittest.TestCase):
    """The whole main() without machines, in a child interpreter."""

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.tmp, True)
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

    def configuration(self, script_text):
        """A driverConfiguration.json with no machines and this script."""
        conf = self.tmp / "driverConfiguration.json"
        conf.write_text(json.dumps({
            "vms": {}, "containers": {}, "vlans": [], "global_timeout": 60,
            "enable_ssh_backdoor": False,
            "test_script": str(self.script(script_text)),
        }))
        return conf

    def test_configuration_era(self):
        conf = self.configuration("assert 'machines_qemu' in globals()\nlog.info('config ok')\n")
        r = run_driver(["--config", str(conf), "--log-level", "info", "-o", str(self.tmp)], env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("config ok", r.stderr)
        self.assertIn("Test will time out and terminate in 60 seconds", r.stderr)

    def test_configuration_era_imports_pydantic_and_names_a_bad_file(self):
        conf = self.configuration("import sys\nprint('PYDANTIC', 'pydantic' in sys.modules)\n")
        r = run_driver(["--config", str(conf), "-o", str(self.tmp)], env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("PYDANTIC True", r.stdout)
        conf.write_text(json.dumps({"vms": {}, "vlans": []}))
        bad = run_driver(["--config", str(conf), "-o", str(self.tmp)], env=self.env)
        self.assertEqual(bad.returncode, 2)
        self.assertIn(f"{conf}: 4 validation errors for DriverConfiguration", bad.stderr)
        self.assertIn("enable_ssh_backdoor", bad.stderr)
        self.assertNotIn("Traceback", bad.stderr)

    @unittest.skipUnless(PYTHON311, "NIXTIDE_PYTHON311 not set")
    def test_environment_era_on_python_3_11_without_pydantic(self):
        env = dict(self.env, testScript=str(self.script(
            "import sys\nprint('ON', sys.version_info[:2], 'pydantic' in sys.modules)\n")))
        r = run_driver(["-o", str(self.tmp)], env=env, python=PYTHON311)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("ON (3, 11) False", r.stdout)

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
