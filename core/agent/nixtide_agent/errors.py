"""Exceptions the debugger raises on the main thread to change the run."""


class RestartRequested(BaseException):
    """Unwinds the running script so it starts again (VMs stay up)."""

    def __init__(self, launch_args):
        BaseException.__init__(self, "restart")
        self.launch_args = launch_args or {}


class TerminateRequested(SystemExit):
    """Ends the script the way `sys.exit` would: the driver cleans up."""
