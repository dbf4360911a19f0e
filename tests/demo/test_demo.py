#!/usr/bin/python3
"""Integration tests of the demo test bed: the guest builder, the demo Nix
library (real `nix build` of every demo test's driver bundles) and the demo
tests run through their own driver against real QEMU guests.

Run by ctest (which sets NIXTIDE_SOURCE_DIR, NIXTIDE_BUILD_DIR and
NIXTIDE_DEMO_GUEST), or by hand from the tests/ directory:

    /usr/bin/python3 demo/test_demo.py [DemoTests.test_single ...]

Standard library only.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path
from typing import Dict, List, Optional

SOURCE_DIR = Path(
    os.environ.get("NIXTIDE_SOURCE_DIR") or Path(__file__).resolve().parents[2]
)
BUILD_DIR = Path(os.environ.get("NIXTIDE_BUILD_DIR") or SOURCE_DIR / "build")
GUEST_DIR = Path(os.environ.get("NIXTIDE_DEMO_GUEST") or BUILD_DIR / "demo-guest")
DEMO_DIR = SOURCE_DIR / "resources" / "demo"
BUILDER = DEMO_DIR / "guest" / "build-guest.sh"

DEMO_TESTS = ["single", "vlan", "graphical", "failing", "containers"]
# Which upstream generation each demo test's bundle has, and the Python each
# generation's demo driver runs on (upstream's: 3.13 with pydantic for
# master, 3.11 for nixos-22.11 to 24.x).
GENERATIONS = {
    "single": "configuration",
    "vlan": "environment",
    "graphical": "configuration",
    "failing": "configuration",
    "containers": "configuration",
}
PYTHONS = {
    "configuration": "/usr/bin/python3",
    "environment": os.environ.get("NIXTIDE_PYTHON311") or "/opt/nixtide-python3.11/bin/python3.11",
}
# The line of failing.nix's test script that fails, and its command.
FAILING_LINE = 4
FAILING_COMMAND = "echo this-command-fails; exit 1"


def nix_env() -> Dict[str, str]:
    env = dict(os.environ)
    env["NIXTIDE_DEMO_GUEST"] = str(GUEST_DIR)
    return env


def build_guest() -> None:
    """The guest must exist before Nix can evaluate the demo tests; the
    builder is a no-op when it is up to date."""
    subprocess.run([str(BUILDER), str(GUEST_DIR)], check=True, stdout=subprocess.DEVNULL)


_built: Dict[tuple, str] = {}


def nix_build(test: str, attr: str) -> str:
    """Store path of `attr` of resources/demo/<test>.nix, built with real Nix
    as nixtide runs it."""
    key = (test, attr)
    if key not in _built:
        result = subprocess.run(
            [
                "nix",
                "--extra-experimental-features",
                "nix-command",
                "build",
                "--option",
                "substituters",
                "",
                "--no-link",
                "--json",
                "-f",
                str(DEMO_DIR / f"{test}.nix"),
                attr,
            ],
            env=nix_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            raise AssertionError(f"nix build {test}.nix {attr} failed:\n{result.stderr}")
        _built[key] = json.loads(result.stdout)[0]["outputs"]["out"]
    return _built[key]


def processes_mentioning(needle: str) -> List[str]:
    """Command lines of live processes whose arguments contain `needle`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            raw = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if needle.encode() in raw:
            command = raw.replace(b"\0", b" ").decode(errors="replace")
            found.append(f"{entry.name}: {command}")
    return found


class GuestBuilderTests(unittest.TestCase):
    def test_builds_then_is_idempotent(self) -> None:
        with tempfile.TemporaryDirectory(prefix="nixtide-guest-") as tmp:
            out = Path(tmp) / "guest"
            first = subprocess.run(
                [str(BUILDER), str(out)], capture_output=True, text=True, timeout=300
            )
            self.assertEqual(first.returncode, 0, first.stderr)
            for name in ("kernel", "initrd", "stamp"):
                self.assertGreater((out / name).stat().st_size, 0, name)
            with open(out / "initrd", "rb") as f:
                self.assertEqual(f.read(2), b"\x1f\x8b", "initrd is not gzip")
            self.assertEqual(
                sorted(p.name for p in out.iterdir()),
                ["info", "initrd", "kernel", "sha256", "stamp"],
                "temporary build files were left behind",
            )
            self.check_hash_list(out)
            before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}

            tic = time.monotonic()
            second = subprocess.run(
                [str(BUILDER), str(out)], capture_output=True, text=True, timeout=60
            )
            elapsed = time.monotonic() - tic
            self.assertEqual(second.returncode, 0, second.stderr)
            self.assertEqual(second.stdout + second.stderr, "", "second run did work")
            self.assertLess(elapsed, 5.0)
            after = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
            self.assertEqual(before, after, "second run rewrote outputs")

            # A list removed is written again, without rebuilding.
            (out / "sha256").unlink()
            third = subprocess.run(
                [str(BUILDER), str(out)], capture_output=True, text=True, timeout=60
            )
            self.assertEqual(third.returncode, 0, third.stderr)
            self.check_hash_list(out)
            del before["sha256"]
            after = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.name != "sha256"}
            self.assertEqual(before, after, "the list's return rewrote outputs")

    def check_hash_list(self, guest: Path) -> None:
        """guest/sha256 names the guest's stamp and hashes its outputs."""
        first, *hashes = (guest / "sha256").read_text().splitlines(keepends=True)
        self.assertEqual(first, "# stamp " + (guest / "stamp").read_text())
        listed = subprocess.run(
            ["sha256sum", "--check", "--strict", "-"], input="".join(hashes),
            cwd=guest, capture_output=True, text=True,
        )
        self.assertEqual(listed.returncode, 0, listed.stdout + listed.stderr)
        self.assertEqual(listed.stdout, "kernel: OK\ninitrd: OK\n")

    def test_names_missing_kernel(self) -> None:
        with tempfile.TemporaryDirectory(prefix="nixtide-guest-") as tmp:
            env = dict(os.environ, NIXTIDE_GUEST_KERNEL="0.0.0-missing")
            result = subprocess.run(
                [str(BUILDER), str(Path(tmp) / "guest")],
                capture_output=True,
                text=True,
                env=env,
                timeout=60,
            )
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("/boot/vmlinuz-0.0.0-missing", result.stderr)
            self.assertFalse((Path(tmp) / "guest" / "kernel").exists())


class BundleTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        build_guest()

    def read_wrapper(self, bundle: str) -> str:
        wrapper = Path(bundle) / "bin" / "nixos-test-driver"
        self.assertTrue(os.access(wrapper, os.X_OK), f"{wrapper} is not executable")
        return wrapper.read_text()

    def test_every_demo_builds(self) -> None:
        for test in DEMO_TESTS:
            for attr in ("driver", "driverInteractive"):
                with self.subTest(test=test, attr=attr):
                    bundle = Path(nix_build(test, attr))
                    self.assertTrue((bundle / "test-script").is_file())
                    entry = (bundle / "bin" / ".nixos-test-driver-wrapped").resolve()
                    self.assertTrue(os.access(entry, os.X_OK))
                    generation = GENERATIONS[test]
                    self.assertTrue(entry.read_text().startswith(f"#!{PYTHONS[generation]}\n"))
                    package = entry.parent.parent / "lib" / "python"
                    self.assertTrue((package / "test_driver" / "__init__.py").is_file())
                    self.assertIn(f'GENERATION = "{generation}"',
                                  (package / "test_driver" / "generation.py").read_text())
                    self.assertEqual(list(package.rglob("__pycache__")), [])
                    wrapper = self.read_wrapper(str(bundle))
                    self.assertEqual("--interactive" in wrapper, attr == "driverInteractive")

    def evaluate_driver(self, guest: Path) -> str:
        """The drvPath of single.nix's driver with `guest` as the guest."""
        result = subprocess.run(
            ["nix", "--extra-experimental-features", "nix-command", "eval", "--raw",
             "--impure", "-f", str(DEMO_DIR / "single.nix"), "driverInteractive.drvPath"],
            capture_output=True, text=True, timeout=120,
            env=dict(nix_env(), NIXTIDE_DEMO_GUEST=str(guest)),
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout

    def test_listed_hashes_spare_reading_the_guest(self) -> None:
        """With the builder's list of hashes, an evaluation takes the guest's
        files from the store without opening them: here they are FIFOs that
        nobody writes to, which a read would wait on until the timeout."""
        in_store = self.evaluate_driver(GUEST_DIR)
        with tempfile.TemporaryDirectory(prefix="nixtide-guest-") as tmp:
            for name in ("kernel", "initrd"):
                os.mkfifo(Path(tmp) / name)
            for name in ("sha256", "stamp"):
                shutil.copyfile(GUEST_DIR / name, Path(tmp) / name)
            self.assertEqual(self.evaluate_driver(Path(tmp)), in_store)

    def test_a_list_for_another_stamp_is_not_trusted(self) -> None:
        """Outputs replaced by another build (the stamp changed, the list
        stayed) are read: the list holds only for the stamp it names."""
        in_store = self.evaluate_driver(GUEST_DIR)
        with tempfile.TemporaryDirectory(prefix="nixtide-guest-") as tmp:
            for name in ("kernel", "initrd", "sha256", "stamp"):
                shutil.copyfile(GUEST_DIR / name, Path(tmp) / name)
            with open(Path(tmp) / "kernel", "ab") as kernel:
                kernel.write(b"another build")
            # Still the builder's stamp: the list is believed, as documented.
            self.assertEqual(self.evaluate_driver(Path(tmp)), in_store)
            (Path(tmp) / "stamp").write_text("0" * 64 + "\n")
            self.assertNotEqual(self.evaluate_driver(Path(tmp)), in_store)

    def test_configuration_generation(self) -> None:
        wrapper = self.read_wrapper(nix_build("single", "driver"))
        self.assertIn("'--log-level' 'info'", wrapper)
        config_path = wrapper.split("'--config' '")[1].split("'")[0]
        config = json.loads(Path(config_path).read_text())
        self.assertEqual(config["vlans"], [1])
        self.assertEqual(config["containers"], {})
        self.assertIs(config["enable_ssh_backdoor"], False)
        self.assertEqual(config["global_timeout"], 3600)
        self.assertEqual(set(config["vms"]), {"machine"})
        start = Path(config["vms"]["machine"]["start_script"])
        self.assertEqual(start.name, "run-machine-vm")
        self.assertTrue(os.access(start, os.X_OK))
        self.assertIn("machine.wait_for_unit", Path(config["test_script"]).read_text())
        self.assertNotIn("export startScripts", wrapper)

    def test_environment_generation(self) -> None:
        bundle = nix_build("vlan", "driver")
        wrapper = self.read_wrapper(bundle)
        self.assertNotIn("--config", wrapper)
        for var in ("startScripts", "testScript", "vlans", "globalTimeout"):
            self.assertIn(f"export {var}=", wrapper)
        self.assertIn(f"export testScript='{bundle}/test-script'", wrapper)
        self.assertIn("export vlans='1'", wrapper)
        scripts = wrapper.split("export startScripts='")[1].split("'")[0].split()
        self.assertEqual(
            sorted(Path(s).name for s in scripts), ["run-client-vm", "run-server-vm"]
        )
        # The testScript function's antiquotation was substituted.
        script = (Path(bundle) / "test-script").read_text()
        self.assertIn("nc 192.168.1.2 1234", script)
        self.assertNotIn("${", script)

    def test_container_configuration(self) -> None:
        """containers.<name> lands in the configuration's `containers` with a
        run-<name>-container start script; the VM and the container are
        numbered together and share VLAN 1."""
        wrapper = self.read_wrapper(nix_build("containers", "driver"))
        config_path = wrapper.split("'--config' '")[1].split("'")[0]
        config = json.loads(Path(config_path).read_text())
        self.assertEqual(set(config["vms"]), {"server"})
        self.assertEqual(set(config["containers"]), {"box"})
        self.assertEqual(config["vlans"], [1])
        start = Path(config["containers"]["box"]["start_script"])
        self.assertEqual(start.name, "run-box-container")
        text = start.read_text()
        for needle in ("systemd-nspawn", "--register=no", "--keep-unit", "--console=pipe",
                       "QEMU_VDE_SOCKET_1", "vde_plug2tap", "eth1", "192.168.1.1/24",
                       "nixtide.hostname=box", "/etc/nixtide/container-init"):
            self.assertIn(needle, text)
        script = Path(config["test_script"]).read_text()
        self.assertIn("ping -c 1 -W 1 192.168.1.2", script)

    def test_containers_need_the_configuration_era(self) -> None:
        expr = (
            f'(import {DEMO_DIR}/lib {{ guestDir = "{GUEST_DIR}"; }}).runTest {{'
            ' name = "old"; driverGeneration = "environment";'
            ' containers.box = { }; testScript = "pass"; }'
        )
        result = subprocess.run(
            ["nix", "--extra-experimental-features", "nix-command", "eval", "--raw",
             "--option", "substituters", "", "--impure", "--expr", f"({expr}).driver.drvPath"],
            capture_output=True, text=True)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("containers need the configuration-era driver", result.stderr)

    def test_start_script_shape(self) -> None:
        wrapper = self.read_wrapper(nix_build("vlan", "driver"))
        scripts = wrapper.split("export startScripts='")[1].split("'")[0].split()
        text = Path(next(s for s in scripts if s.endswith("run-server-vm"))).read_text()
        for needle in (
            "exec /usr/bin/setpriv --pdeathsig TERM",
            "-accel tcg",
            "QEMU_VDE_SOCKET_1",
            "mount_tag=shared",
            "$QEMU_OPTS",
            '"$@"',
            "nixtide.hostname=server",
            "nixtide.net=eth1:192.168.1.2/24",
        ):
            self.assertIn(needle, text)


class DemoTests(unittest.TestCase):
    """Each demo test's driver, run as nixtide runs it."""

    @classmethod
    def setUpClass(cls) -> None:
        build_guest()

    def run_driver(self, test: str, timeout: float = 240) -> subprocess.CompletedProcess:
        bundle = nix_build(test, "driver")
        tmp = Path(tempfile.mkdtemp(prefix=f"nixtide-demo-{test}-"))
        self.addCleanup(shutil.rmtree, tmp, ignore_errors=True)
        out_dir = tmp / "out"
        out_dir.mkdir()
        # The driver keeps VM state, sockets and the VLAN switches under its
        # temporary directory: a private one identifies this run's processes.
        env = dict(os.environ, TMPDIR=str(tmp), XDG_RUNTIME_DIR=str(tmp))
        proc = subprocess.Popen(
            [f"{bundle}/bin/nixos-test-driver"],
            cwd=out_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            output, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            output, _ = proc.communicate()
            self.fail(f"driver timed out:\n{output.decode(errors='replace')[-4000:]}")
        self.assert_nothing_left(str(tmp))
        self.out_dir = out_dir
        return subprocess.CompletedProcess(
            proc.args, proc.returncode, output.decode(errors="replace"), ""
        )

    def assert_nothing_left(self, tmp: str) -> None:
        deadline = time.monotonic() + 10
        while True:
            left = processes_mentioning(tmp)
            if not left or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        for line in left:
            pid = int(line.split(":")[0])
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.assertEqual(left, [], "QEMU or vde_switch left running after the driver")

    def assert_passed(self, result: subprocess.CompletedProcess) -> None:
        self.assertEqual(result.returncode, 0, result.stdout[-6000:])

    def assert_driver_python(self, test: str) -> None:
        """The bundle's driver runs on its generation's Python: 3.13 with
        pydantic for the configuration era, 3.11 without for the environment."""
        bundle = nix_build(test, "driver")
        entry = (Path(bundle) / "bin" / ".nixos-test-driver-wrapped").resolve()
        probe = subprocess.run(
            [PYTHONS[GENERATIONS[test]], "-c",
             "import sys; sys.path.insert(0, sys.argv[1]); import test_driver.driver; "
             "print(sys.version_info[:2], 'pydantic' in sys.modules)",
             str(entry.parent.parent / "lib" / "python")],
            capture_output=True, text=True, check=True)
        expected = "(3, 13) True" if GENERATIONS[test] == "configuration" else "(3, 11) False"
        self.assertEqual(probe.stdout.strip(), expected, probe.stderr)

    def test_single(self) -> None:
        self.assert_driver_python("single")
        result = self.run_driver("single")
        self.assert_passed(result)
        self.assertIn("must succeed: hostname", result.stdout)
        self.assertTrue((self.out_dir / "single.png").is_file())

    def test_vlan(self) -> None:
        self.assert_driver_python("vlan")
        result = self.run_driver("vlan")
        self.assert_passed(result)
        self.assertIn("subtest: unblock() heals the link", result.stdout)

    def test_graphical(self) -> None:
        result = self.run_driver("graphical")
        self.assert_passed(result)
        self.assertIn("subtest: keys typed on tty1 reach its shell", result.stdout)
        png = self.out_dir / "graphical.png"
        self.assertEqual(png.read_bytes()[:8], b"\x89PNG\r\n\x1a\n")

    def test_containers(self) -> None:
        self.assert_driver_python("containers")
        result = self.run_driver("containers")
        self.assert_passed(result)
        self.assertIn("box: systemd-nspawn running", result.stdout)
        self.assertIn("subtest: the container and the VM share VLAN 1", result.stdout)
        self.assertIn("waiting for success: grep -q hello-from-box /tmp/received", result.stdout)
        # run_driver found nothing of the run left, the process that held the
        # container's network namespace ("nixtide-netns <tmp>") included.

    def test_failing(self) -> None:
        result = self.run_driver("failing")
        self.assertNotEqual(result.returncode, 0, result.stdout[-4000:])
        self.assertIn(f"line {FAILING_LINE}", result.stdout)
        self.assertIn(FAILING_COMMAND, result.stdout)
        self.assertNotIn("must succeed: echo never reached", result.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
