"""The `debug` symbol of upstream master's test scripts.

Upstream's `Debug` serves `debug.breakpoint()` with remote-pdb on
127.0.0.1:4444 for sandboxed runs (`--debug-hook-attach`); the demo driver
only has the no-op variant, so `debug.breakpoint()` is accepted and does
nothing, as upstream does without the hook.
"""

from abc import ABC, abstractmethod


class DebugAbstract(ABC):
    @abstractmethod
    def breakpoint(self, host: str = "127.0.0.1", port: int = 4444) -> None:
        pass


class DebugNop(DebugAbstract):
    def __init__(self) -> None:
        pass

    def breakpoint(self, host: str = "127.0.0.1", port: int = 4444) -> None:
        pass
