"""Every OCR attempt the driver makes, reported as it happens.

One attempt is one outermost call of `get_screen_text` or
`get_screen_text_variants` (each try of `wait_for_text` calls the latter).
It becomes a `nixtide/ocr` event: the machine, the screen image that was
read, the texts, the seconds it took, and - inside `wait_for_text` - the
pattern and whether a text matched it, placed under the log step that was
open (upstream's "waiting for … to appear on screen").

Hooks by name, as every generation of the driver has them: the public
methods on the machine class, and the module function
`_perform_ocr_on_screenshot(screenshot_path, model_ids)` that the
methods look up in their module's globals at each call. The screen dump
lives in a temporary directory the driver removes as soon as the texts are
read, so the wrapper copies it while it exists (as PNG: a 1280x800 PPM is
3 MB, a text screen's PNG a few kB). A screen that did not change since the
machine's previous attempt is not written again: a `wait_for_text` loop on
a still screen names one file many times.
"""

import hashlib
import os
import re
import struct
import threading
import time
import zlib

_PUBLIC = ("get_screen_text", "get_screen_text_variants")


def ppm_to_png(data):
    """PNG bytes of a binary PPM (P6, maxval 255, as QEMU's screendump
    writes it); None for anything else."""
    fields = []
    position = 0
    while len(fields) < 4:
        while position < len(data) and data[position:position + 1].isspace():
            position += 1
        if data[position:position + 1] == b"#":
            position = data.find(b"\n", position)
            if position < 0:
                return None
            continue
        end = position
        while end < len(data) and not data[end:end + 1].isspace():
            end += 1
        if end == position:
            return None
        fields.append(data[position:end])
        position = end
    position += 1  # the single whitespace byte before the raster
    if fields[0] != b"P6" or fields[3] != b"255":
        return None
    try:
        width, height = int(fields[1]), int(fields[2])
    except ValueError:
        return None
    stride = width * 3
    raster = data[position:position + stride * height]
    if width <= 0 or height <= 0 or len(raster) != stride * height:
        return None
    rows = b"".join(b"\x00" + raster[row * stride:(row + 1) * stride] for row in range(height))

    def chunk(kind, payload):
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b""))


class OcrReporter:
    def __init__(self, session, logger, directory):
        self._session = session
        self._logger = logger  # DapLogger: the open step and the script line
        self._directory = directory
        self._local = threading.local()
        self._count = 0
        self._count_lock = threading.Lock()
        self._last = {}  # machine name -> (digest, image path)

    # ---- hooks ------------------------------------------------------------------
    def patch_class(self, cls):
        if cls.__dict__.get("_nixtide_ocr_patched", False):
            return
        cls._nixtide_ocr_patched = True
        for name in _PUBLIC:
            self._wrap_attempt(cls, name)
        self._wrap_wait(cls)
        for name in ("_get_screen_text_variants",) + _PUBLIC:
            method = getattr(cls, name, None)
            namespace = getattr(getattr(method, "__wrapped__", method), "__globals__", None)
            if namespace is not None:
                self.patch_module_namespace(namespace)

    def patch_module_namespace(self, namespace):
        original = namespace.get("_perform_ocr_on_screenshot")
        if original is None or getattr(original, "_nixtide", False):
            return
        reporter = self

        def _perform_ocr_on_screenshot(screenshot_path, *args, **kwargs):
            reporter._keep_image(screenshot_path)
            return original(screenshot_path, *args, **kwargs)
        _perform_ocr_on_screenshot._nixtide = True
        _perform_ocr_on_screenshot.__wrapped__ = original
        namespace["_perform_ocr_on_screenshot"] = _perform_ocr_on_screenshot

    def _wrap_attempt(self, cls, name):
        original = getattr(cls, name, None)
        if original is None or getattr(original, "_nixtide_ocr", False):
            return
        reporter = self

        def wrapper(machine, *args, **kwargs):
            if getattr(reporter._local, "attempt", None) is not None:
                return original(machine, *args, **kwargs)  # one attempt calls another
            attempt = reporter._local.attempt = {}
            start = time.monotonic()
            try:
                result = original(machine, *args, **kwargs)
            except Exception as error:
                reporter._report(machine, attempt, time.monotonic() - start, None, error)
                raise
            finally:
                reporter._local.attempt = None
            reporter._report(machine, attempt, time.monotonic() - start, result, None)
            return result
        wrapper.__name__ = name
        wrapper.__doc__ = original.__doc__
        wrapper.__wrapped__ = original
        wrapper._nixtide_ocr = True
        setattr(cls, name, wrapper)

    def _wrap_wait(self, cls):
        original = getattr(cls, "wait_for_text", None)
        if original is None or getattr(original, "_nixtide_ocr", False):
            return
        local = self._local

        def wait_for_text(machine, *args, **kwargs):
            regex = args[0] if args else kwargs.get("regex")
            saved = getattr(local, "pattern", None)
            local.pattern = regex
            try:
                return original(machine, *args, **kwargs)
            finally:
                local.pattern = saved
        wait_for_text.__name__ = "wait_for_text"
        wait_for_text.__doc__ = original.__doc__
        wait_for_text.__wrapped__ = original
        wait_for_text._nixtide_ocr = True
        cls.wait_for_text = wait_for_text

    # ---- reporting ----------------------------------------------------------------
    def _keep_image(self, screenshot_path):
        attempt = getattr(self._local, "attempt", None)
        if attempt is None or "dump" in attempt:
            return  # the first image of the attempt is the screen it read
        try:
            with open(screenshot_path, "rb") as handle:
                attempt["dump"] = handle.read()
        except OSError as error:
            attempt["imageError"] = str(error)

    def _store(self, machine_name, dump):
        digest = hashlib.sha1(dump).hexdigest()
        last = self._last.get(machine_name)
        if last is not None and last[0] == digest and os.path.exists(last[1]):
            return last[1]
        png = ppm_to_png(dump)
        with self._count_lock:
            self._count += 1
            number = self._count
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", machine_name)
        path = os.path.join(self._directory, "%s-ocr-%d.%s" % (safe, number,
                                                                "png" if png else "ppm"))
        os.makedirs(self._directory, mode=0o700, exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(png or dump)
        self._last[machine_name] = (digest, path)
        return path

    def _report(self, machine, attempt, seconds, result, error):
        name = str(getattr(machine, "name", "?"))
        if result is None:
            texts = []
        elif isinstance(result, str):
            texts = [result]
        else:
            texts = [str(text) for text in result]
        body = {"machine": name, "texts": texts, "seconds": round(seconds, 3)}
        dump = attempt.get("dump")
        if dump is not None:
            try:
                body["image"] = self._store(name, dump)
            except OSError as failure:
                body["imageError"] = str(failure)
        elif "imageError" in attempt:
            body["imageError"] = attempt["imageError"]
        pattern = getattr(self._local, "pattern", None)
        if pattern is not None:
            body["pattern"] = str(pattern)
            try:
                body["matched"] = any(re.search(pattern, text) is not None for text in texts)
            except (re.error, TypeError) as bad:
                body["matched"] = False
                body["error"] = "bad pattern: %s" % bad
        if error is not None:
            body["error"] = "%s: %s" % (type(error).__name__, error)
        try:
            self._logger.ocr(body)
        except Exception:
            pass  # a report never breaks the driver's OCR
