"""The runner: the only code that runs a submission, inside the sandbox (grader/sandbox.py).

Two roles, one file, no import from the grader (it runs as a script, next to `wire.py`):

- the **supervisor**, the sandbox's main process, imports numpy, torch, matplotlib and IPython
  once, then forks one **session** per submission on request and, when the session ends, kills
  every process it left behind. Run as root inside the sandbox (the grader's default) it holds only
  the capabilities to change user and to send signals, and each session runs as a user id of its
  own, so that one submission can neither signal the supervisor nor see another's files;
- a **session** runs the submission's cells in a fresh IPython shell, one request at a time, and
  answers the grader's requests about the objects the notebook defined: look a name up, call a
  function, read an attribute. What it sends back is data (wire.Encoder) or a handle.

Nothing a session says is trusted: the grader decides every verdict from data alone. The runner
only has to keep the sandbox's promises (limits, cleanup) and report honestly what it can.
"""
import builtins
import importlib
import inspect
import io
import os
import resource
import signal
import socket
import sys
import time
import traceback
import types

import wire

OUTPUT_LIMIT = 2**20             # characters of stdout and stderr kept per session
TRACEBACK_LINES = 40
PRELOAD = ["numpy", "torch", "matplotlib", "matplotlib.pyplot", "IPython.core.interactiveshell", "cloudpickle",
           "seqcourse", "seqcourse.checks", "seqcourse.runtime", "seqcourse.corpus", "seqcourse.series",
           "seqcourse.tasks", "seqcourse.rnn", "seqcourse.diagrams"]


# -------------------------------------------------------------------------------------- supervisor

WARM_UP = """\
import numpy as np, torch, matplotlib.pyplot as plt
from torch import nn
nn.LSTM(3, 4, batch_first=True)(torch.zeros(2, 5, 3))[0].sum().backward()
torch.use_deterministic_algorithms(True)  # its first call takes most of a second
torch.use_deterministic_algorithms(False)
figure, axes = plt.subplots()
axes.plot([0, 1], [1, 0], label="warm"); axes.set_title("$x_t$"); axes.legend()
figure.canvas.draw()
plt.close("all")
"""


def supervise(control: socket.socket) -> None:
    """Serve the grader's control requests until it says goodbye or goes away."""
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass  # a course without some chapter's modules; the session imports what it needs
    _warm_up()
    sessions = {}  # session id -> (pid, uid, workdir)
    _reply(control, {"ready": True, "pid": os.getpid(), "root": os.geteuid() == 0})
    while True:
        try:
            message, fds = _receive_with_fds(control)
        except (wire.WireError, OSError):
            break
        op = message.get("op")
        if op == "start":
            pid = os.fork()
            if pid == 0:  # the session
                control.close()
                try:
                    _session(socket.socket(fileno=fds[0]), message)
                finally:
                    os._exit(0)
            for fd in fds:
                os.close(fd)
            sessions[message["session"]] = (pid, message.get("uid"), message["workdir"])
            _reply(control, {"pid": pid})
        elif op == "interrupt":
            pid = sessions.get(message.get("session"), (None,))[0]
            if pid:
                _signal(pid, signal.SIGINT)
            _reply(control, {"ok": True})
        elif op == "end":
            pid, uid, workdir = sessions.pop(message.get("session"), (None, None, None))
            left = _end_session(pid, uid, workdir) if pid else 0
            _reply(control, {"ok": True, "killed": left})
        elif op == "exit":
            break
    for pid, uid, workdir in sessions.values():
        _end_session(pid, uid, workdir)


def _warm_up() -> None:
    """Run a cell once in a throwaway shell, so that what IPython, torch and matplotlib load or
    cache on first use is already in memory when a session is forked."""
    try:
        Session(None, {}).shell.run_cell(WARM_UP, store_history=False)
    except Exception:
        pass


def _receive_with_fds(control: socket.socket) -> tuple[dict, list[int]]:
    """A control message (one datagram of the SOCK_SEQPACKET control socket); a `start` carries
    the session's socket as a file descriptor."""
    data, fds, _, _ = socket.recv_fds(control, 2**16, 4)
    if not data:
        raise wire.WireError("the grader closed the control channel")
    return wire.json.loads(data.decode("utf-8")), list(fds)


def _reply(control: socket.socket, message: dict) -> None:
    control.sendall(wire.json.dumps(message).encode("utf-8"))


def _signal(pid: int, number: int) -> None:
    try:
        os.kill(pid, number)
    except ProcessLookupError:
        pass


def _end_session(pid: int, uid, workdir: str) -> int:
    """Kill the session and everything it started; remove its files. Returns how many processes
    were still alive besides the session itself."""
    _signal(pid, signal.SIGKILL)
    left = 0
    if uid is not None:  # every process of the session's own user, however it detached itself
        for _ in range(50):
            victims = [p for p in _processes_of(uid) if p != pid]
            if not victims:
                break
            left = max(left, len(victims))
            for victim in victims:
                _signal(victim, signal.SIGKILL)
            time.sleep(0.01)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    while True:  # reap orphans re-parented to us (we may be the namespace's init)
        try:
            if os.waitpid(-1, os.WNOHANG) == (0, 0):
                break
        except ChildProcessError:
            break
    _remove_as(uid, workdir)
    return left


def _processes_of(uid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    pids.append(int(entry))
            except FileNotFoundError:
                pass
    return pids


def _remove_as(uid, path: str) -> None:
    """Remove the session's folder and the System V shared memory, message queues and semaphores it
    created, as the session's user (the supervisor cannot read the folder, and only an object's
    creator may remove it). Shared memory outlives its processes and is charged to the sandbox's
    memory limit: left behind, a few sessions' worth would starve every later one."""
    import shutil

    if uid is None:
        shutil.rmtree(path, ignore_errors=True)
        return
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            shutil.rmtree(path, ignore_errors=True)
            _remove_ipc_objects(uid)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def _remove_ipc_objects(uid: int) -> None:
    """IPC_RMID on every System V object of this IPC namespace whose creator is `uid`."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    IPC_RMID = 0
    remove = {"shm": lambda ident: libc.shmctl(ident, IPC_RMID, None),
              "msg": lambda ident: libc.msgctl(ident, IPC_RMID, None),
              "sem": lambda ident: libc.semctl(ident, 0, IPC_RMID)}
    for kind, rmid in remove.items():
        try:
            with open(f"/proc/sysvipc/{kind}") as table:
                header, *rows = [line.split() for line in table]
        except OSError:
            continue
        ident, creator = header.index({"shm": "shmid", "msg": "msqid", "sem": "semid"}[kind]), header.index("cuid")
        for row in rows:
            if len(row) == len(header) and int(row[creator]) == uid:
                rmid(int(row[ident]))


# ----------------------------------------------------------------------------------------- session

def _session(sock: socket.socket, settings: dict) -> None:
    """The forked child: become the session's own user, with limits, in a folder of its own."""
    try:
        os.setsid()
        quiet = os.open("/dev/null", os.O_WRONLY)
        os.dup2(quiet, 1)  # what the notebook writes to the raw descriptors goes nowhere
        os.dup2(quiet, 2)
        uid, gid = settings.get("uid"), settings.get("gid")
        _become(uid, gid, settings.get("limits", {}))
        workdir = settings["workdir"]
        os.makedirs(workdir, mode=0o700)
        os.chdir(workdir)
        for name in ["home", "tmp", "mpl", "ipython"]:
            os.makedirs(os.path.join(workdir, "." + name))
        os.environ.update({"HOME": f"{workdir}/.home", "TMPDIR": f"{workdir}/.tmp", "MPLCONFIGDIR": f"{workdir}/.mpl",
                           "IPYTHONDIR": f"{workdir}/.ipython", **settings.get("env", {})})
        session = Session(sock, settings)
    except BaseException as error:  # tell the grader why, instead of vanishing
        wire.send(sock, {"error": _error(error), "stdout": "", "stderr": "", "seconds": 0.0})
        raise
    session.serve()


def _become(uid, gid, limits: dict) -> None:
    """Limits first (they bind the new user's processes), then the user: no capability survives."""
    for name, value in [("RLIMIT_NPROC", limits.get("processes") if uid is not None else None),
                        ("RLIMIT_FSIZE", limits.get("file_bytes")), ("RLIMIT_CPU", limits.get("cpu_seconds")),
                        ("RLIMIT_CORE", 0)]:
        if value is not None:
            resource.setrlimit(getattr(resource, name), (value, value))
    if uid is not None:
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
    try:
        with open("/proc/self/oom_score_adj", "w") as adjust:
            adjust.write("1000")  # if memory runs out, this process goes first
    except OSError:
        pass


class CappedStream(io.TextIOBase):
    """Collects what the notebook prints, up to what is left of the session's budget."""

    def __init__(self, budget: list[int]):
        self.budget, self.parts, self.cut = budget, [], False

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        if len(text) > self.budget[0]:
            text, self.cut = text[:self.budget[0]], True
        self.budget[0] -= len(text)
        self.parts.append(text)
        return len(text)

    def text(self) -> str:
        return "".join(self.parts) + ("\n[output cut here: the notebook printed too much]\n" if self.cut else "")


class Session:
    """One submission: its shell, its objects, and the grader's requests about them."""

    def __init__(self, sock: socket.socket, settings: dict):
        from IPython.core.interactiveshell import InteractiveShell
        from traitlets.config import Config

        config = Config()
        config.HistoryManager.enabled = False
        config.InteractiveShell.colors = "nocolor"
        config.InteractiveShell.cache_size = 0
        self.sock, self.handles, self.next_handle = sock, {}, 1
        self.budget = [OUTPUT_LIMIT]
        self.shell = InteractiveShell(config=config)
        self.shell._showtraceback = lambda *args, **kwargs: None  # errors are reported in the reply
        self.shell.showsyntaxerror = lambda *args, **kwargs: None
        self._withhold(settings.get("withhold", []))
        self.watched, self.protected = self._watch(), {}

    # -- the loop
    def serve(self) -> None:
        """Requests one at a time. SIGINT, the grader's way to stop a request that runs too long,
        is blocked between requests, and one that arrived late is dropped before the next."""
        interrupt = {signal.SIGINT}
        while True:
            signal.pthread_sigmask(signal.SIG_BLOCK, interrupt)
            try:
                request, buffers = wire.receive(self.sock)
            except (wire.WireError, OSError):
                return
            while signal.sigtimedwait(interrupt, 0) is not None:
                pass
            op = request.get("op")
            if op == "bye":
                return
            handler = getattr(self, f"op_{op}", None)
            stdout, stderr = CappedStream(self.budget), CappedStream(self.budget)
            saved = sys.stdout, sys.stderr
            sys.stdout, sys.stderr = stdout, stderr
            start = time.perf_counter()
            signal.pthread_sigmask(signal.SIG_UNBLOCK, interrupt)
            try:
                reply = handler(request, buffers) if handler else {"error": _error(ValueError(f"unknown op {op!r}"))}
            except BaseException as error:  # noqa: B902: a KeyboardInterrupt from a timeout, an exit, anything
                reply = {"error": _error(error)}
            finally:
                signal.pthread_sigmask(signal.SIG_BLOCK, interrupt)
                sys.stdout, sys.stderr = saved
            reply.update(stdout=stdout.text(), stderr=stderr.text(), seconds=time.perf_counter() - start)
            self._send(reply)

    def _send(self, reply: dict) -> None:
        buffers = reply.pop("_buffers", [])
        try:
            wire.send(self.sock, reply, buffers)
        except (ValueError, TypeError) as error:  # not JSON: a value escaped the encoder
            wire.send(self.sock, {"error": _error(error), "stdout": "", "stderr": "", "seconds": 0.0})

    # -- cells
    def op_run(self, request, buffers) -> dict:
        result = self.shell.run_cell(request["source"], store_history=False, silent=False)
        error = result.error_before_exec or result.error_in_exec
        reply = {"error": _error(error)} if error is not None else {}
        try:
            changed = self._tampered()
        except Exception:  # the notebook broke what the watch reads: that is tampering too
            changed = ["what the grader watches"]
        if changed:
            reply["tampered"] = changed
        return reply

    def op_lookup(self, request, buffers) -> dict:
        namespace = self.shell.user_ns
        found = {name: namespace[name] for name in request["names"] if isinstance(name, str) and name in namespace}
        return self._encode({"values": found}, "values")

    # -- objects
    def op_call(self, request, buffers) -> dict:
        target = self._target(request)
        args, kwargs = self._unpickle(buffers)
        return self._call(target, args, kwargs, request.get("no_grad"))

    def op_beside(self, request, buffers) -> dict:
        module = request["module"]
        if not module.startswith("seqcourse."):
            raise PermissionError(f"{module} is not a learner module")
        function = getattr(importlib.import_module(module), request["name"])
        if not getattr(function, "beside_student", False):
            raise PermissionError(f"{module}.{request['name']} is not a helper that runs beside the student's code")
        args, kwargs = self._unpickle(buffers)
        return self._call(function, args, kwargs, request.get("no_grad"))

    def op_getattr(self, request, buffers) -> dict:
        return self._encode({"value": getattr(self._target(request), request["name"])}, "value")

    def op_setattr(self, request, buffers) -> dict:
        (value,), _ = self._unpickle(buffers)
        setattr(self._target(request), request["name"], value)
        return {}

    def op_getitem(self, request, buffers) -> dict:
        (key,), _ = self._unpickle(buffers)
        return self._encode({"value": self._target(request)[key]}, "value")

    def op_setitem(self, request, buffers) -> dict:
        (key, value), _ = self._unpickle(buffers)
        self._target(request)[key] = value
        return {}

    def op_iter(self, request, buffers) -> dict:
        return self._encode({"value": iter(self._target(request))}, "value")

    def op_next(self, request, buffers) -> dict:
        return self._encode({"value": next(self._target(request))}, "value")

    def op_len(self, request, buffers) -> dict:
        return {"value": int(len(self._target(request)))}

    def op_bool(self, request, buffers) -> dict:
        return {"value": bool(self._target(request))}

    def op_repr(self, request, buffers) -> dict:
        text = repr(self._target(request)) if request.get("kind") != "str" else str(self._target(request))
        return {"value": text[:10_000]}

    def op_contains(self, request, buffers) -> dict:
        (item,), _ = self._unpickle(buffers)
        return {"value": bool(item in self._target(request))}

    def op_signature(self, request, buffers) -> dict:
        parameters = inspect.signature(self._target(request)).parameters.values()
        return self._encode({"value": [[p.name, int(p.kind), p.default is inspect.Parameter.empty]
                                       for p in parameters]}, "value")

    def op_release(self, request, buffers) -> dict:
        for handle in request.get("handles", []):
            self.handles.pop(handle, None)
        return {}

    # -- helpers
    def _target(self, request):
        handle = request.get("target")
        if handle not in self.handles:
            raise LookupError(f"no object with handle {handle!r}")
        return self.handles[handle]

    def _unpickle(self, buffers) -> tuple:
        import pickle

        class Unpickler(pickle.Unpickler):
            def persistent_load(inner, handle):  # noqa: N805: the grader refers to an object of ours
                return self.handles[handle]

        return Unpickler(io.BytesIO(buffers[0])).load()

    def _call(self, function, args, kwargs, no_grad=False) -> dict:
        import contextlib

        before = _snapshot(args, kwargs)
        torch = sys.modules.get("torch")
        with torch.no_grad() if no_grad and torch is not None else contextlib.nullcontext():
            result = function(*args, **kwargs)
        reply = self._encode({"value": result}, "value", views=_view_finder(args, kwargs))
        writeback = _writeback(before, self)
        if writeback:
            encoder = wire.Encoder(self._handle)
            encoder.buffers = reply.setdefault("_buffers", [])
            reply["writeback"] = [{**entry, "value": encoder.encode(entry["value"])} for entry in writeback]
        return reply

    def _encode(self, reply: dict, key: str, views=None) -> dict:
        encoder = wire.Encoder(self._handle, views)
        reply[key] = {name: encoder.encode(value) for name, value in reply[key].items()} if key == "values" \
            else encoder.encode(reply[key])
        reply["_buffers"] = encoder.buffers
        return reply

    def _handle(self, value) -> dict:
        handle = self.next_handle
        self.next_handle += 1
        self.handles[handle] = value
        kind = type(value)
        mro = [[getattr(c, "__module__", "") or "", getattr(c, "__qualname__", c.__name__)] for c in kind.__mro__]
        return {"$handle": {"id": handle, "type": kind.__name__, "mro": mro[:20],
                            "callable": callable(value), "name": str(getattr(value, "__name__", ""))[:200]
                            if isinstance(getattr(value, "__name__", None), str) else ""}}

    def _withhold(self, names: list) -> None:
        """Replace the learner package's own implementations of what this chapter asks the student
        to write, so that handing them back does not work."""
        for module_name, name in names:
            module = importlib.import_module(module_name)

            def withheld(*args, _name=f"{module_name}.{name}", **kwargs):
                raise RuntimeError(f"{_name} is what this chapter asks you to write, so the course package's copy "
                                   "is not available while your notebook is graded: write your own")

            withheld.__name__ = name
            setattr(module, name, withheld)

    def _watch(self) -> dict:
        """What a notebook has no business changing: the checks, numpy's comparisons, builtins,
        IPython's input transformers and exception handling."""
        import numpy

        watched = {"IPython input transformers": lambda: (tuple(self.shell.input_transformers_cleanup),
                                                          tuple(self.shell.input_transformers_post),
                                                          tuple(self.shell.ast_transformers)),
                   "IPython's exception handler": lambda: self.shell.CustomTB,
                   "sys.excepthook": lambda: sys.excepthook,
                   **{f"builtins.{name}": (lambda n=name: vars(builtins).get(n)) for name in vars(builtins)
                      if not name.startswith("_") and name not in ("exit", "quit", "get_ipython", "display")}}
        checks = sys.modules.get("seqcourse.checks")
        if checks is not None:
            for name, value in vars(checks).items():
                if callable(value) and not name.startswith("_"):
                    watched[f"seqcourse.checks.{name}"] = (lambda n=name: getattr(checks, n, None))
                    code = getattr(value, "__code__", None)
                    if code is not None:
                        watched[f"the code of seqcourse.checks.{name}"] = (lambda n=name: getattr(getattr(checks, n, None), "__code__", None))
        for name in ["allclose", "isclose", "array_equal", "testing"]:
            watched[f"numpy.{name}"] = (lambda n=name: getattr(numpy, n, None))
        return {name: (read, read()) for name, read in watched.items()}

    def _rebound(self) -> list[str]:
        """Names of the notebook that held the course's checks or a module (np, torch) and now hold
        something else: the first value each such name had is the one it should keep."""
        changed = []
        for name, value in list(self.shell.user_ns.items()):
            if name.startswith("_"):
                continue
            original = self.protected.get(name)
            if original is None:
                if isinstance(value, types.ModuleType) or getattr(value, "__module__", "") == "seqcourse.checks":
                    self.protected[name] = value
            elif value is not original:
                changed.append(f"the notebook's name `{name}`")
                self.protected[name] = value  # report each change once
        return changed

    def _tampered(self) -> list[str]:
        changed = self._rebound()
        for name, (read, original) in self.watched.items():
            try:
                if read() is not original and read() != original:
                    changed.append(name)
            except Exception:
                changed.append(name)
        for name in changed:
            if name in self.watched:
                read = self.watched[name][0]
                try:
                    self.watched[name] = (read, read())  # report each change once
                except Exception:
                    pass
        return changed


# ------------------------------------------------------------------- arguments changed by a call

def _arguments(args: tuple, kwargs: dict):
    """(path, value) of the arguments, one level into lists and tuples."""
    for where, value in [*((("args", i), a) for i, a in enumerate(args)), *((("kwargs", k), v) for k, v in kwargs.items())]:
        yield list(where), value
        if type(value) in (list, tuple):
            for j, item in enumerate(value):
                yield [*where, j], item


def _snapshot(args, kwargs) -> list:
    import numpy

    torch = sys.modules.get("torch")
    before = []
    for path, value in _arguments(args, kwargs):
        if isinstance(value, numpy.ndarray):
            before.append((path, value, value.copy()))
        elif torch is not None and isinstance(value, torch.Tensor):
            before.append((path, value, value.detach().clone()))
        elif isinstance(value, numpy.random.Generator):
            before.append((path, value, repr(value.bit_generator.state)))
        elif hasattr(value, "__dict__") and not isinstance(value, type) and not callable(value) or \
                (torch is not None and isinstance(value, torch.nn.Module)):
            before.append((path, value, None))
    return before


def _writeback(before: list, session: Session) -> list[dict]:
    """What the call changed in the objects it was given, as data the grader copies back."""
    import numpy

    torch = sys.modules.get("torch")
    changes = []
    for path, value, copy in before:
        if isinstance(value, numpy.ndarray):
            if value.shape == copy.shape and not numpy.array_equal(value, copy, equal_nan=value.dtype.kind in "fc"):
                changes.append({"path": path, "kind": "array", "value": value})
        elif torch is not None and isinstance(value, torch.Tensor):
            now = value.detach()
            if now.shape == copy.shape and not bool(((now == copy) | (now.isnan() & copy.isnan())).all()):
                changes.append({"path": path, "kind": "array", "value": now})
        elif isinstance(value, numpy.random.Generator):
            if repr(value.bit_generator.state) != copy:
                changes.append({"path": path, "kind": "generator", "value": value.bit_generator.state})
        else:
            if torch is not None and isinstance(value, torch.nn.Module):
                changes.append({"path": path, "kind": "module", "value": {
                    "state": {k: v.detach() for k, v in value.state_dict().items()},
                    "grads": {k: None if p.grad is None else p.grad.detach() for k, p in value.named_parameters()}}})
            elif torch is not None and isinstance(value, torch.optim.Optimizer):
                changes.append({"path": path, "kind": "optimizer", "value": value.state_dict()})
            attributes = {k: v for k, v in vars(value).items() if not k.startswith("_") and _is_data(v)}
            if attributes:
                changes.append({"path": path, "kind": "attributes", "value": attributes})
    return changes


def _is_data(value, depth: int = 0) -> bool:
    """Plain data that holds no parameter of a module (those are references, not results)."""
    import numpy

    torch = sys.modules.get("torch")
    if depth > 8:
        return False
    if value is None or type(value) in (bool, int, float, str, complex):
        return True
    if isinstance(value, numpy.ndarray) or isinstance(value, numpy.generic):
        return True
    if torch is not None and isinstance(value, torch.Tensor):
        return not isinstance(value, torch.nn.Parameter)
    if type(value) in (list, tuple):
        return all(_is_data(v, depth + 1) for v in value)
    if type(value) is dict:
        return all(type(k) in (str, int) and _is_data(v, depth + 1) for k, v in value.items())
    return False


def _view_finder(args, kwargs):
    """For a returned array that shares memory with an array argument: where it lies in it."""
    import numpy

    bases = [(path, value) for path, value in _arguments(args, kwargs)
             if isinstance(value, numpy.ndarray) and value.flags.c_contiguous]

    def find(result):
        for path, base in bases:
            if numpy.shares_memory(result, base):
                offset = result.__array_interface__["data"][0] - base.__array_interface__["data"][0]
                return {"of": path, "offset": int(offset), "strides": list(result.strides)}
        return None

    return find


def _error(error: BaseException) -> dict:
    lines = traceback.format_exception(type(error), error, error.__traceback__)
    text = "".join(lines[-TRACEBACK_LINES:])
    return {"ename": type(error).__name__, "module": type(error).__module__, "evalue": str(error)[:4000],
            "traceback": text[-20_000:]}


if __name__ == "__main__":
    supervise(socket.socket(fileno=int(sys.argv[1])))
