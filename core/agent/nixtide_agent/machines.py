"""The driver's machines as nixtide sees them: state, sockets, actions.

States: off (never started), booting (QEMU runs, shell not connected yet),
up (shell connected), shutdown (QEMU exited after shutdown/poweroff/release),
crashed (QEMU exited after `crash()` or with a failure exit status).
"""

import os
import threading
import time

VNC_SOCKET = "vnc.sock"


class MachineTracker:
    def __init__(self, session):
        self._session = session
        self._machines = []
        self._intent = {}
        self._last = None
        self._lock = threading.Lock()
        self._poller = None

    def add(self, machine):
        with self._lock:
            if any(known is machine for known in self._machines):
                return
            self._machines.append(machine)
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
        self._intent[id(machine)] = intent

    def state(self, machine):
        process = getattr(machine, "process", None)
        if process is None:
            return "off"
        code = process.poll()
        if code is not None:
            intent = self._intent.get(id(machine))
            if intent == "crash" or (intent is None and code != 0):
                return "crashed"
            return "shutdown"
        if getattr(machine, "booted", False) and getattr(machine, "connected", False):
            return "up"
        return "booting"

    def describe(self):
        described = []
        for machine in list(self._machines):
            state_dir = str(getattr(machine, "state_dir", "") or "")
            info = {"name": getattr(machine, "name", "?"), "state": self.state(machine),
                    "stateDir": state_dir,
                    "vncSocket": os.path.join(state_dir, VNC_SOCKET) if state_dir else None}
            process = getattr(machine, "process", None)
            if process is not None and process.poll() is None:
                info["pid"] = process.pid
            for key, attribute in (("monitorSocket", "monitor_path"), ("qmpSocket", "qmp_path"),
                                   ("shellSocket", "shell_path")):
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

    def patch_class(self, cls):
        """Wrap the methods that change a machine's state or make files."""
        tracker = self
        if getattr(cls, "_nixtide_patched", False):
            return
        cls._nixtide_patched = True

        def wrap(name, intent=None, after=None):
            original = getattr(cls, name, None)
            if original is None:
                return

            def wrapper(self, *args, **kwargs):
                tracker.add(self)
                if intent is not None:
                    tracker.mark(self, intent)
                try:
                    return original(self, *args, **kwargs)
                finally:
                    tracker.changed()
                    if after is not None:
                        after(self, *args, **kwargs)
            wrapper.__name__ = name
            wrapper.__doc__ = original.__doc__
            wrapper.__wrapped__ = original
            setattr(cls, name, wrapper)

        def started(machine, *args, **kwargs):
            tracker._intent.pop(id(machine), None)

        def screenshot_taken(machine, filename, *args, **kwargs):
            path = tracker.screenshot_path(machine, filename)
            if os.path.exists(path):
                tracker._session.send_event("nixtide/screenshot",
                                            {"machine": machine.name, "path": path})

        wrap("start", after=started)
        wrap("connect")
        wrap("shutdown", intent="shutdown")
        wrap("wait_for_shutdown", intent="shutdown")
        wrap("release", intent="shutdown")
        wrap("crash", intent="crash")
        wrap("screenshot", after=screenshot_taken)

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
