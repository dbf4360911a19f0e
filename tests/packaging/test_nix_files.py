#!/usr/bin/env python3
"""The Nix files that cannot be evaluated here (no nixpkgs) must at least parse
with the real nix-instantiate, and name the attributes Nix users rely on."""
import os
import pathlib
import subprocess
import unittest

SOURCE = pathlib.Path(os.environ.get("NIXTIDE_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))


def parse(path):
    proc = subprocess.run(["nix-instantiate", "--parse", str(path)],
                          capture_output=True, text=True)
    return proc.returncode, proc.stdout, proc.stderr


class NixFilesParse(unittest.TestCase):
    def test_every_nix_file_parses(self):
        files = sorted(p for p in SOURCE.rglob("*.nix")
                       if not any(part.startswith("build") for part in p.relative_to(SOURCE).parts))
        self.assertIn(SOURCE / "flake.nix", files)
        self.assertIn(SOURCE / "packaging/nix/package.nix", files)
        for path in files:
            with self.subTest(path=str(path.relative_to(SOURCE))):
                rc, _, err = parse(path)
                if path.name.startswith("syntax-error"):
                    self.assertNotEqual(rc, 0)
                else:
                    self.assertEqual(rc, 0, err)

    def test_flake_outputs_named(self):
        text = (SOURCE / "flake.nix").read_text()
        for attr in ("packages", "apps", "devShells", "checks"):
            self.assertIn(attr, text)

    def test_parse_detects_errors(self):
        # The check above is only worth something if a broken file fails it.
        broken = pathlib.Path(os.environ.get("TMPDIR", "/tmp")) / "nixtide-broken.nix"
        broken.write_text("{ a = ; }\n")
        try:
            rc, _, err = parse(broken)
            self.assertNotEqual(rc, 0)
            self.assertIn("nixtide-broken.nix", err)
        finally:
            broken.unlink()


if __name__ == "__main__":
    unittest.main(verbosity=2)
