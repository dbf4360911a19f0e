#!/usr/bin/env python3
"""packaging/nix/package.nix evaluates against a stub nixpkgs
(stub-pkgs.nix: no nixpkgs here), declares what the project declares (version,
licence), and its source set with its cmakeFlags configures: the files the
expression hands to the build are all the build reads."""
import json
import pathlib
import re
import shutil
import subprocess
import tempfile
import unittest

from configure import NO_GUEST_INPUTS, SOURCE, configure, ninja_targets

STUB = pathlib.Path(__file__).resolve().parent / "stub-pkgs.nix"


def evaluate(expression_args="{ }"):
    """The package's attributes that the build depends on, as JSON."""
    expression = """
      let
        pkgs = import %s;
        p = pkgs.callPackage %s %s;
      in {
        inherit (p) pname version name cmakeFlags doCheck qtWrapperArgs;
        src = p.src.stubSourceFiles;
        license = p.meta.license.spdxId;
        mainProgram = p.meta.mainProgram;
      }""" % (STUB, SOURCE / "packaging/nix/package.nix", expression_args)
    proc = subprocess.run(["nix-instantiate", "--eval", "--strict", "--json", "-E", expression],
                          capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def flag(flags, name):
    values = [f.split("=", 1)[1] for f in flags if f.startswith("-D%s:" % name)]
    return values[0] if len(values) == 1 else values


def copy_source_set(files, into):
    for relative in files:
        source = SOURCE / relative
        target = pathlib.Path(into) / relative
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


class PackageExpression(unittest.TestCase):
    def eval_ok(self, args="{ }"):
        rc, out, err = evaluate(args)
        self.assertEqual(rc, 0, err)
        return json.loads(out)

    def test_declares_what_the_project_declares(self):
        package = self.eval_ok()
        cmake = (SOURCE / "CMakeLists.txt").read_text()
        version = re.search(r"project\(nixtide VERSION ([0-9.]+)", cmake).group(1)
        self.assertEqual(package["version"], version)
        self.assertEqual(package["mainProgram"], "nixtide")
        metainfo = (SOURCE / "resources/io.github.nixtide.Nixtide.metainfo.xml").read_text()
        self.assertIn("<project_license>%s</project_license>" % package["license"], metainfo)
        self.assertEqual(package["license"], "GPL-3.0-or-later")
        licence = (SOURCE / "LICENSE").read_text()
        self.assertIn("GNU GENERAL PUBLIC LICENSE", licence)
        self.assertIn("Version 3, 29 June 2007", licence)

    def test_developer_parts_off(self):
        package = self.eval_ok()
        flags = package["cmakeFlags"]
        self.assertFalse(package["doCheck"])
        self.assertEqual(flag(flags, "NIXTIDE_BUILD_DEMO_GUEST"), "FALSE")
        self.assertEqual(flag(flags, "NIXTIDE_BUILD_BENCHMARKS"), "FALSE")
        self.assertEqual(flag(flags, "NIXTIDE_BUILD_TESTS"), "FALSE")
        self.assertNotIn("tests", package["src"])
        self.assertNotIn("bench", package["src"])
        checked = self.eval_ok("{ doCheck = true; }")
        self.assertTrue(checked["doCheck"])
        self.assertEqual(flag(checked["cmakeFlags"], "NIXTIDE_BUILD_TESTS"), "TRUE")
        self.assertIn("tests", checked["src"])

    def test_stub_refuses_what_nixpkgs_would(self):
        # The stub is only worth something if a wrong expression fails with it.
        rc, _, err = evaluate("{ doCheck = \"yes\"; }")
        self.assertNotEqual(rc, 0)
        self.assertIn("cmakeBool", err)
        with tempfile.TemporaryDirectory(prefix="nixtide-stub-") as tmp:
            wrong = pathlib.Path(tmp) / "package.nix"
            wrong.write_text("{ stdenv, qt5 }: stdenv.mkDerivation { pname = \"x\"; version = \"0\"; }\n")
            proc = subprocess.run(["nix-instantiate", "--eval", "--strict", "-E",
                                   "(import %s).callPackage %s { }" % (STUB, wrong)],
                                  capture_output=True, text=True, timeout=120)
            self.assertNotEqual(proc.returncode, 0)
            self.assertIn("qt5", proc.stderr)

    def test_source_set_configures_with_the_package_flags(self):
        for args, tests in (("{ }", False), ("{ doCheck = true; }", True)):
            with self.subTest(args=args), tempfile.TemporaryDirectory(prefix="nixtide-src-") as tmp:
                package = self.eval_ok(args)
                source = pathlib.Path(tmp) / "source"
                copy_source_set(package["src"], source)
                # The developer's guest inputs pointed at nothing: a Nix build
                # has no Debian kernel or busybox.
                proc = configure(source, pathlib.Path(tmp) / "build",
                                 package["cmakeFlags"] + NO_GUEST_INPUTS)
                self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
                targets = ninja_targets(pathlib.Path(tmp) / "build")
                self.assertIn("app/nixtide", targets)
                self.assertIn("install", targets)
                self.assertEqual("test_dap_client" in targets, tests)


if __name__ == "__main__":
    unittest.main(verbosity=2)
