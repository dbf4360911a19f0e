"""`nixtide run` against the demo tests, built by real Nix, booting real
QEMU guests: exit status 0 / 1 / 2 / 130, and nothing of the driver's
process group (driver, QEMU, vde_switch) surviving SIGINT or kill -9 of
nixtide."""
import json
import os
import queue
import random
import re
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import zlib

from test_review import black_png

SOURCE = os.environ.get("NIXTIDE_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("NIXTIDE_BINARY") or os.path.join(SOURCE, "build", "app", "nixtide")
DEMO = os.path.join(SOURCE, "resources", "demo")


def proc_children():
    """pid -> ppid for every live, non-zombie process."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as handle:
                text = handle.read()
        except OSError:
            continue
        fields = text[text.rfind(")") + 2:].split()
        if fields[0] != "Z":
            table[int(entry)] = int(fields[1])
    return table


def descendants(pid):
    table = proc_children()
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in table.items() if parent in frontier} - found
        found |= frontier
    return found


def command(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def alive(pids):
    table = proc_children()
    return {pid: command(pid) for pid in pids if pid in table}


def script_error_report(text):
    """The driver's report of a failed test script: its `!!!` lines, without
    colours (upstream's log_test_error, which the log and JUnit get too)."""
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    return [line.split("!!! ", 1)[1] for line in plain.splitlines() if "!!! " in line]


def png_size(path):
    """(width, height) of a PNG whose chunks all check out, else a failure."""
    with open(path, "rb") as handle:
        data = handle.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise AssertionError("%s: not a PNG signature" % path)
    offset, kinds = 8, []
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset:offset + 4])
        kind = data[offset + 4:offset + 8]
        body = data[offset + 8:offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])
        if zlib.crc32(kind + body) & 0xffffffff != crc:
            raise AssertionError("%s: bad CRC in chunk %r" % (path, kind))
        kinds.append(kind)
        offset += 12 + length
    if kinds[0] != b"IHDR" or kinds[-1] != b"IEND" or b"IDAT" not in kinds:
        raise AssertionError("%s: chunks %r" % (path, kinds))
    return struct.unpack(">II", data[16:24])


def read_lines(stream):
    """A queue that receives the lines of `stream` as they come, then None."""
    lines = queue.Queue()

    def pump():
        for line in stream:
            lines.put(line)
        lines.put(None)
    threading.Thread(target=pump, daemon=True).start()
    return lines


def rest_of(lines, timeout=10):
    """The lines still to come from a read_lines queue, up to its end."""
    out = []
    while True:
        line = lines.get(timeout=timeout)
        if line is None:
            return out
        out.append(line)


class RunCommand(unittest.TestCase):
    def setUp(self):
        self.state = tempfile.TemporaryDirectory(prefix="nixtide-run-test-")
        self.addCleanup(self.state.cleanup)
        self.env = dict(os.environ, XDG_STATE_HOME=self.state.name)
        self.env.setdefault("NIXTIDE_DEMO_GUEST", os.path.join(SOURCE, "build", "demo-guest"))

    def run_nixtide(self, *args, timeout=400):
        started = time.monotonic()
        result = subprocess.run([BINARY, "run", *args], env=self.env, capture_output=True,
                                text=True, timeout=timeout)
        sys.stderr.write("\n[nixtide run %s: exit %d in %.1f s]\n" % (
            " ".join(args), result.returncode, time.monotonic() - started))
        return result

    def start_and_wait_for_qemu(self, *args):
        """Starts `nixtide run` and returns (process, its descendants) once
        a QEMU of its own is running."""
        proc = subprocess.Popen([BINARY, "run", *args], env=self.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        self.addCleanup(proc.stderr.close)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            family = descendants(proc.pid)
            if any("qemu-system" in command(pid) for pid in family):
                time.sleep(1)  # let the guest get going: a run mid-boot
                return proc, descendants(proc.pid)
            if proc.poll() is not None:
                self.fail("nixtide exited early: %s" % proc.stderr.read())
            time.sleep(0.2)
        self.fail("no QEMU started under nixtide within 120 s")

    def test_passing_test_exits_0_and_records_the_run(self):
        result = self.run_nixtide(os.path.join(DEMO, "single.nix"), "--break", "19",
                                  "--junit-xml", os.path.join(self.state.name, "junit.xml"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("stopped (breakpoint) at %s:19" % os.path.join(DEMO, "single.nix"), result.stderr)
        self.assertIn("machine = <Machine 'machine'>", result.stderr)
        self.assertIn("▸ machine: waiting for unit multi-user.target", result.stderr)
        self.assertIn("PASSED single", result.stderr)
        runs = os.path.join(self.state.name, "nixtide", "runs", "single")
        (stamp,) = os.listdir(runs)
        record = os.path.join(runs, stamp)
        import json
        with open(os.path.join(record, "result.json")) as handle:
            outcome = json.load(handle)
        self.assertEqual((outcome["status"], outcome["exitCode"]), ("passed", 0))
        # The test as opened: what the window's Tests dock looks the run up by.
        self.assertEqual(outcome["reference"], os.path.abspath(os.path.join(DEMO, "single.nix")))
        with open(os.path.join(record, "log.jsonl")) as handle:
            events = [json.loads(line)["event"] for line in handle]
        self.assertIn("nixtide/logBegin", events)
        self.assertIn("stopped", events)
        # Every byte the guest wrote, as it wrote them (its tty's CR LF).
        with open(os.path.join(record, "serial-machine.log"), "rb") as handle:
            self.assertIn(b"Run /init as init process\r\n", handle.read())
        self.assertTrue(os.listdir(os.path.join(record, "screenshots")))
        self.assertTrue(os.path.getsize(os.path.join(self.state.name, "junit.xml")) > 0)

    def test_vm_and_container_test_passes_with_both_machines_listed_first(self):
        # containers.nix: a VM and a systemd-nspawn container on VLAN 1.
        test = os.path.join(DEMO, "containers.nix")
        with open(test) as handle:
            line = next(i + 1 for i, text in enumerate(handle.read().splitlines())
                        if "start_all()" in text)
        result = self.run_nixtide(test, "--break", str(line), timeout=600)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("running containers (server, box)", result.stderr)
        # Stopped before start_all() ran, both machines already in the namespace.
        self.assertIn("stopped (breakpoint) at %s:%d" % (test, line), result.stderr)
        self.assertIn("box = <NspawnMachine 'box'>", result.stderr)
        self.assertIn("server = <Machine 'server'>", result.stderr)
        self.assertIn("PASSED containers", result.stderr)
        runs = os.path.join(self.state.name, "nixtide", "runs", "containers")
        (stamp,) = os.listdir(runs)
        import json
        with open(os.path.join(runs, stamp, "log.jsonl")) as handle:
            events = [json.loads(line) for line in handle]
        first_stop = next(i for i, e in enumerate(events) if e["event"] == "stopped")
        before = [e["body"]["machines"] for e in events[:first_stop]
                  if e["event"] == "nixtide/machines"]
        self.assertTrue(before, "no machine list before the breakpoint")
        self.assertEqual(sorted((m["name"], m["kind"], m["state"]) for m in before[-1]),
                         [("box", "container", "off"), ("server", "vm", "off")])
        # The container's console is recorded as a VM's serial console is.
        with open(os.path.join(runs, stamp, "serial-box.log"), "rb") as handle:
            self.assertIn(b"[root@box:~]#", handle.read())

    def test_graphical_test_with_ocr_exits_0(self):
        # graphical.nix reads the screen by OCR: under nixtide its image
        # pipeline once waited for ever on the driver's stdin.
        result = self.run_nixtide(os.path.join(DEMO, "graphical.nix"), timeout=900)
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        self.assertIn("waiting for nixtide demo guest to appear on screen", result.stderr)
        self.assertIn("PASSED graphical", result.stderr)

    def test_environment_era_test_exits_0(self):
        # vlan.nix: an environment-era bundle, its driver on Python 3.11.
        vlan = os.path.join(DEMO, "vlan.nix")
        with open(vlan) as handle:
            line = next(i + 1 for i, text in enumerate(handle.read().splitlines())
                        if 'client.wait_for_unit("multi-user.target")' in text)
        result = self.run_nixtide(vlan, "--break", str(line), timeout=600)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("stopped (breakpoint) at %s:%d" % (vlan, line), result.stderr)
        self.assertIn("server = <Machine 'server'>", result.stderr)
        self.assertIn("PASSED vlan", result.stderr)

    def test_failing_test_exits_1_naming_the_nix_line_and_command(self):
        result = self.run_nixtide(os.path.join(DEMO, "failing.nix"))
        self.assertEqual(result.returncode, 1, result.stderr)
        last = result.stderr.strip().splitlines()[-2:]
        self.assertIn("FAILED failing", last[0])
        self.assertIn("%s:15: machine.succeed(\"echo this-command-fails; exit 1\")"
                      % os.path.join(DEMO, "failing.nix"), last[0])

        # The failure left a screenshot of the running VM in the record,
        # announced with the failing .nix line.
        runs = os.path.join(self.state.name, "nixtide", "runs", "failing")
        (stamp,) = os.listdir(runs)
        run = os.path.join(runs, stamp)
        shot = os.path.join(run, "screenshots", "machine-failure.png")
        width, height = png_size(shot)
        with open(os.path.join(run, "log.jsonl")) as handle:
            events = [json.loads(line) for line in handle if line.strip()]
        (event,) = [e for e in events if e.get("event") == "nixtide/screenshot"]
        self.assertEqual(event["copy"], shot)
        self.assertEqual((event["body"]["machine"], event["body"]["failure"],
                          event["body"]["scriptPath"], event["body"]["line"]),
                         ("machine", True, os.path.join(DEMO, "failing.nix"), 15))
        self.assertIn("this-command-fails", event["body"]["step"])
        # `nixtide review` lists it; against a black reference of its size
        # it differs where the guest's console has text (its banner and
        # prompt are about 1100 pixels), not nowhere as a blank screen would.
        references = os.path.join(self.state.name, "references")
        os.makedirs(references)
        black_png(os.path.join(references, "machine-failure.png"), width, height)
        review = subprocess.run([BINARY, "review", run, "--references", references],
                                env=self.env, capture_output=True, text=True, timeout=60)
        self.assertEqual(review.returncode, 1, review.stderr)
        verdict = re.search(r"^differs +machine-failure  .*\((\d+) of (\d+) pixels differ",
                            review.stdout, re.M)
        self.assertIsNotNone(verdict, review.stdout)
        self.assertEqual(int(verdict.group(2)), width * height)
        self.assertGreater(int(verdict.group(1)), 300)

    def build_bundle(self, test, attr="driver"):
        """Store path of `attr` of the demo test `test`.nix, built by Nix."""
        bundle = subprocess.run(
            ["nix", "--extra-experimental-features", "nix-command", "build", "--option",
             "substituters", "", "--no-link", "--json", "-f",
             os.path.join(DEMO, test + ".nix"), attr], env=self.env, capture_output=True,
            text=True, timeout=300)
        self.assertEqual(bundle.returncode, 0, bundle.stderr)
        return json.loads(bundle.stdout)[0]["outputs"]["out"]

    def test_failing_script_on_a_bundle_exits_1(self):
        out = self.build_bundle("single")
        script = os.path.join(self.state.name, "fails.py")
        with open(script, "w") as handle:
            handle.write("machine.start()\nx = 41\nassert x == 42, 'x is %d' % x\n")
        result = self.run_nixtide(out, "--script", script, "--break", "2")
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("stopped (breakpoint) at %s:2" % script, result.stderr)
        self.assertIn("%s:3: assert x == 42" % script, result.stderr)

    def test_failure_report_is_the_drivers_own(self):
        """failing.nix under nixtide: the driver's log and JUnit name the
        failing script line in the same words as the bundle run alone."""
        bundle = self.build_bundle("failing")
        alone_dir = tempfile.mkdtemp(prefix="nixtide-alone-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", alone_dir]))
        alone = subprocess.run(
            [os.path.join(bundle, "bin", "nixos-test-driver"), "--junit-xml", "junit.xml"],
            cwd=alone_dir, env=dict(self.env, TMPDIR=alone_dir, XDG_RUNTIME_DIR=alone_dir),
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=400,
            start_new_session=True)
        self.assertEqual(alone.returncode, 1, alone.stderr[-4000:])
        expected = script_error_report(alone.stderr)
        self.assertIn('  File "<string>", line 4, in <module>', expected)
        self.assertIn('    machine.succeed("echo this-command-fails; exit 1")', expected)

        junit = os.path.join(self.state.name, "junit.xml")
        result = self.run_nixtide(os.path.join(DEMO, "failing.nix"), "--junit-xml", junit)
        self.assertEqual(result.returncode, 1, result.stderr)
        # The debugger still names the .nix line.
        self.assertIn("%s:15: machine.succeed" % os.path.join(DEMO, "failing.nix"), result.stderr)
        runs = os.path.join(self.state.name, "nixtide", "runs", "failing")
        (stamp,) = os.listdir(runs)
        with open(os.path.join(runs, stamp, "driver.log")) as handle:
            self.assertEqual(script_error_report(handle.read()), expected)
        with open(os.path.join(alone_dir, "junit.xml")) as handle:
            alone_junit = handle.read()
        with open(junit) as handle:
            nixtide_junit = handle.read()
        self.assertIn('File "&lt;string&gt;", line 4, in &lt;module&gt;', alone_junit)
        self.assertIn('File "&lt;string&gt;", line 4, in &lt;module&gt;', nixtide_junit)

    def test_script_output_reaches_stdout_as_it_comes(self):
        bundle = self.build_bundle("single")
        go = os.path.join(self.state.name, "go")
        script = os.path.join(self.state.name, "prints.py")
        with open(script, "w") as handle:
            # Blocks until the test has seen the first line on stdout.
            handle.write("import os, time\n"
                         "print('marker: before')\n"
                         "deadline = time.monotonic() + 300\n"
                         "while not os.path.exists(%r):\n"
                         "    assert time.monotonic() < deadline, 'never told to go on'\n"
                         "    time.sleep(0.1)\n"
                         "print('marker: after')\n" % go)
        proc = subprocess.Popen([BINARY, "run", bundle, "--script", script, "--progress", "plain"],
                                env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        self.addCleanup(proc.stderr.close)
        self.addCleanup(proc.stdout.close)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        out, err = read_lines(proc.stdout), read_lines(proc.stderr)
        seen = []
        deadline = time.monotonic() + 180
        while "marker: before\n" not in seen:
            try:
                line = out.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                line = None
            if line is None:
                proc.kill()
                self.fail("no 'marker: before' on stdout while the script waits; stdout: %r" % seen)
            seen.append(line)
        self.assertIsNone(proc.poll(), "nixtide ended before the script was let go")
        with open(go, "w"):
            pass
        self.assertEqual(proc.wait(180), 0)
        rest = rest_of(out)
        self.assertIn("marker: after\n", rest)
        errors = rest_of(err)
        # The log stays on stderr, and stdout holds no log line.
        self.assertTrue(any("PASSED single" in line for line in errors), errors)
        self.assertFalse(any("PASSED" in line for line in seen + rest))

    def test_interactive_bundle_ends_with_the_scripts_result(self):
        """driverInteractive would wait in its REPL after the script: headless,
        the run ends with the script's result and takes its VMs along."""
        bundle = self.build_bundle("single", "driverInteractive")
        with open(os.path.join(bundle, "bin", "nixos-test-driver")) as handle:
            self.assertIn("--interactive", handle.read())
        proc = subprocess.Popen([BINARY, "run", bundle], env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.addCleanup(proc.stderr.close)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        err = read_lines(proc.stderr)
        qemus = set()
        deadline = time.monotonic() + 400
        while proc.poll() is None and time.monotonic() < deadline:
            qemus |= {pid for pid in descendants(proc.pid) if "qemu-system" in command(pid)}
            time.sleep(0.2)
        if proc.poll() is None:
            proc.kill()
        lines = rest_of(err)
        self.assertEqual(proc.wait(10), 0, "".join(lines[-40:]))
        self.assertTrue(qemus, "the script never started its VM")
        self.assertTrue(any("PASSED single" in line for line in lines), lines[-10:])
        deadline = time.monotonic() + 30
        while alive(qemus) and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertEqual(alive(qemus), {})
        # A failing script: exit 1, also from the interactive bundle.
        script = os.path.join(self.state.name, "fails.py")
        with open(script, "w") as handle:
            handle.write("x = 41\nassert x == 42, 'x is %d' % x\n")
        result = self.run_nixtide(bundle, "--script", script, timeout=300)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("%s:2: assert x == 42" % script, result.stderr)

    def fresh_demo_test(self):
        """A demo-library test no earlier run has built (a unique name), so
        Nix really builds its derivations."""
        folder = tempfile.mkdtemp(prefix="nixtide-progress-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", folder]))
        path = os.path.join(folder, "test.nix")
        with open(path, "w") as handle:
            handle.write('(import %s/lib { }).runTest {\n'
                         '  name = "progress-%d";\n'
                         '  nodes.machine = { };\n'
                         '  testScript = "start_all()";\n'
                         '}\n' % (DEMO, random.getrandbits(48)))
        script = os.path.join(folder, "script.py")
        with open(script, "w") as handle:
            handle.write("pass\n")
        return path, script

    def test_progress_json_goes_to_stdout_and_ends_at_done_equals_expected(self):
        test, script = self.fresh_demo_test()
        result = self.run_nixtide(test, "--script", script, "--progress", "json")
        self.assertEqual(result.returncode, 0, result.stderr)
        events = [json.loads(line) for line in result.stdout.splitlines()]
        progress = [e for e in events if e["event"] == "progress"]
        self.assertTrue(progress, result.stdout)
        self.assertGreater(progress[-1]["expected"], 0)
        self.assertEqual(progress[-1]["done"], progress[-1]["expected"])
        for earlier, later in zip(progress, progress[1:]):
            self.assertLessEqual(earlier["done"], later["done"])
        self.assertEqual(events[-1]["event"], "finished")
        self.assertTrue(events[-1]["ok"])
        self.assertTrue(events[-1]["outPath"].startswith("/nix/store/"))

    def test_progress_plain_lines_and_a_failed_build_in_json(self):
        test, script = self.fresh_demo_test()
        result = self.run_nixtide(test, "--script", script, "--progress", "plain")
        self.assertEqual(result.returncode, 0, result.stderr)
        # stdout has the driver's own (its symbol list), no build progress.
        self.assertNotRegex(result.stdout, r"built|copying|building")
        self.assertRegex(result.stderr, r"\[(\d+)/\1 built")
        # A failing build: exit 2, the derivation and its log tail in JSON.
        folder = tempfile.mkdtemp(prefix="nixtide-progress-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", folder]))
        data = os.path.join(SOURCE, "tests", "data", "nix")
        with open(os.path.join(data, "failing-build.nix")) as handle:
            text = handle.read().replace("@NONCE@", str(random.getrandbits(48)))
        with open(os.path.join(folder, "t.nix"), "w") as handle:
            handle.write(text)
        with open(os.path.join(data, "testlib.nix")) as src, \
                open(os.path.join(folder, "testlib.nix"), "w") as dst:
            dst.write(src.read())
        result = self.run_nixtide(os.path.join(folder, "t.nix"), "--progress", "json")
        self.assertEqual(result.returncode, 2, result.stderr)
        finished = json.loads(result.stdout.splitlines()[-1])
        self.assertEqual(finished["event"], "finished")
        self.assertFalse(finished["ok"])
        self.assertTrue(finished["error"]["derivation"].endswith("failing-driver.drv"))
        self.assertIn("the driver is broken", finished["error"]["logTail"])
        self.assertIn("the driver is broken", result.stderr)

    def old_driver_test(self):
        """A demo test whose environment-era driver has nixos-22.11's
        command line (no --junit-xml): two subtests, the second failing
        when the file `fail` exists next to it. Returns (test.nix, folder)."""
        folder = tempfile.mkdtemp(prefix="nixtide-old-driver-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", folder]))
        path = os.path.join(folder, "test.nix")
        with open(path, "w") as handle:
            handle.write("(import %s/lib { }).runTest {\n"
                         '  name = "old-driver";\n'
                         '  driverGeneration = "environment";\n'
                         '  driverCommandLine = "nixos-22.11";\n'
                         "  nodes.machine = { };\n"
                         "  testScript = ''\n"
                         '    import os\n'
                         '    with subtest("first"):\n'
                         '        print("first ran")\n'
                         '    with subtest("second"):\n'
                         '        assert not os.path.exists(%r), "told to fail"\n'
                         "  '';\n"
                         "}\n" % (DEMO, os.path.join(folder, "fail")))
        return path, folder

    def read_junit(self, path):
        import xml.etree.ElementTree as ET
        root = ET.parse(path).getroot()
        self.assertEqual(root.tag, "testsuites")
        (suite,) = root.findall("testsuite")
        cases = {case.get("name"): case for case in suite.findall("testcase")}
        return root, suite, cases

    def test_driver_without_junit_option_gets_nixtides_junit(self):
        test, folder = self.old_driver_test()
        junit = os.path.join(folder, "junit.xml")
        result = self.run_nixtide(test, "--junit-xml", junit, timeout=600)
        self.assertEqual(result.returncode, 0, result.stderr[-4000:])
        self.assertIn("PASSED old-driver", result.stderr)
        self.assertNotIn("unrecognized arguments", result.stderr)
        root, suite, cases = self.read_junit(junit)
        self.assertEqual((root.get("tests"), root.get("failures")), ("2", "0"))
        self.assertEqual((suite.get("tests"), suite.get("failures")), ("2", "0"))
        self.assertEqual(sorted(cases), ["first", "second"])
        self.assertIsNone(cases["second"].find("failure"))
        # A failing script: exit 1, the failure on its subtest with the line.
        with open(os.path.join(folder, "fail"), "w"):
            pass
        os.remove(junit)
        result = self.run_nixtide(test, "--junit-xml", junit, timeout=600)
        self.assertEqual(result.returncode, 1, result.stderr[-4000:])
        self.assertIn("FAILED old-driver", result.stderr)
        root, suite, cases = self.read_junit(junit)
        self.assertEqual((root.get("tests"), root.get("failures")), ("2", "1"))
        self.assertIsNone(cases["first"].find("failure"))
        failure = cases["second"].find("failure")
        self.assertIsNotNone(failure)
        self.assertIn("%s:11: assert not os.path.exists(" % test, failure.get("message"))
        self.assertIn("told to fail", failure.text)

    def test_driver_failing_before_the_script_cannot_run(self):
        """A driver that rejects its command line (nixos-22.11's parser and
        --dump-vsocks, which its wrapper passes here) is "could not run",
        with the driver's own usage message."""
        test, folder = self.old_driver_test()
        built = subprocess.run(
            ["nix", "--extra-experimental-features", "nix-command", "build", "--option",
             "substituters", "", "--no-link", "--print-out-paths", "-f", test, "driver"],
            env=self.env, capture_output=True, text=True, timeout=300)
        self.assertEqual(built.returncode, 0, built.stderr)
        bundle = os.path.join(folder, "nixos-test-driver-old-driver")
        subprocess.run(["cp", "-r", "--no-preserve=mode", built.stdout.strip(), bundle], check=True)
        wrapper = os.path.join(bundle, "bin", "nixos-test-driver")
        with open(wrapper) as handle:
            text = handle.read()
        self.assertEqual(text.count('.nixos-test-driver-wrapped"'), 1, text)
        with open(wrapper, "w") as handle:
            handle.write(text.replace('.nixos-test-driver-wrapped"',
                                      '.nixos-test-driver-wrapped" --dump-vsocks 3'))
        os.chmod(wrapper, 0o755)
        result = self.run_nixtide(bundle)
        self.assertEqual(result.returncode, 2, result.stderr[-4000:])
        self.assertIn("before the test script started", result.stderr)
        self.assertIn("usage: nixos-test-driver", result.stderr)
        self.assertIn("error: unrecognized arguments: --dump-vsocks", result.stderr)
        self.assertNotIn("FAILED", result.stderr)

    def test_next_run_starts_the_last_builds_driver_and_drops_it_when_the_test_changed(self):
        """The last build's driver starts while Nix checks the test: kept
        when Nix builds the same bundle, stopped (having run nothing) when
        the test changed. No VM boots: the script only prints."""
        test = os.path.join(self.state.name, "early.nix")

        def write(version):
            with open(test, "w") as handle:
                handle.write("{ demo ? import %s/lib { } }:\n"
                             "demo.runTest {\n"
                             "  name = \"early\";\n"
                             "  nodes.machine = { ... }: { };\n"
                             "  testScript = ''\n"
                             "    print(\"script version %d\")\n"
                             "  '';\n"
                             "}\n" % (DEMO, version))

        early = "nixtide: started the last build's driver while Nix checks the test"
        write(1)
        first = self.run_nixtide(test, "--progress", "plain")
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertNotIn(early, first.stderr)
        self.assertEqual(first.stdout.count("script version 1"), 1, first.stdout)
        (old_bundle,) = re.findall(r"nixtide: built (/nix/store/\S+-nixos-test-driver-early)",
                                   first.stderr)

        again = self.run_nixtide(test, "--progress", "plain")
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn(early, again.stderr)
        self.assertNotIn("not using the driver started early", again.stderr)
        self.assertEqual(again.stdout.count("script version 1"), 1, again.stdout)
        self.assertIn("PASSED early", again.stderr)

        write(2)
        changed = self.run_nixtide(test, "--progress", "plain")
        self.assertEqual(changed.returncode, 0, changed.stderr)
        self.assertIn(early, changed.stderr)
        self.assertIn("nixtide: not using the driver started early: the test's build changed;"
                      " stopping it", changed.stderr)
        self.assertNotIn("script version 1", changed.stdout)
        self.assertEqual(changed.stdout.count("script version 2"), 1, changed.stdout)
        stray = [pid for pid in proc_children() if old_bundle in command(pid)]
        self.assertEqual(stray, [], [command(pid) for pid in stray])

    def test_bad_progress_mode_is_named(self):
        result = self.run_nixtide(os.path.join(DEMO, "single.nix"), "--progress", "fancy")
        self.assertEqual(result.returncode, 2)
        self.assertIn("'fancy'", result.stderr)

    def test_cannot_run_exits_2(self):
        missing = self.run_nixtide(os.path.join(DEMO, "no-such-test.nix"))
        self.assertEqual(missing.returncode, 2, missing.stderr)
        self.assertIn("no-such-test.nix", missing.stderr)
        no_bundle = self.run_nixtide(self.state.name)
        self.assertEqual(no_bundle.returncode, 2, no_bundle.stderr)
        bad_option = self.run_nixtide(os.path.join(DEMO, "single.nix"), "--break", "x")
        self.assertEqual(bad_option.returncode, 2)
        self.assertIn("--break needs a line number", bad_option.stderr)
        broken = os.path.join(self.state.name, "broken.nix")
        with open(broken, "w") as handle:
            handle.write("{ name = \"broken\"; testScript = ''\n  pass\n'' \n")
        build_error = self.run_nixtide(broken)
        self.assertEqual(build_error.returncode, 2, build_error.stderr)
        self.assertIn("broken.nix", build_error.stderr)

    def test_sigint_stops_the_group_and_exits_130(self):
        proc, family = self.start_and_wait_for_qemu(os.path.join(DEMO, "single.nix"))
        proc.send_signal(signal.SIGINT)
        self.assertEqual(proc.wait(30), 130, proc.stderr.read())
        time.sleep(0.5)
        self.assertEqual(alive(family), {})

    def test_kill_9_leaves_no_driver_qemu_or_vde_switch(self):
        proc, family = self.start_and_wait_for_qemu(os.path.join(DEMO, "vlan.nix"))
        names = " ".join(command(pid) for pid in family)
        self.assertIn("qemu-system", names)
        self.assertIn("vde_switch", names)
        private_dirs = set()
        for pid in family:
            try:
                with open("/proc/%d/environ" % pid, "rb") as handle:
                    for item in handle.read().split(b"\0"):
                        if item.startswith(b"NIXTIDE_AGENT_SOCKET="):
                            private_dirs.add(os.path.dirname(item.split(b"=", 1)[1].decode()))
            except OSError:
                pass
        self.assertTrue(private_dirs)
        proc.kill()
        proc.wait(10)
        time.sleep(3)
        self.assertEqual(alive(family), {})
        # The agent's private directory (and the VM state in it) is gone too.
        self.assertEqual([d for d in private_dirs if os.path.exists(d)], [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
