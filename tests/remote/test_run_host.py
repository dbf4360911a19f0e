"""`nixtide run --host ssh://…`: the demo test run on the SSH stand-in host
(tests/common/sshbuilder.py, a store of its own), a breakpoint's locals
printed from there, the host's KVM reported; a value that is not an ssh://
host is refused with exit 2 and the value named. The steps before the
driver runs (copy, agent, launch) are reported as they start. The host's
wrapper killed with TERM takes the driver's group and the run directory
with it, and the run ends."""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
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

    def test_killed_wrapper_ends_the_driver_and_its_directory(self):
        server = SshBuilder().start()
        script = tempfile.NamedTemporaryFile("w", suffix=".py", prefix="nixtide-hold-",
                                             delete=False)
        run, host_dir, wrapper = None, None, None
        log = tempfile.TemporaryFile("w+")
        out = tempfile.TemporaryFile("w+")
        try:
            script.write("start_all()\nmachine.wait_for_unit('multi-user.target')\n"
                         "print('nixtide-test: holding', flush=True)\n"
                         "import time\ntime.sleep(900)\n")
            script.close()
            env = dict(os.environ)
            env["NIX_SSHOPTS"] = " ".join(server.ssh_options()[2:] + ["-i", server.path("user_key")])
            uri = "ssh://root@127.0.0.1:%d" % server.port
            run = subprocess.Popen([BINARY, "run", SINGLE, "--host", uri, "--script", script.name,
                                    "--progress", "plain"], env=env, stdout=out,
                                   stderr=log, text=True)
            # The script holds the run, VM up, until the test is done.
            deadline = time.monotonic() + 600
            while "nixtide-test: holding" not in tail(out):
                if run.poll() is not None or time.monotonic() > deadline:
                    self.fail("the script never held: %s" % tail(log))
                time.sleep(0.2)
            wrappers = host_wrappers(server.process.pid)
            self.assertEqual(len(wrappers), 1, wrappers)
            wrapper, host_dir = wrappers[0]
            self.assertTrue(driver_group(host_dir), "no driver process names %s" % host_dir)
            os.kill(wrapper, signal.SIGTERM)
            deadline = time.monotonic() + 120
            while (driver_group(host_dir) or os.path.exists(host_dir)) \
                    and time.monotonic() < deadline:
                time.sleep(0.2)
            self.assertEqual(driver_group(host_dir), [])
            self.assertFalse(os.path.exists(host_dir), host_dir)
            # The channel ends with the wrapper: the run ends, saying how.
            run.wait(120)
            self.assertNotEqual(run.returncode, 0, tail(log))
            self.assertIn("was killed by a signal from outside nixtide", tail(log))
        finally:
            if run and run.poll() is None:
                run.kill()
                run.wait()
            # Still this run's wrapper (not a reused pid): it cleans up after itself.
            targets = [(wrapper, signal.SIGTERM)] if wrapper and cmdline(wrapper)[4:5] == [host_dir] \
                else []
            targets += [(pid, signal.SIGKILL) for pid in driver_group(host_dir)] if host_dir else []
            for pid, sig in targets:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            os.unlink(script.name)
            log.close()
            out.close()
            server.stop()


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            return [a.decode(errors="replace") for a in handle.read().split(b"\0")[:-1]]
    except OSError:
        return []


def environ(pid):
    try:
        with open("/proc/%d/environ" % pid, "rb") as handle:
            return handle.read().decode(errors="replace").split("\0")
    except OSError:
        return []


def pids():
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def host_wrappers(sshd):
    """(pid, run directory) of each host-side wrapper (RemoteDriverProcess's
    `sh -c SCRIPT nixtide-driver DIR …`) under the sshd whose pid is given:
    another suite's remote run may be going on beside this one."""
    def is_wrapper(pid):
        args = cmdline(pid)
        return len(args) > 4 and args[:2] == ["sh", "-c"] and args[3] == "nixtide-driver" \
            and args[2].startswith("dir=$1")

    def under_sshd(pid):
        while pid > 1:
            if pid == sshd:
                return True
            pid = parent(pid)
        return False

    # Its watcher is a forked copy, with the same command line.
    return [(pid, cmdline(pid)[4]) for pid in pids()
            if is_wrapper(pid) and not is_wrapper(parent(pid)) and under_sshd(pid)]


def parent(pid):
    try:
        with open("/proc/%d/stat" % pid) as handle:
            return int(handle.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def driver_group(host_dir):
    """The processes started for the run in host_dir: the driver and its
    QEMU carry the agent's socket path in their environment."""
    wanted = "NIXTIDE_AGENT_SOCKET=%s/agent.sock" % host_dir
    return [pid for pid in pids() if wanted in environ(pid)]


def tail(log):
    log.seek(0)
    return log.read()[-4000:]


if __name__ == "__main__":
    unittest.main()
