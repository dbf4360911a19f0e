"""`nixtide lint` on real files, with no Nix and no VM: the demo tests lint
clean; a typo is reported at its .nix line (and column), in a .py script at
its own line; --json gives the script region, the line map, the outline and
the machines; an unreadable file is named and exits 2."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

SOURCE = os.environ["NIXTIDE_SOURCE_DIR"]
BINARY = os.environ["NIXTIDE_BINARY"]
DEMO = os.path.join(SOURCE, "resources", "demo")
DEMO_TESTS = ["single.nix", "vlan.nix", "graphical.nix", "failing.nix"]


def lint(*args):
    # No Nix: lint must not evaluate or build anything. (mypy stays on PATH.)
    env = dict(os.environ, NIXTIDE_NIX="/nonexistent/nix")
    return subprocess.run([BINARY, "lint", *args], capture_output=True, text=True, env=env,
                          timeout=600)  # mypy under load: a deadline, not a wait


class Lint(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # mypy's cache, shared by the tests and gone with them.
        cls.cache = tempfile.TemporaryDirectory()
        os.environ["XDG_CACHE_HOME"] = cls.cache.name

    @classmethod
    def tearDownClass(cls):
        cls.cache.cleanup()

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def copy(self, name, replace=None):
        with open(os.path.join(DEMO, name)) as handle:
            text = handle.read()
        if replace:
            old, new = replace
            self.assertIn(old, text)
            text = text.replace(old, new, 1)
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as handle:
            handle.write(text)
        return path, text

    def test_demo_tests_are_clean(self):
        proc = lint(*[os.path.join(DEMO, name) for name in DEMO_TESTS])
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(proc.stdout, "")

    def test_typo_is_reported_at_its_nix_line(self):
        path, text = self.copy("single.nix", ('machine.wait_for_unit("hello.service")',
                                              'machin.wait_for_unit("hello.service")'))
        line = text.splitlines().index('    machin.wait_for_unit("hello.service")') + 1
        proc = lint(path)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        # The column is the file's: the name starts after the line's 4 spaces.
        self.assertEqual(proc.stdout, "%s:%d:5: undefined name 'machin'\n" % (path, line))

    def test_syntax_error(self):
        path, text = self.copy("single.nix", ("machine.start()", "machine.start("))
        proc = lint(path)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertRegex(proc.stdout, r"^%s:1[6-9]:\d+: Syntax error: " % path)

    def test_python_script_file(self):
        path = os.path.join(self.tmp.name, "script.py")
        with open(path, "w") as handle:
            handle.write("start_all()\n\nclient.succeed('true')\nundefined_thing()\n")
        # Alone, the script's machine is unknown too.
        proc = lint(path)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertEqual(proc.stdout, "%s:3:1: undefined name 'client'\n"
                                      "%s:4:1: undefined name 'undefined_thing'\n" % (path, path))
        # The test that reads it declares the machine.
        with open(os.path.join(self.tmp.name, "test.nix"), "w") as handle:
            handle.write("{ ... }:\n{\n  nodes.client = { ... }: { };\n"
                         "  testScript = builtins.readFile ./script.py;\n}\n")
        proc = lint(path)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertEqual(proc.stdout, "%s:4:1: undefined name 'undefined_thing'\n" % path)

    def test_json(self):
        proc = lint("--json", os.path.join(DEMO, "graphical.nix"))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        [report] = json.loads(proc.stdout)
        with open(os.path.join(DEMO, "graphical.nix")) as handle:
            lines = handle.read().splitlines()
        self.assertTrue(report["scriptFound"])
        self.assertEqual(report["messages"], [])
        opening = next(i for i, l in enumerate(lines, 1) if "testScript" in l)
        self.assertGreater(report["firstLine"], opening)
        self.assertEqual(report["lineMap"][0], report["firstLine"])
        # Each subtest in the outline starts on the line that opens it.
        subtests = [item for item in report["outline"] if item["label"]]
        self.assertTrue(subtests)
        for item in subtests:
            self.assertIn('subtest("%s")' % item["label"], lines[item["firstLine"] - 1])
        self.assertTrue(report["machines"])

    def test_type_error_as_the_build_reports_it(self):
        path, text = self.copy("single.nix", ('machine.fail("test -e /nonexistent")',
                                              'machine.fail(42)'))
        line = text.splitlines().index('    machine.fail(42)') + 1
        proc = lint(path)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertRegex(proc.stdout, r'^%s:%d:\d+: Type check: Argument 1 to "fail" of "Machine" '
                                      r'has incompatible type "int"; expected "str"' % (path, line))
        self.assertNotIn("type check skipped", proc.stderr)
        # pyflakes sees nothing wrong there: the message is the type check's.
        self.assertEqual(lint("--no-type-check", path).returncode, 0)
        # A test that opts out of the build's type check opts out here too.
        skipped, _ = self.copy("single.nix", ('name = "single";',
                                              'name = "single";\n  skipTypeCheck = true;'))
        with open(skipped) as handle:
            text = handle.read().replace('machine.fail("test -e /nonexistent")', 'machine.fail(42)')
        with open(skipped, "w") as handle:
            handle.write(text)
        proc = lint("--json", skipped)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(json.loads(proc.stdout)[0]["checks"], {"lint": True, "typeCheck": False})

    def built_driver(self, renames=(("Machine", "BaseMachine"),), where="lib"):
        """A copy of the bundled test_driver package with classes renamed as
        another generation names them (by default as the newest, which has
        BaseMachine/QemuMachine and no `Machine`), one method and one
        injected name the bundled driver lacks, where a built driver keeps
        it: in a site-packages directory."""
        package = os.path.join(self.tmp.name, where, "python3.13", "site-packages", "test_driver")
        shutil.copytree(os.path.join(DEMO, "driver", "test_driver"), package)
        for name in os.listdir(package):
            if not name.endswith(".py"):
                continue
            path = os.path.join(package, name)
            with open(path) as handle:
                text = handle.read()
            for old, new in renames:
                text = re.sub(r"\b%s\b" % old, new, text)
            if name == "machine.py":
                text = text.replace(
                    "\n    def fail(",
                    "\n    def frobnicate(self, count: int) -> str:\n"
                    "        return str(count)\n\n    def fail(", 1)
                text = text.replace(
                    "\n    def _no_monitor(",
                    "\n    def container_only(self) -> None:\n"
                    "        pass\n\n    def _no_monitor(", 1)
            if name == "driver.py":
                text = text.replace("t=AssertionTester(),",
                                    "t=AssertionTester(),\n            frob_all=self.start_all,", 1)
            with open(path, "w") as handle:
                handle.write(text)
        return package

    def test_type_check_fits_each_generations_class_names(self):
        # 22.11's package has `Logger`, no `AbstractLogger`; the newest has
        # `BaseMachine`/`QemuMachine`, no `Machine`. The type hints import
        # what the package has, so a clean test stays clean with either.
        path = os.path.join(DEMO, "single.nix")
        for renames, where in (((("AbstractLogger", "Logger"),), "old"),
                               ((("Machine", "BaseMachine"),), "new")):
            package = self.built_driver(renames, where)
            proc = lint("--driver", package, path)
            self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
            self.assertEqual(proc.stderr, "")

    def test_type_check_uses_the_built_drivers_types(self):
        package = self.built_driver()
        path, text = self.copy("single.nix", ('machine.fail("test -e /nonexistent")',
                                              'frob_all()\n    machine.frobnicate(3)'))
        line = text.splitlines().index("    machine.frobnicate(3)") + 1
        # The bundled driver has neither name: pyflakes and mypy say so.
        proc = lint(path)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertIn("undefined name 'frob_all'", proc.stdout)
        self.assertRegex(proc.stdout, r'%s:%d:\d+: Type check: "Machine" has no attribute "frobnicate"'
                         % (re.escape(path), line))
        # The built driver's package, given as itself or as the site-packages
        # directory holding it: both names are known, the prefix fits it.
        for driver in (package, os.path.dirname(package)):
            proc = lint("--driver", driver, path)
            self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
            self.assertEqual(proc.stderr, "")
        # A wrong argument type is reported against the built driver's class.
        with open(path, "w") as handle:
            handle.write(text.replace("machine.frobnicate(3)", 'machine.frobnicate("3")'))
        proc = lint("--driver", package, path)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertRegex(proc.stdout, r'%s:%d:\d+: Type check: Argument 1 to "frobnicate" of '
                         r'"BaseMachine" has incompatible type "str"; expected "int"'
                         % (re.escape(path), line))
        # Something that is no driver is named, and nothing is checked.
        proc = lint("--driver", self.tmp.name, path)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--driver %s:" % self.tmp.name, proc.stderr)

    def test_containers_are_typed_as_containers(self):
        # The newest driver types `containers.<n>` as NspawnMachine, VMs as
        # QemuMachine: a method only containers have passes on a container
        # and is an error on a VM.
        package = self.built_driver()
        path, text = self.copy("containers.nix", ('box.wait_for_unit("client.service")',
                                                  'box.wait_for_unit("client.service")\n'
                                                  '      box.container_only()\n'
                                                  '      server.container_only()'))
        line = text.splitlines().index("      server.container_only()") + 1
        proc = lint("--driver", package, path)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertEqual(proc.stdout.strip().splitlines(),
                         ['%s:%d:7: Type check: "BaseMachine" has no attribute "container_only"  '
                          '[attr-defined]' % (path, line)])

    def test_skip_lint(self):
        path, _ = self.copy("single.nix", ('name = "single";', 'name = "single";\n  skipLint = true;'))
        with open(path) as handle:
            text = handle.read().replace("machine.start()", "machine.start()\n    unknown_name")
        with open(path, "w") as handle:
            handle.write(text)
        self.assertEqual(lint("--no-type-check", path).returncode, 0)
        with open(path, "w") as handle:
            handle.write(text.replace("skipLint = true;", ""))
        self.assertEqual(lint("--no-type-check", path).returncode, 1)

    def test_every_test_of_a_file_is_checked(self):
        """A file holding several tests (nixpkgs' several.nix shape): each
        testScript is linted and type-checked at its own .nix lines, with its
        own test's skipTypeCheck."""
        with open(os.path.join(SOURCE, "tests", "data", "nixpkgs", "nixos", "tests",
                               "several.nix")) as handle:
            original = handle.read()
        path = os.path.join(self.tmp.name, "several.nix")

        def write(text):
            with open(path, "w") as handle:
                handle.write(text)

        second = '      machine.succeed("test -d /")'
        self.assertIn(second, original)
        line = original.splitlines().index(second) + 1
        write(original.replace(second, '      machne.succeed("test -d /")'))
        proc = lint("--no-type-check", path)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertEqual(proc.stdout, "%s:%d:7: undefined name 'machne'\n" % (path, line))
        # --json: both scripts' extents and outlines.
        write(original)
        proc = lint("--json", "--no-type-check", path)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        [report] = json.loads(proc.stdout)
        self.assertEqual(len(report["scripts"]), 2)
        self.assertIn(line, [item["firstLine"] for item in report["outline"]])
        # The type check of the second test, and its own opt-out.
        write(original.replace(second, "      machine.succeed(42)"))
        proc = lint(path)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertRegex(proc.stdout, r'^%s:%d:\d+: Type check: Argument 1 to "succeed"'
                         % (re.escape(path), line))
        opted = original.replace(second, "      machine.succeed(42)").replace(
            'name = "several-second";', 'name = "several-second";\n    skipTypeCheck = true;')
        write(opted)
        proc = lint("--json", path)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        # The first test still type-checks: the file's checks say so.
        self.assertEqual(json.loads(proc.stdout)[0]["checks"], {"lint": True, "typeCheck": True})

    def test_unreadable_file_is_named(self):
        missing = os.path.join(self.tmp.name, "nope.nix")
        proc = lint(os.path.join(DEMO, "single.nix"), missing)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("nope.nix", proc.stderr)

    def test_usage(self):
        self.assertEqual(lint().returncode, 2)
        self.assertEqual(lint("--bogus", "x.nix").returncode, 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
