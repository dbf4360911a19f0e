#!/usr/bin/env python3
"""Every C++ file the project tracks is formatted with the repository's
.clang-format: CI fails on a file that is not."""
import os
import pathlib
import shutil
import subprocess
import unittest

SOURCE = pathlib.Path(os.environ["NIXTIDE_SOURCE_DIR"])


class ClangFormat(unittest.TestCase):
    def tracked_cpp_files(self):
        out = subprocess.run(["git", "ls-files", "*.cpp", "*.h"], cwd=SOURCE,
                             capture_output=True, text=True)
        if out.returncode != 0:
            # A source tarball without .git, or a git worktree whose
            # repository is out of reach (inside the build root): check what
            # is on disk instead, without build trees.
            files = (p.relative_to(SOURCE) for p in SOURCE.rglob("*")
                     if p.suffix in (".cpp", ".h"))
            return sorted(str(p) for p in files if not p.parts[0].startswith("build"))
        return out.stdout.split()

    def test_formatted(self):
        self.assertIsNotNone(shutil.which("clang-format"), "clang-format is not installed")
        files = self.tracked_cpp_files()
        self.assertGreater(len(files), 10)
        proc = subprocess.run(["clang-format", "--dry-run", "--Werror", *files], cwd=SOURCE,
                              capture_output=True, text=True)
        offenders = sorted({line.split(":")[0] for line in proc.stderr.splitlines()
                            if "error:" in line})
        self.assertEqual(proc.returncode, 0,
                         "not clang-formatted (run clang-format -i): " + " ".join(offenders))

    def test_check_detects_bad_format(self):
        bad = "int  main( ){return 0;}\n"
        proc = subprocess.run(["clang-format", "--dry-run", "--Werror",
                               "--assume-filename=" + str(SOURCE / "x.cpp")],
                              input=bad, capture_output=True, text=True, cwd=SOURCE)
        self.assertNotEqual(proc.returncode, 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
