"""Configuring nixtide into a throw-away build directory, for the packaging
tests: what a packager's `cmake -S -B` sees, away from the developer build."""
import os
import pathlib
import subprocess

SOURCE = pathlib.Path(os.environ.get("NIXTIDE_SOURCE_DIR",
                                     pathlib.Path(__file__).resolve().parents[2]))
# Where the demo guest's inputs are looked up, pointed at nothing: what a
# host without Debian's kernel, busybox-static and bash-static looks like.
NO_GUEST_INPUTS = [
    "-DNIXTIDE_GUEST_BUSYBOX=/nonexistent/busybox",
    "-DNIXTIDE_GUEST_BASH=/nonexistent/bash-static",
    "-DNIXTIDE_GUEST_BOOT_DIR=/nonexistent/boot",
]


def configure(source, build, flags):
    """Runs CMake's configure step; returns the finished process (output in
    stdout, stderr). Ninja, as dev.sh and nixpkgs' cmake hook use it."""
    return subprocess.run(["cmake", "-S", str(source), "-B", str(build), "-G", "Ninja",
                           "-DPython_EXECUTABLE=/usr/bin/python3", *flags],
                          capture_output=True, text=True, timeout=600)


def ninja_targets(build):
    """Every target name the generated build knows (phony and real)."""
    proc = subprocess.run(["ninja", "-C", str(build), "-t", "targets", "all"],
                          capture_output=True, text=True, check=True, timeout=120)
    return {line.split(":", 1)[0] for line in proc.stdout.splitlines()}


def default_build_commands(build, containing):
    """The commands `ninja` (the `all` target) would run that contain
    `containing`, found without running anything."""
    proc = subprocess.run(["ninja", "-C", str(build), "-n", "-v", "all"],
                          capture_output=True, text=True, check=True, timeout=120)
    return [line for line in proc.stdout.splitlines() if containing in line]
