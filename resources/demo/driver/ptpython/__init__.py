"""A tiny stand-in for the third-party ptpython package, which the demo
driver's interpreter does not have: the same `ptpython.repl.embed` and
`ptpython.ipython.embed` entry points as the upstream driver calls, served
by the standard library's `code.interact`."""

from __future__ import annotations

import atexit
import code
from typing import Any, Dict, Optional


def _interact(namespace: Dict[str, Any], history_filename: Optional[str], title: Optional[str]) -> None:
    try:
        import readline
        import rlcompleter

        readline.set_completer(rlcompleter.Completer(namespace).complete)
        readline.parse_and_bind("tab: complete")
        if history_filename:
            try:
                readline.read_history_file(history_filename)
            except OSError:
                pass
            atexit.register(_save_history, readline, history_filename)
    except ImportError:
        pass
    code.interact(banner=title or "", local=namespace, exitmsg="")


def _save_history(readline: Any, history_filename: str) -> None:
    try:
        readline.write_history_file(history_filename)
    except OSError:
        pass
