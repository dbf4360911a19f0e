"""`ptpython.ipython.embed(user_ns=..., ...)`, as the configuration-era
upstream driver calls it."""

from __future__ import annotations

from typing import Any, Dict, Optional

from ptpython import _interact


def embed(
    user_ns: Optional[Dict[str, Any]] = None,
    history_filename: Optional[str] = None,
    title: Optional[str] = None,
    **kwargs: Any,
) -> None:
    # IPython runs in user_ns itself: the test's namespace is used, not copied.
    namespace = user_ns if user_ns is not None else {}
    _interact(namespace, history_filename, title)
