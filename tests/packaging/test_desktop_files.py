#!/usr/bin/env python3
"""The desktop entry and AppStream metadata pass their reference validators,
and name the same application id and icon that CMake installs."""
import os
import pathlib
import subprocess
import unittest

SOURCE = pathlib.Path(os.environ["NIXTIDE_SOURCE_DIR"])
APP_ID = "io.github.nixtide.Nixtide"


class DesktopFiles(unittest.TestCase):
    def test_desktop_entry_validates(self):
        path = SOURCE / "resources" / (APP_ID + ".desktop")
        proc = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(proc.stdout.strip(), "", proc.stdout)
        self.assertIn("Icon=" + APP_ID, path.read_text())

    def test_metainfo_validates(self):
        path = SOURCE / "resources" / (APP_ID + ".metainfo.xml")
        proc = subprocess.run(["appstreamcli", "validate", "--no-net", str(path)],
                              capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn("<launchable type=\"desktop-id\">%s.desktop" % APP_ID, path.read_text())

    def test_icon_is_installed_by_cmake(self):
        self.assertTrue((SOURCE / "resources/icons" / (APP_ID + ".svg")).is_file())
        cmake = (SOURCE / "CMakeLists.txt").read_text()
        self.assertIn(APP_ID + ".svg", cmake)


if __name__ == "__main__":
    unittest.main(verbosity=2)
