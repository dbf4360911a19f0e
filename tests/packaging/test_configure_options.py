#!/usr/bin/env python3
"""A packager's configure: with the demo guest, the benchmarks and the tests
off, nixtide configures on a host without Debian's kernel, busybox-static
and bash-static, and its default build neither makes the guest nor builds a
benchmark or a test. With the guest on, the same host is refused at
configure time with the variables to set."""
import pathlib
import tempfile
import unittest

from configure import NO_GUEST_INPUTS, SOURCE, configure, default_build_commands, ninja_targets

OFF = ["-DNIXTIDE_BUILD_DEMO_GUEST=OFF", "-DNIXTIDE_BUILD_BENCHMARKS=OFF",
       "-DNIXTIDE_BUILD_TESTS=OFF"]


def developer_only(targets):
    return sorted(t for t in targets
                  if t == "demo-guest" or t.startswith("bench_") or t.startswith("test_"))


class ConfigureOptions(unittest.TestCase):
    def test_all_off_needs_no_guest_inputs(self):
        with tempfile.TemporaryDirectory(prefix="nixtide-configure-") as tmp:
            proc = configure(SOURCE, tmp, OFF + NO_GUEST_INPUTS)
            self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
            targets = ninja_targets(tmp)
            self.assertIn("app/nixtide", targets)
            self.assertEqual(developer_only(targets), [])
            self.assertNotEqual(default_build_commands(tmp, "-o app/nixtide"), [])
            self.assertEqual(default_build_commands(tmp, "build-guest.sh"), [])
            self.assertEqual(default_build_commands(tmp, "/nonexistent/"), [])

    def test_guest_on_without_its_inputs_is_refused(self):
        with tempfile.TemporaryDirectory(prefix="nixtide-configure-") as tmp:
            proc = configure(SOURCE, tmp, ["-DNIXTIDE_BUILD_DEMO_GUEST=ON",
                                           "-DNIXTIDE_BUILD_BENCHMARKS=OFF",
                                           "-DNIXTIDE_BUILD_TESTS=OFF"] + NO_GUEST_INPUTS)
            self.assertNotEqual(proc.returncode, 0)
            for name in ("NIXTIDE_GUEST_BUSYBOX=/nonexistent/busybox",
                         "NIXTIDE_GUEST_BASH=/nonexistent/bash-static",
                         "NIXTIDE_GUEST_BOOT_DIR=/nonexistent/boot",
                         "-DNIXTIDE_BUILD_DEMO_GUEST=OFF"):
                self.assertIn(name, proc.stderr)

    def test_guest_on_builds_the_guest_from_what_was_found(self):
        # The counterpart of the first test: the same checks see the guest,
        # the benchmarks and the tests when they are on, built from the
        # inputs the variables name.
        with tempfile.TemporaryDirectory(prefix="nixtide-configure-") as tmp:
            fake = pathlib.Path(tmp) / "inputs"
            (fake / "boot").mkdir(parents=True)
            for name in ("busybox", "bash-static", "boot/vmlinuz-0.0.0"):
                (fake / name).write_text("")
            build = pathlib.Path(tmp) / "build"
            proc = configure(SOURCE, build, [
                "-DNIXTIDE_BUILD_DEMO_GUEST=ON", "-DNIXTIDE_BUILD_BENCHMARKS=ON",
                "-DNIXTIDE_BUILD_TESTS=ON",
                "-DNIXTIDE_GUEST_BUSYBOX=%s/busybox" % fake,
                "-DNIXTIDE_GUEST_BASH=%s/bash-static" % fake,
                "-DNIXTIDE_GUEST_BOOT_DIR=%s/boot" % fake])
            self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
            targets = developer_only(ninja_targets(build))
            self.assertIn("demo-guest", targets)
            self.assertIn("bench_framebuffer", targets)
            self.assertIn("test_dap_client", targets)
            guest = default_build_commands(build, "build-guest.sh")
            self.assertEqual(len(guest), 1, guest)
            self.assertIn("NIXTIDE_GUEST_BUSYBOX=%s/busybox" % fake, guest[0])
            self.assertIn("NIXTIDE_GUEST_BASH=%s/bash-static" % fake, guest[0])
            self.assertIn("NIXTIDE_GUEST_BOOT_DIR=%s/boot" % fake, guest[0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
