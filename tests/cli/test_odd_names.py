"""Odd characters in what nixtide passes to other programs: a test file
whose directory and name hold spaces, both quotes, non-ASCII letters and
shell syntax (`$(…)`, backquotes, `;`), a subtest name with quotes and
non-ASCII, a machine name with a dash, and a JUnit path as odd as the
test's, through `nixtide list` (nix eval), `nixtide lint`, and `nixtide run`
(nix build, the driver's arguments, the run record's file names), on a real
QEMU guest. Nothing may break, and nothing in a name may run as a command.

Nix itself limits test and machine names (they become store path names:
letters, digits and `+-._?=`), so those keep to what Nix accepts."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from xml.etree import ElementTree

SOURCE = os.environ.get("NIXTIDE_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("NIXTIDE_BINARY") or os.path.join(SOURCE, "build", "app", "nixtide")
DEMO = os.path.join(SOURCE, "resources", "demo")

ODD = "it's \"odd\" é ü $(touch PWNED) `touch PWNED`; touch PWNED"
SUBTEST = "it's \"quoted\" — Grüße"

TEST = """\
{
  demo ? import %(lib)s { },
}:
demo.runTest {
  name = "odd-names";
  nodes."web-server" = { };
  testScript = ''
    web_server.start()
    web_server.wait_for_unit("multi-user.target")
    with subtest(%(subtest)s):
        out = web_server.succeed("echo 'a b' \\"c\\" é")
    assert out == "a b c é\\n", repr(out)
  '';
}
"""


def strings(value):
    """Every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


class OddNames(unittest.TestCase):
    def setUp(self):
        base = tempfile.mkdtemp(prefix="nixtide odd names ")
        self.addCleanup(shutil.rmtree, base, True)
        self.dir = os.path.join(base, ODD)
        os.mkdir(self.dir)
        self.state = os.path.join(base, "state é")
        self.file = os.path.join(self.dir, "tést 'one' \"two\".nix")
        with open(self.file, "w", encoding="utf-8") as handle:
            handle.write(TEST % {"lib": '"%s/lib"' % DEMO,
                                 "subtest": '"%s"' % SUBTEST.replace('"', '\\"')})
        self.env = dict(os.environ, XDG_STATE_HOME=self.state)
        self.env.setdefault("NIXTIDE_DEMO_GUEST", os.path.join(SOURCE, "build", "demo-guest"))
        self.cwd = base

    def nixtide(self, *args, timeout=900):
        result = subprocess.run([BINARY, *args], env=self.env, cwd=self.cwd,
                                capture_output=True, text=True, timeout=timeout)
        sys.stderr.write("\n[nixtide %s: exit %d]\n" % (args[0], result.returncode))
        return result

    def assertNothingRan(self):
        for root, _dirs, files in os.walk(self.cwd):
            self.assertNotIn("PWNED", files, "a name ran as a command in %s" % root)

    def test_list_lint_and_run(self):
        # A file that is itself a test has no attribute path: `list` prints
        # the file, to be passed back as is, every character intact.
        listed = self.nixtide("list", self.file)
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertEqual(listed.stdout, self.file + "\n")
        listed = self.nixtide("list", "--json", self.file)
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertEqual(json.loads(listed.stdout), [{"attrPath": "", "ref": self.file}])

        linted = self.nixtide("lint", "--no-type-check", self.file)
        self.assertEqual(linted.returncode, 0, linted.stdout + linted.stderr)

        line = TEST.splitlines().index("    with subtest(%(subtest)s):") + 1
        junit = os.path.join(self.dir, "jünit 'x' \"y\".xml")
        ran = self.nixtide("run", self.file, "--break", str(line + 1), "--junit-xml", junit)
        self.assertEqual(ran.returncode, 0, ran.stderr)
        self.assertIn("stopped (breakpoint) at %s:%d" % (self.file, line + 1), ran.stderr)
        self.assertIn(SUBTEST, ran.stderr)
        self.assertIn("PASSED odd-names", ran.stderr)
        # The report has upstream's shape (one suite "NixOS integration
        # test", a test case per subtest): the subtest's name comes back
        # whole from the XML.
        cases = [case.get("name") for case in ElementTree.parse(junit).iter("testcase")]
        self.assertEqual(cases, [SUBTEST])
        (stamp,) = os.listdir(os.path.join(self.state, "nixtide", "runs", "odd-names"))
        record = os.path.join(self.state, "nixtide", "runs", "odd-names", stamp)
        self.assertTrue(os.path.exists(os.path.join(record, "serial-web-server.log")),
                        os.listdir(record))
        with open(os.path.join(record, "log.jsonl"), encoding="utf-8") as handle:
            entries = [json.loads(line) for line in handle if line.strip()]
        self.assertTrue(any(SUBTEST in text for entry in entries for text in strings(entry)))
        self.assertNothingRan()


if __name__ == "__main__":
    unittest.main()
