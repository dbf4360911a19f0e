"""`ptpython.repl.embed(globals, locals, ...)`, as the environment-era
upstream driver calls it."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from ptpython import _interact


def embed(
    globals: Optional[Dict[str, Any]] = None,
    locals: Optional[Dict[str, Any]] = None,
    configure: Optional[Callable[..., Any]] = None,
    vi_mode: bool = False,
    history_filename: Optional[str] = None,
    title: Optional[str] = None,
    startup_paths: Optional[List[str]] = None,
    patch_stdout: bool = False,
    return_asyncio_coroutine: bool = False,
) -> None:
    # Like ptpython: names are looked up in locals, then globals; new names
    # land in locals. code.interact has one namespace: merge, globals first.
    namespace: Dict[str, Any] = dict(globals or {})
    namespace.update(locals or {})
    for path in startup_paths or []:
        with open(path) as f:
            exec(compile(f.read(), path, "exec"), namespace)
    _interact(namespace, history_filename, title)
