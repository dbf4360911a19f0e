"""Opening tests as flake attributes, headless: `nixtide list` and `nixtide
run` on the demo flake (tests/data/flake-demo, written with absolute `path:`
inputs into a temporary directory), built by real Nix in pure evaluation and
run on real QEMU guests; and `nixtide run` with no `nix` on PATH."""
import os
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from demoflake import DEMO, SOURCE, SYSTEM_CHECKS, write_demo_flake  # noqa: E402

BINARY = os.environ.get("NIXTIDE_BINARY") or os.path.join(SOURCE, "build", "app", "nixtide")


class FlakeRun(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="nixtide-open-flake-")
        self.addCleanup(self.tmp.cleanup)
        self.flake_dir = os.path.join(self.tmp.name, "flake")
        self.flake = write_demo_flake(self.flake_dir)
        self.env = dict(os.environ, XDG_STATE_HOME=os.path.join(self.tmp.name, "state"))
        self.env.pop("NIXTIDE_NIX", None)

    def nixtide(self, *args, env=None, timeout=400):
        started = time.monotonic()
        result = subprocess.run([BINARY, *args], env=env or self.env, capture_output=True,
                                text=True, timeout=timeout)
        sys.stderr.write("\n[nixtide %s: exit %d in %.1f s]\n%s" % (
            " ".join(args), result.returncode, time.monotonic() - started, result.stderr))
        return result

    def test_list_prints_both_checks(self):
        result = self.nixtide("list", self.flake)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.split(),
                         [SYSTEM_CHECKS + ".single", SYSTEM_CHECKS + ".vlan"])

    def test_run_single_check_passes_with_breakpoint_in_flake_source(self):
        # Line 20 of single.nix: the assert after `hostname = …`. The
        # breakpoint is named in the flake's working tree, not its store copy.
        result = self.nixtide("run", "%s#%s.single" % (self.flake, SYSTEM_CHECKS),
                              "--break", "20")
        self.assertEqual(result.returncode, 0, result.stderr)
        source = os.path.join(self.flake_dir, "single.nix")
        self.assertIn("stopped (breakpoint) at %s:20" % source, result.stderr)
        self.assertIn("hostname = 'machine'", result.stderr)
        self.assertIn("PASSED single", result.stderr)


class NixMissing(unittest.TestCase):
    def test_run_without_nix_on_path_exits_2_naming_nix(self):
        with tempfile.TemporaryDirectory(prefix="nixtide-no-nix-") as empty:
            env = dict(os.environ, PATH=empty, XDG_STATE_HOME=empty)
            env.pop("NIXTIDE_NIX", None)
            result = subprocess.run([BINARY, "run", os.path.join(DEMO, "single.nix")], env=env,
                                    capture_output=True, text=True, timeout=60)
        sys.stderr.write(result.stderr)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("no `nix` command on PATH", result.stderr)
        self.assertNotIn("running single", result.stderr)


if __name__ == "__main__":
    unittest.main()
