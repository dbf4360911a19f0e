"""Exception classes the test script's failures are sorted by.

As in upstream: a `TestScriptError` (and its `RequestedAssertionFailed`, raised
by `succeed`, `fail`, the `wait_*` helpers and the `t` assertions) is reported
with only the test script's frames and the failing line; a `MachineError` is a
fault of the driver or the VM and is reported with its full traceback.
"""


class TestScriptError(Exception):
    """The test script failed for a reason that is not a driver bug."""


class RequestedAssertionFailed(TestScriptError):
    """An assertion the test script asked for did not hold."""


class MachineError(Exception):
    """The driver could not do what was asked of a machine."""
