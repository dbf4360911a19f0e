"""Real test files as nixpkgs and projects write them (tests/data/nixpkgs,
tests/data/project, tests/data/flake-module): nixtide finds the attribute
that builds each file (all-tests.nix in a nixpkgs checkout, a project's
default.nix, a flake's checks, runNixOSTest of <nixpkgs> for a module on its
own) with real Nix, lints every shape clean with no Nix at all, runs them to
exit 0 booting real QEMU guests, and stops at breakpoints set in a .nix file
and in a .py script file on the lines where they were set."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

SOURCE = os.environ.get("NIXTIDE_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("NIXTIDE_BINARY") or os.path.join(SOURCE, "build", "app", "nixtide")
DATA = os.path.join(SOURCE, "tests", "data")
NIXPKGS = os.path.join(DATA, "nixpkgs")
TESTS = os.path.join(NIXPKGS, "nixos", "tests")
PROJECT = os.path.join(DATA, "project")
sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from demoflake import write_module_flake  # noqa: E402
from test_debug_adapter import StdioDap  # noqa: E402

# file under nixos/tests -> the attribute paths nixtide must resolve it to
NIXPKGS_SHAPES = {
    "module-style.nix": ["nixosTests.module-style"],
    "plain-set.nix": ["nixosTests.plain-set"],
    "let-in.nix": ["nixosTests.let-in"],
    "old-style.nix": ["nixosTests.old-style"],
    "several.nix": ["nixosTests.several.first", "nixosTests.several.second"],
    "read-file/default.nix": ["nixosTests.read-file"],
    "imported-script.nix": ["nixosTests.imported-script"],
    "nodes-function.nix": ["nixosTests.nodes-function"],
    "containers.nix": ["nixosTests.containers"],
    "imported-nodes.nix": ["nixosTests.imported-nodes"],
    # A nested entry: exactly the inner attribute, not its siblings.
    "test-driver/node-name.nix": ["nixosTests.test-driver.node-name"],
    "test-driver/timeout.nix": ["nixosTests.test-driver.timeout"],
    "make-test.nix": ["nixosTests.make-test"],
}
# imported-nodes.nix names its machine only in Nix's answer: lint asks Nix
# for it (Lint.test_a_machine_only_nix_names_is_asked_of_nix); the others
# lint clean from their text alone, with no Nix at hand.
LINTED = [os.path.join(TESTS, f) for f in NIXPKGS_SHAPES if f != "imported-nodes.nix"] + [
    os.path.join(TESTS, "read-file", "script.py"),
    os.path.join(TESTS, "imported-script-text.nix"),
    os.path.join(PROJECT, "tests", "web.nix"),
    os.path.join(DATA, "flake-module", "test.nix"),
    os.path.join(DATA, "flake-module", "other.nix"),
]


def environment(**extra):
    env = dict(os.environ)
    env.setdefault("NIXTIDE_DEMO_GUEST", os.path.join(SOURCE, "build", "demo-guest"))
    env["NIXTIDE_DEMO_LIB"] = os.path.join(SOURCE, "resources", "demo", "lib")
    env.pop("NIX_PATH", None)
    env.update(extra)
    return env


def nixtide(*args, env=None, timeout=600):
    return subprocess.run([BINARY, *args], capture_output=True, text=True,
                          env=env or environment(), timeout=timeout)


def listed(path, env=None):
    proc = nixtide("list", "--json", path, env=env)
    if proc.returncode != 0:
        raise AssertionError("nixtide list %s: %s%s" % (path, proc.stdout, proc.stderr))
    return [entry["ref"] for entry in json.loads(proc.stdout)]


class Resolution(unittest.TestCase):
    """Which attribute builds a file: Nix evaluates, nothing is built."""

    def test_nixpkgs_checkout(self):
        root = os.path.join(NIXPKGS, "default.nix")
        for name, attrs in NIXPKGS_SHAPES.items():
            with self.subTest(name):
                self.assertEqual(listed(os.path.join(TESTS, name)),
                                 ["%s#%s" % (root, attr) for attr in attrs])

    def test_project_default_nix(self):
        self.assertEqual(listed(os.path.join(PROJECT, "tests", "web.nix")),
                         [os.path.join(PROJECT, "default.nix") + "#tests.web"])

    def test_flake_check(self):
        with tempfile.TemporaryDirectory() as directory:
            write_module_flake(directory)
            self.assertEqual(listed(os.path.join(directory, "test.nix")),
                             [directory + "#checks.x86_64-linux.module-check"])
            # A module no check uses: runNixOSTest of the flake's nixpkgs input.
            other = os.path.join(directory, "other.nix")
            self.assertEqual(listed(other), ["module:%s?flake=%s" % (other, directory)])

    def test_module_alone_through_nixpkgs_on_nix_path(self):
        with tempfile.TemporaryDirectory() as directory:
            module = os.path.join(directory, "alone.nix")
            shutil.copyfile(os.path.join(TESTS, "module-style.nix"), module)
            self.assertEqual(listed(module, environment(NIX_PATH="nixpkgs=" + NIXPKGS)),
                             ["module:" + module])
            # Without a nixpkgs: said plainly at the module's head (line 2,
            # past the comment), naming the file and each thing tried; the
            # module is never called with `{ }`.
            proc = nixtide("list", module)
            self.assertEqual(proc.returncode, 1, proc.stdout)
            self.assertIn(module + ":2:1: error: a module-style test needs nixpkgs",
                          proc.stderr)
            self.assertIn("NIX_PATH", proc.stderr)
            self.assertIn("as a test module through <nixpkgs>", proc.stderr)
            self.assertNotIn("called without required argument", proc.stderr)
            self.assertNotIn("\u00abstring\u00bb", proc.stderr)
            self.assertNotIn("nixtide", proc.stderr.replace("nixtide list:", ""))
            # `nixtide run` goes the same way: nothing is built.
            proc = nixtide("run", module)
            self.assertNotEqual(proc.returncode, 0, proc.stdout)
            self.assertIn(module + ":2:1: error: a module-style test needs nixpkgs",
                          proc.stderr)
            self.assertNotIn("called without required argument", proc.stderr)

    def test_an_error_inside_a_module_is_named_at_its_line(self):
        with tempfile.TemporaryDirectory() as directory:
            module = os.path.join(directory, "module-error.nix")
            with open(os.path.join(TESTS, "module-style.nix")) as handle:
                text = handle.read()
            # Only nixpkgs' evaluation of the module finds it.
            text = text.rstrip() + " // lib.noSuchDefaults\n"
            with open(module, "w") as handle:
                handle.write(text)
            line = len(text.splitlines())
            proc = nixtide("run", module, env=environment(NIX_PATH="nixpkgs=" + NIXPKGS))
            self.assertNotEqual(proc.returncode, 0, proc.stdout)
            self.assertRegex(proc.stderr, r"%s:%d:\d+: error: attribute 'noSuchDefaults' missing"
                             % (module, line))
            self.assertNotIn("found no attribute", proc.stderr)
            self.assertNotIn("called without required argument", proc.stderr)
            self.assertNotIn("\u00abstring\u00bb", proc.stderr)


    def test_an_error_in_the_file_is_named_at_its_line(self):
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "broken.nix")
            with open(os.path.join(SOURCE, "resources", "demo", "single.nix")) as handle:
                text = handle.read()
            text = text.replace("import ./lib", "import %s/resources/demo/lib" % SOURCE)
            text = text.replace('[ "hello.service" ]', "[ undefinedThing ]")
            with open(path, "w") as handle:
                handle.write(text)
            line = next(i for i, l in enumerate(text.splitlines(), 1) if "undefinedThing" in l)
            proc = nixtide("list", path)
            self.assertEqual(proc.returncode, 1, proc.stdout)
            # Nix's own words at the file's line; nothing else was tried.
            self.assertRegex(proc.stderr, r"%s:%d:\d+: error: undefined variable 'undefinedThing'"
                             % (path, line))
            self.assertNotIn("Tried:", proc.stderr)
            self.assertNotIn("«string»", proc.stderr)


class Lint(unittest.TestCase):
    """Text only: no Nix, every shape's script region, outline, machines."""

    def lint(self, *args, nix="/nonexistent/nix"):
        env = environment(NIXTIDE_NIX=nix, XDG_CACHE_HOME=self.cache.name)
        return nixtide("lint", *args, env=env, timeout=600)

    def setUp(self):
        self.cache = tempfile.TemporaryDirectory()
        self.addCleanup(self.cache.cleanup)

    def test_every_fixture_is_clean(self):
        proc = self.lint(*LINTED)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(proc.stdout, "")

    def test_regions_outline_and_machines(self):
        proc = self.lint("--json", "--no-type-check", *LINTED)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        reports = {os.path.relpath(r["file"], DATA): r for r in json.loads(proc.stdout)}

        def lines(path):
            with open(os.path.join(DATA, path)) as handle:
                return handle.read().splitlines()

        # `let … in`: the script is the literal the name is bound to.
        let_in = reports["nixpkgs/nixos/tests/let-in.nix"]
        self.assertEqual(lines("nixpkgs/nixos/tests/let-in.nix")[let_in["firstLine"] - 1].strip(),
                         "start_all()")
        # A computed subtest name is shown as written, at its line.
        [loop_subtest] = [i for i in let_in["outline"] if i["label"]]
        self.assertEqual(loop_subtest["label"], "f'/{name} exists'")
        self.assertIn("with subtest(", lines("nixpkgs/nixos/tests/let-in.nix")[
            loop_subtest["firstLine"] - 1])
        # Comments between nodes; a name that needs pythonizing.
        old = reports["nixpkgs/nixos/tests/old-style.nix"]
        self.assertEqual(sorted(old["machines"]), ["client", "web_server"])
        # `#` inside the Nix string is Python: the script's line count holds.
        text = lines("nixpkgs/nixos/tests/old-style.nix")
        self.assertIn("client.succeed", text[old["lastLine"] - 2])
        # `containers.<n>` beside `nodes.<n>`.
        self.assertEqual(sorted(reports["nixpkgs/nixos/tests/containers.nix"]["machines"]),
                         ["box", "machine"])
        # A `{ nodes, ... }: ''…''` function.
        fn = reports["nixpkgs/nixos/tests/nodes-function.nix"]
        self.assertEqual(lines("nixpkgs/nixos/tests/nodes-function.nix")[fn["firstLine"] - 1]
                         .strip(), "machine.start()")
        # A script file maps 1:1; its machines come from the .nix reading it.
        script = reports["nixpkgs/nixos/tests/read-file/script.py"]
        self.assertEqual(script["lineMap"][:5], [1, 2, 3, 4, 5])
        self.assertEqual(script["machines"], ["machine"])
        imported = reports["nixpkgs/nixos/tests/imported-script-text.nix"]
        self.assertTrue(imported["scriptFound"])
        self.assertEqual(lines("nixpkgs/nixos/tests/imported-script-text.nix")[
            imported["firstLine"] - 1].strip(), "machine.start()")
        # Several tests in one file: every script is there and checked.
        several = reports["nixpkgs/nixos/tests/several.nix"]
        self.assertTrue(several["scriptFound"])
        self.assertEqual(len(several["scripts"]), 2)

    def test_a_machine_only_nix_names_is_asked_of_nix(self):
        # The text shows no machine: with --no-eval the name is undefined;
        # by default lint asks Nix, as the editor's outline does (ui.lint).
        path = os.path.join(TESTS, "imported-nodes.nix")
        nix = shutil.which("nix")
        proc = self.lint("--no-type-check", "--no-eval", path, nix=nix)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertRegex(proc.stdout, r"^%s:8:\d+: .*undefined name 'gateway_1'" % path)
        # Without Nix the text's finding stands, and lint says why.
        proc = self.lint("--no-type-check", path)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertIn("Nix could not name the test's machines", proc.stderr)
        proc = self.lint("--json", path, nix=nix)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn("gateway_1", json.loads(proc.stdout)[0]["machines"])

    def test_typos_are_flagged_at_their_lines(self):
        with tempfile.TemporaryDirectory() as directory:
            tree = os.path.join(directory, "nixpkgs")
            shutil.copytree(NIXPKGS, tree)
            tests = os.path.join(tree, "nixos", "tests")
            cases = [
                ("let-in.nix", "machine.succeed(f", "machin.succeed(f", "undefined name 'machin'"),
                ("old-style.nix", "web_server.wait_for_unit", "webserver.wait_for_unit",
                 "undefined name 'webserver'"),
                ("read-file/script.py", "kernel = machine", "kernel = machne",
                 "undefined name 'machne'"),
                ("module-style.nix", 'machine.succeed("test -d /etc")', "machine.succeed(42)",
                 'Argument 1 to "succeed" of "Machine" has incompatible type "int"'),
            ]
            for name, old, new, message in cases:
                with self.subTest(name):
                    path = os.path.join(tests, name)
                    with open(path) as handle:
                        text = handle.read()
                    self.assertIn(old, text)
                    with open(path, "w") as handle:
                        handle.write(text.replace(old, new, 1))
                    line = next(i for i, l in enumerate(text.splitlines(), 1) if old in l)
                    proc = self.lint(path)
                    self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
                    self.assertRegex(proc.stdout, r"^%s:%d:\d+: .*%s" % (
                        path, line, message.replace("(", r"\(").replace(")", r"\)")))
                    with open(path, "w") as handle:
                        handle.write(text)
            # The script of a file that reads it is checked in that file.
            proc = self.lint(os.path.join(tests, "read-file", "default.nix"))
            self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
            self.assertIn("the testScript is in %s/read-file/script.py (checked too)" % tests,
                          proc.stderr)


class Run(unittest.TestCase):
    """Built by real Nix, booted in real QEMU, to exit 0."""

    def run_test(self, path, env=None):
        state = tempfile.TemporaryDirectory(prefix="nixtide-real-files-")
        self.addCleanup(state.cleanup)
        env = dict(env or environment(), XDG_STATE_HOME=state.name)
        proc = nixtide("run", path, env=env, timeout=900)
        self.assertEqual(proc.returncode, 0, proc.stdout[-3000:] + proc.stderr[-3000:])
        return proc

    def test_nixpkgs_module_style(self):
        proc = self.run_test(os.path.join(TESTS, "module-style.nix"))
        self.assertIn("nixosTests.module-style", proc.stderr + proc.stdout)

    def test_module_alone(self):
        with tempfile.TemporaryDirectory() as directory:
            module = os.path.join(directory, "alone.nix")
            shutil.copyfile(os.path.join(TESTS, "plain-set.nix"), module)
            self.run_test(module, environment(NIX_PATH="nixpkgs=" + NIXPKGS))

    def test_flake_check_from_its_file(self):
        with tempfile.TemporaryDirectory() as directory:
            write_module_flake(directory)
            self.run_test(os.path.join(directory, "test.nix"))
            self.run_test(os.path.join(directory, "other.nix"))


class Breakpoints(unittest.TestCase):
    """A breakpoint stops on the line where it was set, in .nix and .py."""

    def setUp(self):
        state = tempfile.TemporaryDirectory(prefix="nixtide-real-files-")
        self.addCleanup(state.cleanup)
        self.dap_env = environment(XDG_STATE_HOME=state.name)
        self.dap = StdioDap(self.dap_env)
        self.addCleanup(self._stop)

    def _stop(self):
        if self.dap.proc.poll() is None:
            self.dap.proc.kill()
            self.dap.proc.wait()
        for stream in (self.dap.proc.stdin, self.dap.proc.stdout, self.dap.proc.stderr):
            stream.close()

    def run_to_breakpoint(self, test, source, line):
        """Launches `test` with one breakpoint at `source`:`line`, checks it
        is verified there and that the script stops on it; returns the
        stopped frame."""
        dap = self.dap
        dap.request("initialize", {"adapterID": "nixtide", "linesStartAt1": True})
        launch = dap.send("launch", {"test": test})
        dap.wait_event("initialized", timeout=400)
        self.assertTrue(dap.response(launch)["success"])
        bps = dap.request("setBreakpoints", {"source": {"path": source},
                                             "breakpoints": [{"line": line}]})["body"]
        self.assertTrue(bps["breakpoints"][0]["verified"], bps)
        self.assertEqual(bps["breakpoints"][0]["line"], line)
        dap.request("configurationDone")
        stopped = dap.wait_event("stopped", timeout=300)
        self.assertEqual(stopped["body"]["reason"], "breakpoint")
        frame = dap.request("stackTrace", {"threadId": 1})["body"]["stackFrames"][0]
        self.assertEqual((frame["source"]["path"], frame["line"]), (source, line))
        return frame

    def evaluate(self, frame, expression):
        return self.dap.request("evaluate", {"expression": expression, "frameId": frame["id"],
                                             "context": "repl"})["body"]["result"]

    def stop_at(self, test, source, marker, expression, expected):
        dap = self.dap
        with open(source) as handle:
            line = next(i + 1 for i, text in enumerate(handle.read().splitlines())
                        if marker in text)
        frame = self.run_to_breakpoint(test, source, line)
        self.assertEqual(self.evaluate(frame, expression), expected)
        # A breakpoint in a loop would stop again: clear it, then run to the end.
        dap.request("setBreakpoints", {"source": {"path": source}, "breakpoints": []})
        dap.request("continue", {"threadId": 1})
        self.assertEqual(dap.wait_event("exited", timeout=600)["body"]["exitCode"], 0)

    def stop_before_boot(self, test, source, marker, node, after=None):
        """Stops on the script's first statement (`marker`, the first after
        the line holding `after` when given), which runs before any VM
        boots: checks the stopped frame and that `node` is a machine of this
        test not yet booted, then ends the driver without booting. Every
        shape is checked this way at the cost of a build, not a boot."""
        dap = self.dap
        with open(source) as handle:
            lines = handle.read().splitlines()
        start = next(i for i, text in enumerate(lines) if after in text) if after else 0
        line = next(i + 1 for i, text in enumerate(lines) if i >= start and marker in text)
        frame = self.run_to_breakpoint(test, source, line)
        self.assertEqual(self.evaluate(frame, "%s.booted" % node), "False")
        dap.request("disconnect", {"terminateDebuggee": True})
        if not any(m.get("event") == "terminated" for m in dap.seen):
            dap.wait_event("terminated", timeout=60)
        self.assertEqual(dap.proc.wait(60), 0)

    def test_old_style(self):
        test = os.path.join(TESTS, "old-style.nix")
        self.stop_before_boot(test, test, "start_all()", "web_server")

    def test_make_test_in_all_tests(self):
        test = os.path.join(TESTS, "make-test.nix")
        self.stop_before_boot(test, test, "machine.start()", "machine")

    def test_several_in_one_file(self):
        # Each test of the file stops at its own script's line.
        root = os.path.join(NIXPKGS, "default.nix")
        test = os.path.join(TESTS, "several.nix")
        for name in ("first", "second"):
            with self.subTest(name):
                self.stop_before_boot(root + "#nixosTests.several." + name, test,
                                      "machine.start()", "machine", after=name + " = makeTest")
                self._stop()
                self.dap = StdioDap(self.dap_env)

    def test_in_an_imported_script(self):
        self.stop_before_boot(os.path.join(TESTS, "imported-script.nix"),
                              os.path.join(TESTS, "imported-script-text.nix"),
                              "machine.start()", "machine")

    def test_nodes_function(self):
        test = os.path.join(TESTS, "nodes-function.nix")
        self.stop_before_boot(test, test, "machine.start()", "machine")

    def test_plain_set(self):
        test = os.path.join(TESTS, "plain-set.nix")
        self.stop_before_boot(test, test, "server.start()", "server")

    def test_nested_entry_with_a_pythonized_node_name(self):
        test = os.path.join(TESTS, "test-driver", "node-name.nix")
        self.stop_before_boot(test, test, "node_with_dashes.start()", "node_with_dashes")

    def test_container(self):
        test = os.path.join(TESTS, "containers.nix")
        self.stop_before_boot(test, test, "start_all()", "box")

    def test_flake_check_and_module_beside_it(self):
        for name in ("test.nix", "other.nix"):
            with self.subTest(name), tempfile.TemporaryDirectory() as directory:
                write_module_flake(directory)
                test = os.path.join(directory, name)
                self.stop_before_boot(test, test, "machine.start()", "machine")
                # One adapter per session: the next file gets a fresh one.
                self._stop()
                self.dap = StdioDap(self.dap_env)

    def test_in_a_python_script_file(self):
        script = os.path.join(TESTS, "read-file", "script.py")
        self.stop_at(os.path.join(TESTS, "read-file", "default.nix"), script,
                     "assert kernel", "kernel", "'Linux'")

    def test_behind_let_in(self):
        test = os.path.join(TESTS, "let-in.nix")
        self.stop_at(test, test, 'machine.succeed(f"test -d', "name", "'etc'")


if __name__ == "__main__":
    unittest.main(verbosity=2)
