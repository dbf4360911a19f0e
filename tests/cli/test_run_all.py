"""`nixtide run-all` building the demo flake's checks (tests/data/flake-checks:
three tests, `failing` failing on purpose) with real Nix and real QEMU guests:
through a remote builder (sshbuilder.py: sshd on loopback with its own store,
`--max-jobs 0`), then locally; exit status 1 with a failure, 0 when all pass,
2 when nothing can run; one JUnit file with each test and the failure's log."""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest
import uuid
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "open"))
sys.path.insert(0, os.path.join(HERE, "..", "common"))
import demoflake  # noqa: E402
from sshbuilder import SshBuilder  # noqa: E402

SOURCE = demoflake.SOURCE
BINARY = os.environ.get("NIXTIDE_BINARY") or os.path.join(SOURCE, "build", "app", "nixtide")
CHECKS = "checks.x86_64-linux"
TESTS = ["boots", "failing", "units"]


def cases_of(junit):
    suite = ET.parse(junit).getroot().find("testsuite")
    return suite, {case.get("name"): case for case in suite.findall("testcase")}


class RunAll(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.builder = SshBuilder(jobs=2).start()

    @classmethod
    def tearDownClass(cls):
        cls.builder.stop()

    def setUp(self):
        self.work = tempfile.TemporaryDirectory(prefix="nixtide-run-all-")
        self.addCleanup(self.work.cleanup)
        # Nix kills its build hook with SIGKILL when a remote build is done,
        # sometimes before the hook has removed its ssh master's directory
        # (TMPDIR/nix-PID-0; seen with strace): Nix's own race, which the
        # test keeps inside its temporary directory.
        tmp = os.path.join(self.work.name, "tmp")
        os.mkdir(tmp)
        self.env = dict(os.environ, XDG_STATE_HOME=os.path.join(self.work.name, "state"),
                        TMPDIR=tmp)

    def flake(self, broken):
        """A fresh copy of the fixture flake: a new nonce, so Nix runs every
        test again instead of finding the last run's results."""
        directory = os.path.join(self.work.name, "flake-%s" % uuid.uuid4().hex[:8])
        return demoflake.write_checks_flake(directory, uuid.uuid4().hex, broken=broken)

    def run_all(self, *args, env=None, timeout=1200):
        started = time.monotonic()
        result = subprocess.run([BINARY, "run-all", *args], env=env or self.env,
                                capture_output=True, text=True, timeout=timeout)
        sys.stderr.write("\n[nixtide run-all %s: exit %d in %.1f s]\n%s%s" % (
            " ".join(args), result.returncode, time.monotonic() - started, result.stdout,
            result.stderr[-3000:]))
        return result

    def remote(self, *args):
        return self.run_all("--max-jobs", "0", "--builders", self.builder.builders(), *args,
                            env=self.builder.environment(self.env))

    def assert_lines(self, stdout, expected):
        """Each test's RUN line (with where it ran) and its verdict line."""
        for test, (verdict, machine) in expected.items():
            name = "%s.%s" % (CHECKS, test)
            self.assertRegex(stdout, r"(?m)^  RUN +%s +on %s$" % (re.escape(name),
                                                                  re.escape(machine)))
            self.assertRegex(stdout, r"(?m)^  %s +%s +[0-9.]+ s" % (verdict, re.escape(name)))

    def test_checks_through_remote_builder(self):
        junit = os.path.join(self.work.name, "failing.xml")
        ref = self.flake(broken=True)
        result = self.remote(ref, "--junit-xml", junit)
        self.assertEqual(result.returncode, 1, result.stderr)
        uri = self.builder.store_uri()
        self.assert_lines(result.stdout, {"boots": ("PASS", uri), "units": ("PASS", uri),
                                          "failing": ("FAIL", uri)})
        self.assertIn("3 test(s): 2 passed, 1 failed, 0 not run", result.stdout)
        # The failure's report from `nix log`: the script line and the exception.
        self.assertIn('machine.succeed("echo this-command-fails; exit 1")', result.stdout)
        # Built on the builder, in its own store: the tests ran there (ssh-ng
        # sends derivations, not .drv files: the outputs and inputs show it).
        remote = self.builder.remote_store_paths()
        for test in ("boots", "units"):
            self.assertTrue(any(p.endswith("-vm-test-run-%s" % test) for p in remote), test)
        self.assertTrue(any(p.endswith("-nixos-test-driver-failing") for p in remote))

        suite, cases = cases_of(junit)
        self.assertEqual(sorted(cases), ["%s.%s" % (CHECKS, t) for t in TESTS])
        self.assertEqual((suite.get("tests"), suite.get("failures"), suite.get("errors")),
                         ("3", "1", "0"))
        failure = cases["%s.failing" % CHECKS].find("failure")
        self.assertIsNotNone(failure)
        self.assertIn("failed (exit code 1)", failure.get("message"))
        self.assertIn('File "<string>", line 3', failure.text)
        self.assertIn('machine.succeed("echo this-command-fails; exit 1")', failure.text)
        self.assertIn("this-command-fails", cases["%s.failing" % CHECKS].find("system-out").text)
        # The explorer's record of the last results, by reference.
        with open(os.path.join(self.work.name, "state", "nixtide", "run-all.json")) as handle:
            history = json.load(handle)
        self.assertEqual(history[ref + "#%s.failing" % CHECKS]["state"], "FAIL")
        self.assertEqual(history[ref + "#%s.boots" % CHECKS]["state"], "PASS")
        for test in ("boots", "units"):
            case = cases["%s.%s" % (CHECKS, test)]
            self.assertIsNone(case.find("failure"))
            self.assertGreater(float(case.get("time")), 1.0)

        # The same suite fixed: every test passes, through the builder again.
        junit = os.path.join(self.work.name, "passing.xml")
        result = self.remote(self.flake(broken=False), "--junit-xml", junit)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assert_lines(result.stdout, {t: ("PASS", uri) for t in TESTS})
        suite, cases = cases_of(junit)
        self.assertEqual(sorted(cases), ["%s.%s" % (CHECKS, t) for t in TESTS])
        self.assertEqual((suite.get("failures"), suite.get("errors")), ("0", "0"))

    def test_attributes_built_locally(self):
        ref = self.flake(broken=True)
        junit = os.path.join(self.work.name, "local.xml")
        result = self.run_all("-j2", "--junit-xml", junit, "%s#%s.boots" % (ref, CHECKS),
                              "%s#%s.failing" % (ref, CHECKS))
        self.assertEqual(result.returncode, 1, result.stderr)
        for test, verdict in (("boots", "PASS"), ("failing", "FAIL")):
            name = "%s#%s.%s" % (ref, CHECKS, test)
            self.assertRegex(result.stdout, r"(?m)^  RUN +%s +on local$" % re.escape(name))
            self.assertRegex(result.stdout, r"(?m)^  %s +%s +[0-9.]+ s" % (verdict,
                                                                        re.escape(name)))
        _, cases = cases_of(junit)
        self.assertEqual(len(cases), 2)
        # Run again: the passing result is in the store, Nix does not run it.
        result = self.run_all("%s#%s.boots" % (ref, CHECKS))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("(result in the store already)", result.stdout)

    def test_cannot_run(self):
        self.assertEqual(self.run_all().returncode, 2)
        missing = self.run_all(os.path.join(self.work.name, "missing.nix"))
        self.assertEqual(missing.returncode, 2)
        self.assertIn("missing.nix", missing.stderr)
        empty = os.path.join(self.work.name, "empty.nix")
        with open(empty, "w") as handle:
            handle.write("{ notATest = 1; }\n")
        result = self.run_all(empty)
        self.assertEqual(result.returncode, 2)
        self.assertIn("no tests", result.stderr)
        # An unreachable builder: nothing runs, and Nix's reason is shown.
        result = self.run_all("--max-jobs", "0", "--builders",
                              "ssh-ng://root@127.0.0.1:1 x86_64-linux - 1 1 nixos-test",
                              "%s#%s.boots" % (self.flake(broken=False), CHECKS), timeout=300)
        self.assertEqual(result.returncode, 2, result.stdout)
        self.assertIn("NOT RUN", result.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
