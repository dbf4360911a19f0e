"""Edit without rebuild, headless (`nixtide run --reuse-build`), with real
Nix and real QEMU: after a build, an edit of the testScript's text alone runs
against the built VMs with no `nix` on PATH (the edited line's command runs
and a breakpoint on it stops at the edited file's line); an edit that adds an
antiquotation builds again, and nixtide says which line made it."""
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from demoflake import DEMO, SOURCE  # noqa: E402

BINARY = os.environ.get("NIXTIDE_BINARY") or os.path.join(SOURCE, "build", "app", "nixtide")
LAST = '    machine.fail("test -e /nonexistent")\n'


class EditWithoutRebuild(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="nixtide-open-edit-")
        self.addCleanup(self.tmp.cleanup)
        self.test = os.path.join(self.tmp.name, "single.nix")
        with open(os.path.join(DEMO, "single.nix")) as handle:
            text = handle.read()
        # Same line count: the library by absolute path instead of ./lib.
        self.assertIn("import ./lib { }", text)
        self.write(text.replace("import ./lib { }", "import %s/lib { }" % DEMO))
        self.env = dict(os.environ, XDG_STATE_HOME=os.path.join(self.tmp.name, "state"))
        self.env.pop("NIXTIDE_NIX", None)
        self.no_nix = os.path.join(self.tmp.name, "empty-bin")
        os.mkdir(self.no_nix)

    def write(self, text):
        with open(self.test, "w") as handle:
            handle.write(text)

    def edit(self, old, new):
        with open(self.test) as handle:
            text = handle.read()
        self.assertIn(old, text)
        self.write(text.replace(old, new))

    def line_of(self, needle):
        with open(self.test) as handle:
            for number, line in enumerate(handle, 1):
                if needle in line:
                    return number
        self.fail("%r not in %s" % (needle, self.test))

    def run_nixtide(self, *args, env=None):
        started = time.monotonic()
        result = subprocess.run([BINARY, "run", self.test, "--reuse-build", *args],
                                env=env or self.env, capture_output=True, text=True, timeout=400)
        sys.stderr.write("\n[nixtide run %s: exit %d in %.1f s]\n%s" % (
            " ".join(args), result.returncode, time.monotonic() - started, result.stderr))
        return result

    def test_script_edit_runs_without_nix_and_antiquotation_edit_rebuilds(self):
        first = self.run_nixtide()
        self.assertEqual(first.returncode, 0)
        self.assertIn("rebuilt: no earlier build", first.stderr)
        self.assertIn("nixtide: building ", first.stderr)

        self.edit(LAST, LAST + '    machine.succeed("echo edited-without-rebuild")\n')
        line = self.line_of("edited-without-rebuild")
        edited = self.run_nixtide("--break", str(line),
                                  env=dict(self.env, PATH=self.no_nix))
        self.assertEqual(edited.returncode, 0)
        self.assertIn("nixtide: ran the edited script without rebuilding", edited.stderr)
        self.assertNotIn("nixtide: building ", edited.stderr)
        self.assertIn("stopped (breakpoint) at %s:%d" % (self.test, line), edited.stderr)
        self.assertIn("must succeed: echo edited-without-rebuild", edited.stderr)
        self.assertIn("PASSED single", edited.stderr)

        self.edit(LAST, LAST + '    machine.succeed("test ${toString 6} -eq 6")\n')
        anti = self.line_of("toString 6")
        rebuilt = self.run_nixtide()
        self.assertEqual(rebuilt.returncode, 0)
        self.assertIn("nixtide: rebuilt: the antiquotation (${…}) on line %d" % anti,
                      rebuilt.stderr)
        self.assertIn("nixtide: building ", rebuilt.stderr)
        self.assertRegex(rebuilt.stderr, r"nixtide: built /nix/store/\S+-nixos-test-driver-single")
        self.assertIn("must succeed: test 6 -eq 6", rebuilt.stderr)
        self.assertIn("must succeed: echo edited-without-rebuild", rebuilt.stderr)
        # Each run counts as this test's, the one without Nix too (its plan
        # comes from the remembered build).
        runs = os.path.join(self.tmp.name, "state", "nixtide", "runs", "single")
        references = []
        for stamp in sorted(os.listdir(runs)):
            with open(os.path.join(runs, stamp, "result.json")) as handle:
                references.append(json.load(handle).get("reference"))
        self.assertEqual(references, [self.test] * 3)


if __name__ == "__main__":
    unittest.main()
