"""Run a patch function right after a named module has been imported.

The import system takes any object with the finder and loader methods;
the importlib.abc base classes are not used because importing them (and
importlib.resources with them) took about 45 ms of every driver's start
(0.065 s for `python3 -c 'import importlib.abc'`, 0.021 s for `import sys`).
"""

import sys


class _PatchingLoader:
    def __init__(self, loader, patch):
        self._loader = loader
        self._patch = patch

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        try:
            self._patch(module)
        except Exception as error:  # never break the driver because of us
            sys.stderr.write("nixtide agent: could not hook %s: %s: %s\n" % (
                module.__name__, type(error).__name__, error))

    def __getattr__(self, name):
        return getattr(self._loader, name)


class PatchFinder:
    def __init__(self, patches):
        self._patches = dict(patches)
        self._busy = set()

    def find_spec(self, fullname, path, target=None):
        patch = self._patches.get(fullname)
        if patch is None or fullname in self._busy:
            return None
        self._busy.add(fullname)
        try:
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(fullname, path, target)
                if spec is not None:
                    break
            else:
                return None
        finally:
            self._busy.discard(fullname)
        if spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        spec.loader = _PatchingLoader(spec.loader, patch)
        return spec


def install(patches):
    finder = PatchFinder(patches)
    sys.meta_path.insert(0, finder)
    # Modules imported before us (unlikely) are patched now.
    for name, patch in patches.items():
        if name in sys.modules:
            patch(sys.modules[name])
    return finder
