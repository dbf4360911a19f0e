"""A remote Nix builder stand-in for tests: Debian's sshd on a loopback port,
started by the test with a host key and a user key made for it in a temporary
directory, in a mount namespace of its own whose /nix is an empty directory.
Nix on the builder side (`nix-daemon --stdio`, run by ssh-ng) therefore has a
store of its own: the build's inputs are really copied to it, the test runs
there, and its result is copied back, as with a builder on another machine.
(A builder sharing our /nix would also deadlock: our Nix holds the output
locks while the builder waits for them.)

What Nix needs, as a user would configure it:
- the builder: `ssh-ng://root@127.0.0.1 x86_64-linux KEY JOBS 1 nixos-test`
  (`--builders` or /etc/nix/machines); the test derivations require the
  system feature nixos-test, which the builder must list;
- the port and the host key: ssh options in NIX_SSHOPTS (Nix 2.26's ssh
  store URIs take no port), `-p PORT -o UserKnownHostsFile=FILE`;
- `--max-jobs 0` so that nothing builds locally.
Root is needed (mount namespace, sshd); packaging/dev.sh's build root is."""
import os
import shutil
import socket
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _nix_mount_is_private():
    """Whether a bind mount on /nix in a new mount namespace stays there:
    the mount holding /nix must not propagate to other namespaces."""
    best, shared = "", False
    with open("/proc/self/mountinfo") as handle:
        for line in handle:
            fields = line.split()
            point = fields[4]
            if ("/nix/".startswith(point.rstrip("/") + "/") or point == "/") \
                    and len(point) >= len(best):
                optional = fields[6:fields.index("-")]
                best, shared = point, any(f.startswith("shared:") for f in optional)
    return not shared


class SshBuilder:
    def __init__(self, jobs=2):
        if os.geteuid() != 0:
            raise RuntimeError("the SSH builder stand-in needs root")
        for tool in ("/usr/sbin/sshd", "ssh-keygen", "unshare", "nix-daemon"):
            if shutil.which(tool) is None:
                raise RuntimeError("%s is missing (openssh-server, util-linux, nix)" % tool)
        self.jobs = jobs
        self.dir = tempfile.mkdtemp(prefix="nixtide-sshbuilder-")
        self.port = free_port()
        self.process = None

    def path(self, name):
        return os.path.join(self.dir, name)

    def start(self):
        for key in ("host_key", "user_key"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", key,
                            "-f", self.path(key)], check=True)
        shutil.copyfile(self.path("user_key.pub"), self.path("authorized_keys"))
        with open(self.path("host_key.pub")) as handle:
            kind, key = handle.read().split()[:2]
        with open(self.path("known_hosts"), "w") as handle:
            handle.write("[127.0.0.1]:%d %s %s\n" % (self.port, kind, key))
        with open(self.path("sshd_config"), "w") as handle:
            handle.write("\n".join([
                "ListenAddress 127.0.0.1:%d" % self.port,
                "HostKey " + self.path("host_key"),
                "AuthorizedKeysFile " + self.path("authorized_keys"),
                "PermitRootLogin prohibit-password",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                # The temporary directory is not root-only all the way up.
                "StrictModes no",
                "PidFile none",
                "LogLevel VERBOSE",
                ""]))
        os.makedirs("/run/sshd", exist_ok=True)
        os.makedirs(self.path("nix"))
        # `--propagation private` needs / to be a mount point, which a chroot's
        # / is not; there the mounts are private already, which is checked.
        propagation = "private" if subprocess.run(["mountpoint", "-q", "/"]).returncode == 0 \
            else "unchanged"
        if propagation == "unchanged" and not _nix_mount_is_private():
            raise RuntimeError("/nix is on a shared mount: a bind mount would leak out")
        self.log = open(self.path("sshd.log"), "w")
        self.process = subprocess.Popen(
            ["unshare", "--mount", "--propagation", propagation, "--", "sh", "-c",
             'mount --bind "$0" /nix && exec /usr/sbin/sshd -D -e -f "$1"',
             self.path("nix"), self.path("sshd_config")],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            probe = subprocess.run(self.ssh_command("nix-store --version"),
                                   capture_output=True, text=True)
            if probe.returncode == 0:
                return self
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("sshd did not answer: %s\n%s" % (
                    probe.stderr, open(self.path("sshd.log")).read()))
            time.sleep(0.2)

    def ssh_options(self):
        return ["-p", str(self.port), "-o", "UserKnownHostsFile=" + self.path("known_hosts"),
                "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes"]

    def ssh_command(self, command):
        return ["ssh", *self.ssh_options(), "-i", self.path("user_key"), "root@127.0.0.1",
                command]

    def store_uri(self):
        return "ssh-ng://root@127.0.0.1"

    def builders(self):
        """A --builders value: URI, system, key, jobs, speed, features."""
        return "%s x86_64-linux %s %d 1 nixos-test" % (
            self.store_uri(), self.path("user_key"), self.jobs)

    def environment(self, env):
        env = dict(env)
        env["NIX_SSHOPTS"] = " ".join(self.ssh_options())
        return env

    def remote_store_paths(self):
        """Names in the builder's own /nix/store."""
        out = subprocess.run(self.ssh_command("ls /nix/store"), capture_output=True,
                             text=True, check=True).stdout
        return out.split()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "log", None):
            self.log.close()
        # The builder's store is read-only to nobody but may hold read-only dirs.
        subprocess.run(["chmod", "-R", "u+w", self.dir])
        shutil.rmtree(self.dir, ignore_errors=True)
