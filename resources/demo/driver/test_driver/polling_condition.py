"""Conditions checked before each machine command while they are active."""

from __future__ import annotations

import time
from math import isfinite
from typing import Callable, Optional

from test_driver.logger import AbstractLogger


class PollingConditionError(Exception):
    pass


class PollingCondition:
    """A callable checked at most every `seconds_interval` seconds; a result
    of False (or an exception) fails the check, None counts as success."""

    def __init__(
        self,
        condition: Callable[[], Optional[bool]],
        logger: AbstractLogger,
        seconds_interval: float = 2.0,
        description: Optional[str] = None,
    ):
        self.condition = condition
        self.seconds_interval = seconds_interval
        self.logger = logger
        if description is None:
            self.description = condition.__doc__ or condition.__name__
        else:
            self.description = str(description)
        self.last_called = float("-inf")
        self.entry_count = 0

    def check(self, force: bool = False) -> bool:
        # While the condition runs its own machine commands, they must not
        # check it again (entered), and it is only due every interval.
        if (self.entered or not self.overdue) and not force:
            return True
        with self, self.logger.nested(self.nested_message):
            since = time.monotonic() - self.last_called
            self.logger.info(
                f"Time since last: {since:.2f}s"
                if isfinite(since)
                else "(not called yet)"
            )
            try:
                res = self.condition()
            except Exception:
                res = False
            ok = res is None or bool(res)
            self.logger.info(self.status_message(ok))
            return ok

    def maybe_raise(self) -> None:
        if not self.check():
            raise PollingConditionError(self.status_message(False))

    def status_message(self, status: bool) -> str:
        word = "succeeded" if status else "failed"
        return f"Polling condition {word}: {self.description}"

    @property
    def nested_message(self) -> str:
        return f"Checking polling condition {self.description!r}"

    @property
    def overdue(self) -> bool:
        return self.last_called + self.seconds_interval < time.monotonic()

    @property
    def entered(self) -> bool:
        assert self.entry_count >= 0
        return self.entry_count > 0

    def __enter__(self) -> None:
        self.entry_count += 1

    def __exit__(self, *_: object) -> None:
        assert self.entered
        self.entry_count -= 1
        self.last_called = time.monotonic()
