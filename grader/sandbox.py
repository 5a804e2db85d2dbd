"""The sandbox every submission runs in, built from what a plain Debian machine has (no daemon).

One sandbox holds the runner's supervisor (grader/sandboxed/runner.py), which starts one session per
submission. The sandbox is a bubblewrap container:

- no network (a network namespace of its own, with nothing in it), no view of other processes;
- a read-only file system holding only the operating system's libraries, Python, the course's
  virtual environment, the learner package and the runner: not the course folder, its solutions,
  the gradebook, other submissions or the grader's code;
- a small writable /tmp (a tmpfs) in which each session has a folder of its own;
- cgroup v1 limits on the memory and the number of processes of the whole sandbox;
- when run as root (the default on the course's machines), the supervisor keeps only the
  capabilities to change user and send signals, and each session runs as a user of its own, with a
  limit on its processes, so a session can signal neither the supervisor nor another session, and
  every process it leaves behind is found by its user id and killed when the session ends.

`protections()` says what is missing on this machine; `make grade` refuses to grade unprotected
unless told to (`--unsafe-no-sandbox`).
"""
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

RUNNER = Path(__file__).parent / "sandboxed"
INSIDE_RUNNER = "/opt/seqcourse/runner"
CGROUP = Path("/sys/fs/cgroup")
FIRST_SESSION_UID = 200_000  # each session runs as a random user id above this one


class SandboxError(Exception):
    """The sandbox could not be started, or its supervisor went away."""


@dataclass
class Limits:
    memory_bytes: int = 2 * 2**30       # the whole sandbox: supervisor and one session
    processes: int = 20                 # per session (its user's processes and threads)
    sandbox_tasks: int = 64             # the whole sandbox
    file_bytes: int = 64 * 2**20        # the largest file a session may write
    tmp_bytes: int = 256 * 2**20        # the sandbox's /tmp
    cpu_seconds: int = 600              # per session, a backstop behind the grader's wall-clock budgets


def protections() -> list[str]:
    """What this machine cannot provide; empty when the sandbox is complete."""
    missing = []
    if shutil.which("bwrap") is None:
        missing.append("bubblewrap is not installed (apt-get install bubblewrap): a notebook would run with the "
                       "grader's own rights, could read the solutions and the gradebook, change other submissions "
                       "and reach the network")
    if os.geteuid() != 0:
        missing.append("the grader does not run as root: sessions cannot run as users of their own, so a notebook "
                       "could signal the sandbox's supervisor, and processes it detaches are killed only with the sandbox")
    for controller in ["memory", "pids"]:
        if not os.access(CGROUP / controller, os.W_OK):
            missing.append(f"the cgroup v1 '{controller}' controller is not writable: no limit on the "
                           f"{'memory' if controller == 'memory' else 'number of processes'} of a notebook")
    return missing


@dataclass
class Sandbox:
    """A running sandbox: its supervisor, its control socket and its sessions."""

    limits: Limits = field(default_factory=Limits)
    isolated: bool = True        # False only for --unsafe-no-sandbox: the runner as a plain subprocess
    name: str = ""

    def __post_init__(self):
        self.name = self.name or f"seqcourse-{os.getpid()}-{id(self) % 100000}"
        self.sessions, self.counter, self.process, self.cgroups = {}, 0, None, []
        self.root = os.geteuid() == 0 and self.isolated
        self.start()

    # -- lifecycle
    def start(self) -> None:
        control, inside = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        command = self._command(inside.fileno())
        self.log = tempfile.TemporaryFile()
        self.cgroups = self._make_cgroups() if self.isolated else []
        cgroups = self.cgroups
        self.process = subprocess.Popen(command, pass_fds=[inside.fileno()], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=self.log, start_new_session=True,
                                        preexec_fn=lambda: _join(cgroups), env=self._environment())
        inside.close()
        self.control = control
        self.control.settimeout(120)
        try:
            ready = self._control_reply()
        except SandboxError:
            raise SandboxError(f"the sandbox did not start: {self.log_tail()}") from None
        if not ready.get("ready"):
            raise SandboxError(f"the sandbox did not start: {self.log_tail()}")

    def close(self) -> None:
        if self.process is None:
            return
        try:
            self.control.sendall(json.dumps({"op": "exit"}).encode())
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass
        _kill_group(self.process)
        self.control.close()
        for cgroup in self.cgroups:
            _remove_cgroup(cgroup)
        self.process = None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self) -> str:
        self.log.seek(0)
        return self.log.read()[-3000:].decode("utf-8", "replace")

    def peak_memory_bytes(self) -> int | None:
        for cgroup in self.cgroups:
            if (cgroup / "memory.max_usage_in_bytes").exists():
                return int((cgroup / "memory.max_usage_in_bytes").read_text())
        return None

    # -- sessions
    def open_session(self, settings: dict) -> tuple[socket.socket, int]:
        """Start a session; returns the grader's end of its socket and the session's id."""
        self.counter += 1
        session = self.counter
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        uid = FIRST_SESSION_UID + secrets.randbelow(2**31 - FIRST_SESSION_UID - 1) if self.root else None
        workdir = f"/tmp/sessions/{session}-{os.urandom(8).hex()}"  # not listable, so not guessable
        message = {"op": "start", "session": session, "uid": uid, "gid": uid, "workdir": workdir,
                   "limits": {"processes": self.limits.processes, "file_bytes": self.limits.file_bytes,
                              "cpu_seconds": self.limits.cpu_seconds}, **settings}
        try:
            socket.send_fds(self.control, [json.dumps(message).encode()], [theirs.fileno()])
            reply = self._control_reply()
        except OSError as error:
            raise SandboxError(f"the sandbox's supervisor went away ({error})") from None
        finally:
            theirs.close()
        self.sessions[session] = reply.get("pid")
        return mine, session

    def interrupt(self, session: int) -> None:
        self._control({"op": "interrupt", "session": session})

    def end_session(self, session: int) -> int:
        """Kill the session and what it left behind; returns how many such processes there were."""
        self.sessions.pop(session, None)
        try:
            return int(self._control({"op": "end", "session": session}).get("killed", 0))
        except SandboxError:
            return 0

    def _control(self, message: dict) -> dict:
        try:
            self.control.sendall(json.dumps(message).encode())
        except OSError as error:
            raise SandboxError(f"the sandbox's supervisor went away ({error})") from None
        return self._control_reply()

    def _control_reply(self) -> dict:
        try:
            data = self.control.recv(2**16)
        except (OSError, socket.timeout) as error:
            raise SandboxError(f"the sandbox's supervisor does not answer ({error})") from None
        if not data:
            raise SandboxError("the sandbox's supervisor went away")
        return json.loads(data)

    # -- how it is built
    def _command(self, fd: int) -> list[str]:
        runner = [sys.executable, f"{INSIDE_RUNNER}/runner.py" if self.isolated else str(RUNNER / "runner.py"), str(fd)]
        if not self.isolated:
            return runner
        binds = ["--ro-bind", "/usr", "/usr"]
        for name in ["bin", "lib", "lib64", "sbin"]:
            path = Path("/") / name
            if path.is_symlink():
                binds += ["--symlink", os.readlink(path), str(path)]
            elif path.is_dir():
                binds += ["--ro-bind", str(path), str(path)]
        # The writable /tmp comes before the course's own folders, so that a venv or a checkout that
        # lies under /tmp (as in a CI runner's clone) is bound on top of it, not hidden by it.
        binds += ["--proc", "/proc", "--dev", "/dev", "--size", str(self.limits.tmp_bytes), "--tmpfs", "/tmp",
                  "--perms", "1733", "--dir", "/tmp/sessions"]
        targets = [*_python_paths(), Path(INSIDE_RUNNER)]
        parents = sorted({str(parent) for target in targets for parent in target.parents if str(parent) != "/"} -
                         {"/usr", "/usr/lib", "/usr/local", "/tmp"}, key=len)
        for parent in parents:  # readable by the session's user (bubblewrap makes missing folders 0700)
            binds += ["--perms", "0755", "--dir", parent]
        for path in targets[:-1]:
            binds += ["--ro-bind", str(path), str(path)]
        binds += ["--ro-bind", str(RUNNER), INSIDE_RUNNER]
        capabilities = ["--cap-drop", "ALL"]
        if self.root:
            capabilities += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_KILL"]
        return ["bwrap", *binds, "--chdir", "/tmp", "--unshare-ipc", "--unshare-pid", "--unshare-net",
                "--unshare-uts", "--unshare-cgroup", "--die-with-parent", "--new-session", *capabilities, *runner]

    def _environment(self) -> dict:
        return {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "MPLBACKEND": "agg",
                "SEQCOURSE_GRADING": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0",
                "PYTHONDONTWRITEBYTECODE": "1", "MPLCONFIGDIR": "/tmp/.matplotlib", "HOME": "/tmp",
                "USER": "student", "LOGNAME": "student"}

    def _make_cgroups(self) -> list[Path]:
        made = []
        for controller, settings in [("memory", {"memory.limit_in_bytes": self.limits.memory_bytes,
                                                 "memory.memsw.limit_in_bytes": self.limits.memory_bytes}),
                                     ("pids", {"pids.max": self.limits.sandbox_tasks})]:
            parent = CGROUP / controller
            if not os.access(parent, os.W_OK):
                continue
            folder = parent / "seqcourse" / self.name
            folder.mkdir(parents=True, exist_ok=True)
            for name, value in settings.items():
                if (folder / name).exists():
                    (folder / name).write_text(str(value))
            made.append(folder)
        return made


def _python_paths() -> list[Path]:
    """Python itself, the course's virtual environment, and the learner package (when it is
    installed from a folder, as in a course checkout): nothing else of the course."""
    import seqcourse

    paths = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(),
             Path(seqcourse.__file__).resolve().parent.parent}
    return sorted(path for path in paths if not any(path != other and other in path.parents for other in paths))


def _join(cgroups: list[Path]) -> None:
    """In the child, before bubblewrap starts: move into the sandbox's cgroups."""
    for cgroup in cgroups:
        (cgroup / "cgroup.procs").write_text(str(os.getpid()))


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, 9)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def _remove_cgroup(folder: Path) -> None:
    """Kill whatever is left in the cgroup, then remove it."""
    for _ in range(100):
        try:
            tasks = [int(t) for t in (folder / "cgroup.procs").read_text().split()]
        except FileNotFoundError:
            return
        if not tasks:
            break
        for task in tasks:
            try:
                os.kill(task, 9)
            except ProcessLookupError:
                pass
        time.sleep(0.02)
    try:
        folder.rmdir()
    except OSError:
        pass
