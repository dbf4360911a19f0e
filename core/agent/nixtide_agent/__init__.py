"""nixtide's debug agent: runs inside a NixOS test driver's own interpreter
and serves the Debug Adapter Protocol on a unix socket. Standard library
only, Python 3.9 and later."""

__all__ = ["session", "debugger", "runner"]
