"""`nixtide review` and `nixtide run --check-screenshots` on real runs: a
demo-library test boots the real guest, types the text of a file next to it
on tty1 and takes a screenshot. Its reference is accepted, the text changes
(differs, score above the tolerance), the change is masked (match), the
reference is swapped for one of another size (reported as such), and the
exit codes 0, 1 and 2 of `nixtide review` are each shown."""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import zlib

SOURCE = os.environ.get("NIXTIDE_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("NIXTIDE_BINARY") or os.path.join(SOURCE, "build", "app", "nixtide")
DEMO = os.path.join(SOURCE, "resources", "demo")
SHOT = "machine-screen"  # <machine>-<name> in the run record

VERDICT = re.compile(r"^(match|differs|new|missing) +(\S+)  (.*)$", re.M)
SCORE = re.compile(r"([0-9.]+)% (<=|>) ([0-9.]+)% tolerance \((\d+) of (\d+) pixels differ"
                   r"(?:, within (\d+),(\d+) (\d+)x(\d+))?")


def black_png(path, width, height):
    """A black RGB PNG written with the standard library only."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    rows = b"".join(b"\0" + b"\0" * (3 * width) for _ in range(height))
    with open(path, "wb") as handle:
        handle.write(b"\x89PNG\r\n\x1a\n"
                     + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


class ReviewCommand(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="nixtide-review-")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", self.folder]))
        self.env = dict(os.environ, XDG_STATE_HOME=os.path.join(self.folder, "state"))
        self.env.setdefault("NIXTIDE_DEMO_GUEST", os.path.join(SOURCE, "build", "demo-guest"))
        self.text_file = os.path.join(self.folder, "text")
        self.test = os.path.join(self.folder, "screen.nix")
        with open(self.test, "w") as handle:
            handle.write("(import %s/lib { }).runTest {\n"
                         '  name = "review-screen";\n'
                         "  nodes.machine = { };\n"
                         "  testScript = ''\n"
                         '    machine.start()\n'
                         '    machine.wait_for_unit("multi-user.target")\n'
                         '    text = open(%r).read().strip()\n'
                         '    machine.send_chars(f"echo {text} > /tmp/typed\\n")\n'
                         '    machine.wait_until_succeeds(f"grep -qx {text} /tmp/typed", timeout=60)\n'
                         '    machine.screenshot("screen")\n'
                         "  '';\n"
                         "}\n" % (DEMO, self.text_file))
        self.references = os.path.join(self.folder, "review-screen.screenshots")

    def nixtide(self, *args, timeout=60):
        started = time.monotonic()
        result = subprocess.run([BINARY, *args], env=self.env, capture_output=True, text=True,
                                timeout=timeout)
        sys.stderr.write("\n[nixtide %s: exit %d in %.1f s]\n%s%s" % (
            " ".join(args), result.returncode, time.monotonic() - started,
            result.stdout, result.stderr[-400:] if args[0] == "review" else ""))
        return result

    def run_typing(self, text, *options):
        with open(self.text_file, "w") as handle:
            handle.write(text)
        return self.nixtide("run", self.test, *options, timeout=900)

    def verdicts(self, output):
        return {name: (kind, detail) for kind, name, detail in VERDICT.findall(output)}

    def test_accept_change_mask_size_and_exit_codes(self):
        # Run 1: no reference yet, the screenshot is new (not a failure).
        result = self.run_typing("alpha")
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        review = self.nixtide("review", self.test)
        self.assertEqual(review.returncode, 0, review.stderr)
        self.assertEqual(self.verdicts(review.stdout)[SHOT][0], "new")

        # Accepted: the reference folder next to the test, and a match.
        review = self.nixtide("review", self.test, "--accept", SHOT)
        self.assertEqual(review.returncode, 0, review.stderr)
        self.assertIn("accepted %s -> %s/%s.png" % (SHOT, self.references, SHOT), review.stdout)
        self.assertTrue(os.path.isfile(os.path.join(self.references, SHOT + ".png")))
        kind, detail = self.verdicts(review.stdout)[SHOT]
        self.assertEqual((kind, SCORE.search(detail).group(4)), ("match", "0"))

        # Run 2, the same text, checked by `nixtide run` itself: exit 0.
        result = self.run_typing("alpha", "--check-screenshots")
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        kind, detail = self.verdicts(result.stderr)[SHOT]
        self.assertEqual(kind, "match", detail)

        # Run 3, other text typed: a passed run that exits 1 for its screen.
        html = os.path.join(self.folder, "report")
        result = self.run_typing("bravo-bravo-bravo-bravo", "--check-screenshots",
                                 "--screenshot-html", html)
        self.assertEqual(result.returncode, 1, result.stderr[-3000:])
        self.assertIn("PASSED review-screen", result.stderr)
        self.assertIn("screenshots: differences (exit 1)", result.stderr)
        review = self.nixtide("review", self.test)
        self.assertEqual(review.returncode, 1, review.stderr)
        kind, detail = self.verdicts(review.stdout)[SHOT]
        self.assertEqual(kind, "differs", detail)
        score = SCORE.search(detail)
        self.assertEqual(score.group(2), ">")
        self.assertGreater(float(score.group(1)), float(score.group(3)))
        self.assertGreater(int(score.group(4)), 100)
        x, y, width, height = (int(score.group(i)) for i in range(6, 10))
        with open(os.path.join(html, "index.html")) as handle:
            page = handle.read()
        self.assertIn("<td>differs</td><td>%s</td><td>%s</td>" % (SHOT, detail.replace(">", "&gt;")),
                      page)
        for suffix in ("run", "reference", "difference"):
            image = "%s.%s.png" % (SHOT, suffix)
            self.assertIn('src="%s"' % image, page)
            self.assertTrue(os.path.getsize(os.path.join(html, image)) > 0)

        # The changed text masked: the same run matches.
        settings = os.path.join(self.references, SHOT + ".json")
        with open(settings, "w") as handle:
            json.dump({"tolerance": 0.01, "masks": [
                {"x": x - 2, "y": y - 2, "width": width + 4, "height": height + 4,
                 "note": "the typed text"}]}, handle)
        review = self.nixtide("review", self.test)
        self.assertEqual(review.returncode, 0, review.stderr)
        kind, detail = self.verdicts(review.stdout)[SHOT]
        self.assertEqual(kind, "match", detail)
        self.assertIn("1 masked", detail)

        # A reference of another size: reported with both sizes, exit 1.
        black_png(os.path.join(self.references, SHOT + ".png"), 640, 400)
        review = self.nixtide("review", self.test)
        self.assertEqual(review.returncode, 1, review.stderr)
        kind, detail = self.verdicts(review.stdout)[SHOT]
        self.assertEqual(kind, "differs")
        self.assertRegex(detail, r"^size differs: run \d+x\d+, reference 640x400$")
        self.assertNotIn("run 640x400", detail)

        # A reference the run did not take: missing, exit 1.
        os.remove(settings)
        black_png(os.path.join(self.references, "machine-gone.png"), 8, 8)
        review = self.nixtide("review", self.test, "--accept", SHOT)
        self.assertEqual(review.returncode, 1, review.stderr)
        found = self.verdicts(review.stdout)
        self.assertEqual(found[SHOT][0], "match")
        self.assertEqual(found["machine-gone"][0], "missing")

        # Exit 2: bad JSON (named with its line), an unknown run, an
        # unknown screenshot to accept.
        with open(os.path.join(self.references, "machine-gone.json"), "w") as handle:
            handle.write('{\n  "tolerance": 1,\n  masks: []\n}\n')
        review = self.nixtide("review", self.test)
        self.assertEqual(review.returncode, 2, review.stderr)
        self.assertIn(os.path.join(self.references, "machine-gone.json") + ":3: ", review.stderr)
        missing = os.path.join(self.folder, "no-such-run")
        review = self.nixtide("review", missing)
        self.assertEqual(review.returncode, 2, review.stderr)
        self.assertIn(missing + ": no such run record", review.stderr)
        review = self.nixtide("review", self.test, "--accept", "machine-nothing")
        self.assertEqual(review.returncode, 2, review.stderr)
        self.assertIn("has no screenshot machine-nothing (it has: %s)" % SHOT, review.stderr)


if __name__ == "__main__":
    unittest.main()
