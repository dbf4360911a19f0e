"""`nixtide run --host ssh://…`: the demo test run on the SSH stand-in host
(tests/common/sshbuilder.py, a store of its own), a breakpoint's locals
printed from there, the host's KVM reported; a value that is not an ssh://
host is refused with exit 2 and the value named. The steps before the
driver runs (copy, agent, launch) are reported as they start."""
import os
import re
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "common"))
from sshbuilder import SshBuilder  # noqa: E402

SOURCE = os.environ.get("NIXTIDE_SOURCE_DIR") or os.path.abspath(os.path.join(HERE, "..", ".."))
BINARY = os.environ.get("NIXTIDE_BINARY") or os.path.join(SOURCE, "build", "app", "nixtide")
SINGLE = os.path.join(SOURCE, "resources", "demo", "single.nix")


def line_of(path, needle):
    with open(path) as handle:
        for number, line in enumerate(handle, 1):
            if needle in line:
                return number
    raise AssertionError("%s not in %s" % (needle, path))


class RunOnHost(unittest.TestCase):
    def test_bad_host_is_refused(self):
        run = subprocess.run([BINARY, "run", SINGLE, "--host", "http://example.org"],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 2, run.stderr)
        self.assertIn("'http://example.org' is not a host", run.stderr)

    def test_run_on_host(self):
        server = SshBuilder().start()
        try:
            env = dict(os.environ)
            env["NIX_SSHOPTS"] = " ".join(server.ssh_options()[2:] + ["-i", server.path("user_key")])
            uri = "ssh://root@127.0.0.1:%d" % server.port
            line = line_of(SINGLE, "hostname = machine.succeed")
            run = subprocess.run([BINARY, "run", SINGLE, "--host", uri, "--break", str(line + 1),
                                  "--progress", "plain"],
                                 capture_output=True, text=True, timeout=900, env=env)
            self.assertEqual(run.returncode, 0, run.stderr[-4000:])
            self.assertIn("on %s, record in" % uri, run.stderr)
            # Each step on the way to the host's driver says what it waits
            # for, in order, with nix copy's own lines between.
            steps = [run.stderr.find("nixtide: %s: %s" % (uri, what))
                     for what in ("copying ", "sending the debug agent", "starting the driver in /")]
            self.assertTrue(all(i >= 0 for i in steps) and steps == sorted(steps),
                            "%s\n%s" % (steps, run.stderr[:4000]))
            self.assertIn("nixtide: nix copy: ", run.stderr[steps[0]:steps[1]])
            # The host (this machine) has KVM with hardware virtualisation
            # and a /dev/kvm root can open.
            with open("/proc/cpuinfo") as cpuinfo:
                virt = re.search(r"^flags\s*:.*\b(vmx|svm)\b", cpuinfo.read(), re.M)
            kvm = "KVM" if virt and os.access("/dev/kvm", os.W_OK) else "no KVM"
            self.assertRegex(run.stderr, re.escape("%s: %s" % (uri, kvm)))
            self.assertIn("stopped (breakpoint) at %s:%d" % (SINGLE, line + 1), run.stderr)
            self.assertIn("hostname = 'machine'", run.stderr)
            self.assertIn("PASSED", run.stderr)
            # The driver's closure went to the host's own store.
            bundles = [p for p in server.remote_store_paths() if "single" in p]
            self.assertTrue(bundles, server.remote_store_paths()[:20])
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main()
