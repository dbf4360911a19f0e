#!/usr/bin/env python3
"""`cmake --install` of the build under test into a fresh prefix puts each
file where GNUInstallDirs says, and the installed nixtide runs from there:
its agent (the Python package injected into drivers), its capabilities and
its demo are found under the prefix, never in the source tree it was built
from. Install:      the layout, --version, the debug adapter's capabilities,
                    `nixtide list` of the installed demo, the IDE started
                    by `nixtide` (offscreen).
InstalledDemoRun:   `nixtide run` of the installed demo on its installed guest
                    (QEMU)."""
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time
import unittest

SOURCE = pathlib.Path(os.environ["NIXTIDE_SOURCE_DIR"])
BUILD = pathlib.Path(os.environ["NIXTIDE_BUILD_DIR"])
BINDIR = os.environ["NIXTIDE_INSTALL_BINDIR"]
LIBEXECDIR = os.environ["NIXTIDE_INSTALL_LIBEXECDIR"]
DATADIR = os.environ["NIXTIDE_INSTALL_DATADIR"]
DOCDIR = os.environ["NIXTIDE_INSTALL_DOCDIR"]
WITH_GUEST = os.environ.get("NIXTIDE_INSTALL_GUEST") == "ON"
APP_ID = "io.github.nixtide.Nixtide"


def installed_env(home):
    """The environment of a user of the installed nixtide: no pointer into
    the build (the demo guest, the data directory) and a state of its own."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("NIXTIDE_DEMO_GUEST", "NIXTIDE_DATA_DIR", "NIXTIDE_SOURCE_DIR",
                        "NIXTIDE_BUILD_DIR", "NIXTIDE_BINARY")}
    env["XDG_STATE_HOME"] = str(pathlib.Path(home) / "state")
    env["XDG_CACHE_HOME"] = str(pathlib.Path(home) / "cache")
    return env


def dap_frame(seq, command, arguments):
    body = json.dumps({"seq": seq, "type": "request", "command": command,
                       "arguments": arguments}).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def dap_messages(data):
    messages = []
    while b"\r\n\r\n" in data:
        header, rest = data.split(b"\r\n\r\n", 1)
        length = int(header.split(b"Content-Length:")[1].split(b"\r\n")[0])
        messages.append(json.loads(rest[:length]))
        data = rest[length:]
    return messages


class InstalledPrefix(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="nixtide-install-")
        cls.prefix = pathlib.Path(cls.tmp.name) / "prefix"
        proc = subprocess.run(["cmake", "--install", str(BUILD), "--prefix", str(cls.prefix)],
                              capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            cls.tmp.cleanup()
            raise AssertionError("cmake --install failed:\n" + proc.stdout + proc.stderr)
        cls.binary = cls.prefix / BINDIR / "nixtide"
        cls.data = cls.prefix / DATADIR / "nixtide"

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def run_installed(self, *args, timeout=120, text=True, **kwargs):
        return subprocess.run([str(self.binary), *args], capture_output=True, text=text,
                              env=installed_env(self.tmp.name), timeout=timeout, **kwargs)


class Install(InstalledPrefix):
    def test_layout_follows_gnuinstalldirs(self):
        self.assertTrue(os.access(self.binary, os.X_OK), self.binary)
        share = self.prefix / DATADIR
        for path in (share / "applications" / (APP_ID + ".desktop"),
                     share / "metainfo" / (APP_ID + ".metainfo.xml"),
                     share / "icons/hicolor/scalable/apps" / (APP_ID + ".svg"),
                     self.prefix / DOCDIR / "LICENSE",
                     self.data / "agent/inject/sitecustomize.py",
                     self.data / "agent/nixtide_agent/__init__.py",
                     self.data / "agent/nixtide_agent/capabilities.json",
                     self.data / "demo/single.nix",
                     self.data / "demo/lib/default.nix"):
            with self.subTest(path=str(path.relative_to(self.prefix))):
                self.assertTrue(path.is_file())
        # The demo driver and the guest's /init are programs.
        for program in ("demo/driver/bin/nixos-test-driver", "demo/guest/rootfs/init"):
            self.assertTrue(os.access(self.data / program, os.X_OK), program)
        # Byte code only for the agent (a read-only prefix could not keep
        # what each driver start compiles), one file per module.
        agent = self.data / "agent/nixtide_agent"
        self.assertEqual(list(self.data.rglob("__pycache__")), [agent / "__pycache__"])
        tag = sys.implementation.cache_tag  # ctest runs this with the build's Python
        self.assertEqual(sorted(p.name for p in (agent / "__pycache__").iterdir()),
                         sorted("%s.%s.pyc" % (m.stem, tag) for m in agent.glob("*.py")))
        if WITH_GUEST:
            for name in ("kernel", "initrd"):
                self.assertGreater((self.data / "demo-guest" / name).stat().st_size, 0, name)
            # The builder's hashes, still true of the installed copies: an
            # evaluation of the installed demo need not read the guest.
            guest = self.data / "demo-guest"
            first, *hashes = (guest / "sha256").read_text().splitlines(keepends=True)
            self.assertEqual(first, "# stamp " + (guest / "stamp").read_text())
            listed = subprocess.run(["sha256sum", "--check", "--strict", "-"],
                                    input="".join(hashes), cwd=guest, capture_output=True,
                                    text=True)
            self.assertEqual(listed.returncode, 0, listed.stdout + listed.stderr)

    def test_ocr_worker_reads_from_the_prefix(self):
        """nixtide-ocr sits where the installed nixtide looks for it
        (core/paths.cpp: <bindir>/../libexec/nixtide) and reads an image
        with the platform's tesseract."""
        worker = self.prefix / LIBEXECDIR / "nixtide" / "nixtide-ocr"
        self.assertTrue(os.access(worker, os.X_OK), worker)
        self.assertEqual(os.path.relpath(worker, self.binary.parent),
                         os.path.join("..", LIBEXECDIR, "nixtide", "nixtide-ocr"))
        text = subprocess.run(["pbmtext", "Installed worker reads"], capture_output=True,
                              check=True).stdout
        # pbmtext draws in a small bitmap font: three times its size, grey.
        scaled = subprocess.run(["pnmscale", "3"], input=text, capture_output=True,
                                check=True).stdout
        pgm = subprocess.run(["pnmdepth", "255"], input=scaled, capture_output=True,
                             check=True).stdout
        self.assertTrue(pgm.startswith(b"P5\n"), pgm[:20])
        proc = subprocess.run([str(worker)], input=pgm, capture_output=True,
                              env=installed_env(self.tmp.name), timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        ready, rest = proc.stdout.split(b"\n", 1)
        self.assertEqual(ready, b"ready 0")
        head, tsv = rest.split(b"\n", 1)
        self.assertEqual(head, b"tsv %d" % len(tsv))
        words = [line.split(b"\t")[-1] for line in tsv.splitlines()]
        for word in (b"Installed", b"worker", b"reads"):
            self.assertIn(word, words)

    def test_the_ide_starts_from_the_installed_nixtide(self):
        """Without a command, nixtide execs the installed nixtide-gui (the
        headless one loads no widget library): the same pid, so a signal
        sent to nixtide reaches the window, which opens the installed demo,
        closes on SIGTERM as on a user's close and saves its session."""
        gui = self.prefix / BINDIR / "nixtide-gui"
        self.assertTrue(os.access(gui, os.X_OK), gui)
        home = pathlib.Path(self.tmp.name)
        env = dict(installed_env(self.tmp.name), QT_QPA_PLATFORM="offscreen",
                   XDG_CONFIG_HOME=str(home / "gui-config"))
        proc = subprocess.Popen([str(self.binary)], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, start_new_session=True)
        try:
            # The window's SIGTERM handler is installed (SigCgt bit 15) once
            # nixtide-gui runs in nixtide's process: a signal from then on
            # closes the window instead of killing it.
            deadline = time.monotonic() + 120
            term = 1 << (signal.SIGTERM - 1)
            while True:
                if proc.poll() is not None:
                    self.fail("nixtide ended before its window:\n" + proc.stdout.read())
                try:
                    exe = os.readlink("/proc/%d/exe" % proc.pid)
                    status = pathlib.Path("/proc/%d/status" % proc.pid).read_text()
                except OSError:
                    exe, status = "", ""
                caught = [int(line.split()[1], 16) for line in status.splitlines()
                          if line.startswith("SigCgt:")]
                if exe == str(gui) and caught and caught[0] & term:
                    break
                self.assertLess(time.monotonic(), deadline, "no window: exe %s" % exe)
                time.sleep(0.05)
            proc.send_signal(signal.SIGTERM)
            output = proc.communicate(timeout=120)[0]
        finally:
            # Its children too (a Nix evaluation holds the pipe).
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.communicate()
        self.assertEqual(proc.returncode, 0, output)
        saved = (home / "gui-config" / "nixtide" / "nixtide.conf").read_text()
        self.assertIn(str(self.data / "demo" / "single.nix"), saved)

    def test_version(self):
        proc = self.run_installed("--version")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        cmake = (SOURCE / "CMakeLists.txt").read_text()
        version = cmake.split("project(nixtide VERSION ", 1)[1].split()[0]
        self.assertEqual(proc.stdout.strip(), "nixtide " + version)

    def initialize(self):
        # Bytes: the frames' CRLF must reach the parser untranslated.
        proc = self.run_installed(
            "debug-adapter", text=False,
            input=dap_frame(1, "initialize", {"adapterID": "nixtide"})
            + dap_frame(2, "disconnect", {}))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        responses = [m for m in dap_messages(proc.stdout)
                     if m.get("type") == "response" and m.get("request_seq") == 1]
        self.assertEqual(len(responses), 1, proc.stdout)
        return responses[0]

    def test_debug_adapter_answers_with_the_installed_capabilities(self):
        capabilities = self.data / "agent/nixtide_agent/capabilities.json"
        response = self.initialize()
        self.assertTrue(response["success"], response)
        self.assertEqual(response["body"], json.loads(capabilities.read_text()))
        # The prefix's agent is the only one it uses: without it the adapter
        # names the prefix's missing file rather than falling back to the
        # source tree it was built from (which still has the agent).
        agent = self.data / "agent"
        hidden = agent.with_name("agent.hidden")
        agent.rename(hidden)
        try:
            response = self.initialize()
        finally:
            hidden.rename(agent)
        self.assertFalse(response["success"])
        self.assertIn(str(capabilities), response["message"])
        self.assertNotIn(str(SOURCE), response["message"])

    def test_lists_the_installed_demo(self):
        single = str(self.data / "demo/single.nix")
        proc = self.run_installed("list", single, "--json", timeout=600)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual([test["ref"] for test in json.loads(proc.stdout)], [single])


class InstalledDemoRun(InstalledPrefix):
    def test_runs_the_installed_demo_on_the_installed_guest(self):
        if not WITH_GUEST:
            self.skipTest("built without the demo guest (NIXTIDE_BUILD_DEMO_GUEST=OFF)")
        # The build's guest is out of reach: the installed one must be used.
        proc = self.run_installed("run", str(self.data / "demo/single.nix"), timeout=1200)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr[-4000:])
        self.assertNotIn(str(BUILD / "demo-guest"), proc.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
