"""The Nix evaluations on the way to a test's first line overlap (issue 15,
open to first line), headless with real Nix and the demo's real driver (no
guest boots: nixtide stops at the script's first line, machine.start(), and is
interrupted there).

NIXTIDE_NIX is a wrapper that logs when each nix call starts and ends and
holds back the call whose answer the other must not wait for: the build
(the testScript is located while it runs) and the finder's import check (the
file's tests are listed while it runs). Against the code before the change
both assertions fail: each evaluation started after the held one ended."""
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from demoflake import DEMO, SOURCE, guest_dir  # noqa: E402

BINARY = os.environ.get("NIXTIDE_BINARY") or os.path.join(SOURCE, "build", "app", "nixtide")
HOLD_S = 3

# Which call is which, by a piece of the expression or the subcommand.
WRAPPER = r'''#!/bin/bash
log=%(log)s
case "$*" in
  *" build "*) kind=build; hold=%(hold)d ;;
  *"builtins.filter (n: !"*) kind=import-check; hold=%(hold)d ;;
  *unsafeGetAttrPos*) kind=locate; hold=0 ;;
  *"isTest = x"*) kind=list; hold=0 ;;
  *) kind=other; hold=0 ;;
esac
echo "start $kind $(date +%%s.%%N)" >> "$log"
sleep "$hold"
nix "$@"
status=$?
echo "end $kind $(date +%%s.%%N)" >> "$log"
exit $status
'''


def first_script_line(path):
    with open(path) as handle:
        for number, line in enumerate(handle, 1):
            if "machine.start()" in line:
                return number
    raise AssertionError("no machine.start() in %s" % path)


class EvaluationsOverlap(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="nixtide-open-overlap-")
        self.addCleanup(self.tmp.cleanup)
        self.log = os.path.join(self.tmp.name, "nix-calls.log")
        wrapper = os.path.join(self.tmp.name, "nix-wrapper")
        with open(wrapper, "w") as handle:
            handle.write(WRAPPER % {"log": self.log, "hold": HOLD_S})
        os.chmod(wrapper, 0o755)
        self.env = dict(os.environ, NIXTIDE_NIX=wrapper,
                        XDG_STATE_HOME=os.path.join(self.tmp.name, "state"),
                        NIXTIDE_DEMO_GUEST=guest_dir())

    def calls(self):
        times = {}
        with open(self.log) as handle:
            for line in handle:
                edge, kind, when = line.split()
                times.setdefault((edge, kind), float(when))
        return times

    def test_locate_and_listing_run_beside_the_held_calls(self):
        test = os.path.join(DEMO, "single.nix")
        line = first_script_line(test)
        proc = subprocess.Popen([BINARY, "run", test, "--break", str(line)], env=self.env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)
        seen = []
        try:
            for out in proc.stdout:
                seen.append(out)
                if "stopped (breakpoint)" in out:
                    break
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            proc.stdout.close()
        output = "".join(seen)
        # Still the .nix file's line: the located script maps as before.
        self.assertIn("stopped (breakpoint) at %s:%d" % (test, line), output)
        times = self.calls()
        for key in (("start", "build"), ("end", "build"), ("start", "locate"),
                    ("start", "import-check"), ("end", "import-check"), ("start", "list")):
            self.assertIn(key, times, "no %s %s call in %r\n%s" % (key[0], key[1], times, output))
        self.assertLess(times[("start", "locate")], times[("end", "build")],
                        "the testScript was located only after the build")
        self.assertLess(times[("start", "list")], times[("end", "import-check")],
                        "the tests were listed only after the import check")


if __name__ == "__main__":
    unittest.main()
