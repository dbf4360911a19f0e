"""The driver's machines as nixtide sees them: state, sockets, actions.

States: off (never started), booting (QEMU runs, shell not connected yet),
up (shell connected), shutdown, crashed. How an exit is told apart:
- after the driver's `shutdown()` or `release()`: shutdown;
- after `crash()`, or QEMU failing (non-zero status): crashed;
- any other exit (the guest powered itself off, panicked, or QEMU quit under
  `-no-reboot`): the kernel's last words on the serial console decide:
  "reboot: Power down" / "System halted" / "Restarting system" read as
  shutdown, anything else (a "Kernel panic", nothing at all) as crashed.
  Until the driver has read the serial stream to its end the machine keeps
  its previous state, so a clean power-off never flickers through crashed.

Kinds: "vm" (QEMU: screen over VNC, monitor, QMP) and "container"
(systemd-nspawn, nixos-26.05's `NspawnMachine`: console, log and state only;
no framebuffer, so no VNC socket is announced).

Shell and monitor commands are tracked while in flight: a pause can stop
the script inside `execute()` after the command went out and before its
output was read. A second command on that channel (from the REPL) or a
restart that abandons the first would leave its output to be read as the
answer to the next one, so both are refused until the command completes.
"""

import collections
import os
import threading
import time

VNC_SOCKET = "vnc.sock"
_PANIC = "Kernel panic"
_ORDERLY = ("reboot: Power down", "reboot: System halted", "reboot: Restarting system")
# Driver methods that write a request and then block reading its answer.
_CHANNELS = {"execute": "shell", "send_monitor_command": "monitor"}


def machine_kind(machine):
    """"container" for systemd-nspawn machines, else "vm". By class name, as
    upstream's driver and the demo's both call it NspawnMachine."""
    if any(klass.__name__ == "NspawnMachine" for klass in type(machine).__mro__):
        return "container"
    return "vm"


class ChannelBusy(RuntimeError):
    pass


class MachineTracker:
    def __init__(self, session):
        self._session = session
        self._machines = []
        self._intent = {}
        self._last = None
        self._lock = threading.Lock()
        self._poller = None
        self._serial = {}
        self._reported = {}
        self._busy = {}
        self.is_stopped = lambda: False
        self.on_idle = None

    def add(self, machine):
        self.add_all([machine])

    def add_all(self, machines):
        """One announcement for all of them: a list that grows one machine
        at a time would tell the IDE, in between, that the others are gone."""
        with self._lock:
            fresh = [m for m in machines if not any(known is m for known in self._machines)]
            self._machines.extend(fresh)
        if not fresh:
            return
        self.changed()
        if self._poller is None:
            self._poller = threading.Thread(target=self._poll, name="nixtide-machines", daemon=True)
            self._poller.start()

    def find(self, name):
        for machine in list(self._machines):
            if getattr(machine, "name", None) == name:
                return machine
        raise ValueError("no machine named %r" % name)

    def mark(self, machine, intent):
        process = getattr(machine, "process", None)
        if process is not None and process.poll() is not None:
            return  # an exit that already happened keeps its reading
        self._intent[id(machine)] = intent

    def note_serial(self, name, line):
        tail = self._serial.get(name)
        if tail is None:
            tail = self._serial[name] = collections.deque(maxlen=40)
        tail.append(str(line))

    def state(self, machine):
        process = getattr(machine, "process", None)
        if process is None:
            return "off"
        code = process.poll()
        if code is not None:
            intent = self._intent.get(id(machine))
            if intent == "crash" or (intent is None and code != 0):
                return "crashed"
            if intent == "shutdown":
                return "shutdown"
            reader = getattr(machine, "serial_thread", None)
            if reader is not None and reader.is_alive():
                return self._reported.get(id(machine), "up")
            tail = list(self._serial.get(getattr(machine, "name", None)) or ())
            if any(_PANIC in line for line in tail):
                return "crashed"
            if any(marker in line for line in tail for marker in _ORDERLY):
                return "shutdown"
            return "crashed"
        if getattr(machine, "booted", False) and getattr(machine, "connected", False):
            return "up"
        return "booting"

    # ---- commands in flight ---------------------------------------------------
    def busy_message(self):
        """Why the script cannot be abandoned now, or None."""
        for (_ident, channel), (name, what) in list(self._busy.items()):
            return ("%s is waiting for the answer to %s on its %s; continue until that "
                    "call returns (or terminate)" % (name, what, channel))
        return None

    def _enter(self, machine, channel, what):
        key = (id(machine), channel)
        pending = self._busy.get(key)
        if pending is not None:
            if self.is_stopped():
                raise ChannelBusy("%s's %s is still waiting for the answer to %s, interrupted "
                                  "by the debugger; continue the script first (this command "
                                  "would read that answer)" % (pending[0], channel, pending[1]))
            return None  # re-entered by the driver itself (polling conditions)
        self._busy[key] = (getattr(machine, "name", "?"), what)
        return key

    def _leave(self, key):
        if key is not None:
            self._busy.pop(key, None)
            if self.on_idle is not None and not self._busy:
                self.on_idle()

    def describe(self):
        described = []
        for machine in list(self._machines):
            state_dir = str(getattr(machine, "state_dir", "") or "")
            state = self.state(machine)
            self._reported[id(machine)] = state
            kind = machine_kind(machine)
            info = {"name": getattr(machine, "name", "?"), "kind": kind, "state": state,
                    "stateDir": state_dir, "vncSocket": None}
            if kind == "vm" and state_dir:
                info["vncSocket"] = os.path.join(state_dir, VNC_SOCKET)
            process = getattr(machine, "process", None)
            if process is not None and process.poll() is None:
                info["pid"] = process.pid
            for key, attribute in (("monitorSocket", "monitor_path"), ("qmpSocket", "qmp_path"),
                                   ("shellSocket", "shell_path")):
                if kind == "container":
                    break  # the driver's backdoor FIFOs, no sockets to offer
                value = getattr(machine, attribute, None)
                if value:
                    info[key] = str(value)
            described.append(info)
        return described

    def changed(self):
        machines = self.describe()
        key = [(m["name"], m["state"]) for m in machines]
        with self._lock:
            if key == self._last:
                return
            self._last = key
        self._session.send_event("nixtide/machines", {"machines": machines})

    def _poll(self):
        while True:
            time.sleep(0.3)
            try:
                self.changed()
            except Exception:
                pass

    def screenshot_path(self, machine, filename):
        """Where the driver's `screenshot(filename)` writes (upstream rules)."""
        if "." not in os.path.basename(filename):
            filename += ".png"
        if not os.path.isabs(filename) and "/" not in filename:
            filename = os.path.join(str(getattr(machine, "out_dir", os.getcwd())), filename)
        return os.path.abspath(filename)

    def failure_screenshots(self, failure):
        """One screenshot of every VM whose QEMU still runs, taken when the
        script failed: `failure` (step, scriptPath, line) goes into each
        `nixtide/screenshot` event so the run record names the failing
        line. Each goes to the machine's own state directory as
        failure.png, so the record copies it as `<machine>-failure.png`
        and the driver's output directory gains no file the test did not
        make. A screen that cannot be taken is reported, never raised: the
        test's own failure is the one to report."""
        for machine in list(self._machines):
            process = getattr(machine, "process", None)
            if machine_kind(machine) != "vm" or process is None or process.poll() is not None:
                continue
            name = getattr(machine, "name", "?")
            state_dir = str(getattr(machine, "state_dir", "") or "")
            path = self.screenshot_path(
                machine, os.path.join(state_dir, "failure.png") if state_dir
                else "failure-%s.png" % name)
            # The unwrapped method: the wrapper would announce it without
            # the failure.
            take = getattr(type(machine).screenshot, "__wrapped__", type(machine).screenshot)
            try:
                take(machine, path)
            except Exception as error:
                self._session.output("console", "nixtide: no failure screenshot of %s: %s\n"
                                     % (name, error))
                continue
            if os.path.exists(path):
                body = {"machine": name, "path": path, "failure": True}
                body.update(failure)
                self._session.send_event("nixtide/screenshot", body)

    def patch_class(self, cls):
        """Wrap the methods that change a machine's state or make files."""
        tracker = self
        if cls.__dict__.get("_nixtide_patched", False):
            return
        cls._nixtide_patched = True

        def wrap(name, intent=None, after=None, before=None):
            original = getattr(cls, name, None)
            if original is None or getattr(original, "_nixtide", False):
                return  # a base class already patched

            def wrapper(self, *args, **kwargs):
                tracker.add(self)
                if intent is not None:
                    tracker.mark(self, intent)
                if before is not None:
                    before(self)
                try:
                    return original(self, *args, **kwargs)
                finally:
                    tracker.changed()
                    if after is not None:
                        after(self, *args, **kwargs)
            wrapper.__name__ = name
            wrapper.__doc__ = original.__doc__
            wrapper.__wrapped__ = original
            wrapper._nixtide = True
            setattr(cls, name, wrapper)

        def starting(machine):
            if getattr(machine, "process", None) is None or machine.process.poll() is not None:
                tracker._intent.pop(id(machine), None)
                tracker._serial.pop(getattr(machine, "name", None), None)

        def screenshot_taken(machine, filename, *args, **kwargs):
            path = tracker.screenshot_path(machine, filename)
            if os.path.exists(path):
                tracker._session.send_event("nixtide/screenshot",
                                            {"machine": machine.name, "path": path})

        def wrap_channel(name):
            original = getattr(cls, name, None)
            if original is None or getattr(original, "_nixtide", False):
                return
            channel = _CHANNELS[name]

            def wrapper(self, *args, **kwargs):
                command = args[0] if args else kwargs.get("command", "")
                key = tracker._enter(self, channel, "%s(%r)" % (name, command))
                try:
                    return original(self, *args, **kwargs)
                finally:
                    tracker._leave(key)
            wrapper.__name__ = name
            wrapper.__doc__ = original.__doc__
            wrapper.__wrapped__ = original
            wrapper._nixtide = True
            setattr(cls, name, wrapper)

        wrap("start", before=starting)
        wrap("connect")
        # wait_for_shutdown only waits: why the VM went away is read from
        # the intent set by shutdown()/crash() or from the serial console.
        wrap("shutdown", intent="shutdown")
        wrap("wait_for_shutdown")
        wrap("release", intent="shutdown")
        wrap("crash", intent="crash")
        wrap("screenshot", after=screenshot_taken)
        for name in _CHANNELS:
            wrap_channel(name)

    def action(self, arguments):
        machine = self.find(arguments.get("machine"))
        action = arguments.get("action")
        text = arguments.get("text")
        if action == "start":
            machine.start()
        elif action == "shutdown":
            machine.shutdown()
        elif action == "crash":
            machine.crash()
        elif action == "screenshot":
            name = text or "nixtide-%s-%d" % (machine.name, int(time.time() * 1000))
            machine.screenshot(name)
            return {"path": self.screenshot_path(machine, name)}
        elif action == "sendKeys":
            for key in (text or "").split():
                machine.send_key(key)
        elif action == "sendChars":
            machine.send_chars(text or "")
        elif action == "sendConsole":
            machine.send_console(text or "")
        else:
            raise ValueError("unknown machine action %r" % action)
        return {}
