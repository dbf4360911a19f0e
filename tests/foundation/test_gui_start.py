#!/usr/bin/env python3
"""`./packaging/dev.sh run` starts nixtide on the demo: under a real X server
(Xvfb) the window must appear with the demo test loaded, and close cleanly."""
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

BINARY = os.environ["NIXTIDE_BINARY"]
SOURCE = os.environ["NIXTIDE_SOURCE_DIR"]


class GuiStart(unittest.TestCase):
    def setUp(self):
        if not shutil.which("Xvfb"):
            self.fail("Xvfb is not installed; packaging/dev.sh installs xvfb")
        self.tmp = tempfile.TemporaryDirectory()
        # -displayfd: Xvfb picks a free display itself, so parallel tests and
        # other X servers on the machine cannot collide with ours. -noreset:
        # by default the server resets when its last client (the xwininfo
        # probe below) disconnects, and refuses connections meanwhile.
        read_end, write_end = os.pipe()
        self.xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-noreset",
                                      "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                                     stderr=subprocess.DEVNULL, pass_fds=(write_end,))
        os.close(write_end)
        with os.fdopen(read_end) as pipe:
            number = pipe.readline().strip()
        if not number:
            self.fail("Xvfb did not report a display")
        self.display = ":" + number
        self.env = dict(os.environ, DISPLAY=self.display, XDG_CONFIG_HOME=self.tmp.name,
                        XDG_STATE_HOME=self.tmp.name)
        self.env.pop("QT_QPA_PLATFORM", None)
        deadline = time.time() + 10
        while subprocess.run(["xwininfo", "-root"], env=self.env, capture_output=True).returncode:
            self.assertLess(time.time(), deadline, "Xvfb did not start")
            time.sleep(0.1)

    def tearDown(self):
        self.xvfb.terminate()
        self.xvfb.wait()
        self.tmp.cleanup()

    def window_names(self):
        out = subprocess.run(["xwininfo", "-root", "-tree"], env=self.env,
                             capture_output=True, text=True).stdout
        return out

    def test_window_shows_demo(self):
        app = subprocess.Popen([BINARY], env=self.env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.time() + 20
            while "single.nix" not in self.window_names():
                if app.poll() is not None:
                    self.fail("nixtide exited early (%s; our Xvfb on %s %s): %s" % (
                        app.returncode, self.display,
                        "running" if self.xvfb.poll() is None else "gone", app.stdout.read()))
                self.assertLess(time.time(), deadline, self.window_names())
                time.sleep(0.2)
        finally:
            app.terminate()
            app.wait(timeout=10)
            app.stdout.close()
        self.assertEqual(app.returncode, 0, "nixtide should exit cleanly on SIGTERM... or quit")

    def test_help_needs_no_display(self):
        env = dict(os.environ)
        for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
            env.pop(name, None)
        proc = subprocess.run([BINARY, "--help"], env=env, capture_output=True, text=True,
                              timeout=30)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        # Every verb main.cpp dispatches, each with its one-line summary.
        with open(os.path.join(SOURCE, "app", "main.cpp")) as handle:
            verbs = re.findall(r'^    \{"([a-z-]+)", nixtide::cli::', handle.read(), re.M)
        self.assertTrue({"run", "list", "lint", "review", "debug-adapter"} <= set(verbs), verbs)
        for verb in verbs:
            self.assertRegex(proc.stdout, r"(?m)^  %s +\S" % verb)

    def test_missing_file_is_named(self):
        missing = os.path.join(self.tmp.name, "nope.nix")
        proc = subprocess.run([BINARY, missing], env=self.env, capture_output=True, text=True,
                              timeout=30)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("nope.nix", proc.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
