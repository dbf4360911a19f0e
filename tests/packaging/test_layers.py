#!/usr/bin/env python3
"""The include directions docs/architecture.md promises: core knows nothing of
the GUI or the app, and ui/window (the controllers) reaches the main window
only through SessionWindow, so ui/mainwindow and ui/window do not include
each other (issue 14)."""
import os
import pathlib
import re
import unittest

SOURCE = pathlib.Path(os.environ["NIXTIDE_SOURCE_DIR"])
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def includes(folder):
    """(file, included path) for every quoted include under `folder`."""
    for path in sorted((SOURCE / folder).rglob("*")):
        if path.suffix in (".cpp", ".h"):
            for target in INCLUDE.findall(path.read_text(encoding="utf-8")):
                yield str(path.relative_to(SOURCE)), target


def offenders(folder, forbidden):
    return [f"{source} includes {target}" for source, target in includes(folder)
            if forbidden(target)]


class Layers(unittest.TestCase):
    def test_core_includes_no_gui(self):
        self.assertEqual(
            offenders("core", lambda t: t.startswith(("ui/", "app/"))), [])

    def test_window_controllers_do_not_include_main_window(self):
        self.assertGreater(len(list(includes("ui/window"))), 10)
        self.assertEqual(offenders("ui/window", lambda t: t == "ui/mainwindow.h"), [])


if __name__ == "__main__":
    unittest.main()
