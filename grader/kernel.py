"""A submission's process, seen from the grader: requests, replies, and stand-ins for its objects.

`Kernel` talks to one session of the sandboxed runner (grader/sandboxed/runner.py): it runs a
cell, looks names up, calls functions, reads attributes. Arguments go in pickled (the runner may
be harmed by what it unpickles; the grader is not); replies come back through `wire.Decoder`,
which accepts only data. An object that is not data comes back as a `RemoteObject`: reading an
attribute, calling it, indexing and iterating it are requests to the session, and `isinstance`
sees the class it has there, so test cells read the same as in a notebook.

A request that runs too long is interrupted (SIGINT, sent by the sandbox's supervisor); if the
session does not answer after that, or dies, `Kernel` raises `SessionLost` and the grader starts
a fresh session and replays the notebook (grader/evaluate.py).
"""
import inspect
import io
import socket
import sys
import time
import types

import cloudpickle

from grader.sandboxed import wire

SECRET_CODE = ("<hidden tests", "<reference ")  # filenames of code that must never enter the sandbox
SAFE_MODULES = ("torch", "numpy", "builtins", "collections", "functools", "itertools", "types", "abc",
                "seqcourse", "numbers", "typing", "enum")
INTERRUPT_GRACE_SECONDS = 5.0
PLAIN = {int, float, str, bytes, bool, type(None), tuple, list, dict, complex}  # nothing to check or refer to


class SessionLost(Exception):
    """The session died, or did not answer even after an interrupt."""


class Timeout(Exception):
    """A request ran longer than it may."""


class RemoteError(Exception):
    """An exception raised in the submission's process, re-raised in the grader with its type's name."""


_REMOTE_ERROR_TYPES: dict[str, type] = {}


def remote_exception(error: dict) -> BaseException:
    """The grader-side exception for an error the session reported: a built-in exception type of
    the same name where there is one, so that test cells catch what they would catch in a notebook."""
    name = str(error.get("ename", "Exception"))[:100]
    message = str(error.get("evalue", ""))
    builtin = getattr(__import__("builtins"), name, None)
    if name == "CheckFailed" and error.get("module") == "seqcourse.checks":  # a learner helper's verdict, in words
        from seqcourse.checks import CheckFailed

        exception = CheckFailed(message)
    elif isinstance(builtin, type) and issubclass(builtin, Exception) and error.get("module") == "builtins":
        try:
            exception = builtin(message)
        except Exception:
            exception = RemoteError(message)
    else:
        if not name.isidentifier():
            name = "RemoteError"
        kind = _REMOTE_ERROR_TYPES.setdefault(name, type(name, (RemoteError,), {"__module__": "notebook"}))
        exception = kind(message)
    exception.remote_traceback = str(error.get("traceback", ""))
    return exception


class Pickler(cloudpickle.Pickler):
    """Pickles arguments for the session: a stand-in becomes a reference to the session's object,
    and code from hidden tests or the reference is refused."""

    def __init__(self, file, kernel):
        super().__init__(file, protocol=5)
        self.kernel = kernel

    def persistent_id(self, obj):
        if type(obj) in PLAIN:
            return None
        if type(obj) is RemoteObject:
            if object.__getattribute__(obj, "_kernel") is not self.kernel:
                raise ValueError("an object of another session cannot be passed to this one")
            return object.__getattribute__(obj, "_handle")
        _refuse_secrets(obj)
        return None


def _refuse_secrets(obj) -> None:
    codes = []
    if isinstance(obj, types.FunctionType):
        codes = [obj.__code__]
    elif isinstance(obj, types.CodeType):
        codes = [obj]
    elif isinstance(obj, type):
        codes = [v.__code__ for v in vars(obj).values() if isinstance(v, types.FunctionType)]
    for code in codes:
        if code.co_filename.startswith(SECRET_CODE):
            raise ValueError(f"{getattr(obj, '__name__', obj)!r} is defined in a hidden test or the reference: "
                             "it may not be passed to the student's code (pass data, or an importable class)")


class Kernel:
    """One session in the sandbox. `deadline` (a time.monotonic() value) bounds every request."""

    def __init__(self, sandbox, settings: dict):
        self.sandbox, self.settings = sandbox, settings
        self.sock, self.session = sandbox.open_session(settings)
        self.released, self.deadline, self.requests, self.call_seconds = [], None, 0, 20.0
        self.classes: dict[tuple, type] = {}

    def close(self) -> int:
        """End the session: every process it started is killed. Returns how many were left over."""
        try:
            self.sock.close()
        finally:
            return self.sandbox.end_session(self.session)

    # -- requests
    def exchange(self, header: dict, payload=None, timeout: float | None = None, echo: bool = True) -> tuple[dict, list]:
        """Send one request, return (reply, buffers). Raises Timeout, SessionLost, or (unless the
        request is a cell) the exception the session reported."""
        timeout = self.call_seconds if timeout is None else timeout
        if self.released:
            handles, self.released = self.released, []
            self._send({"op": "release", "handles": handles}, [])
            self._receive(timeout)
        buffers = []
        if payload is not None:
            data = io.BytesIO()
            Pickler(data, self).dump(payload)
            buffers = [data.getvalue()]
        self.requests += 1
        self._send(header, buffers)
        reply, received = self._receive(timeout)
        if echo:
            _echo(reply)
            if reply.get("error"):
                raise remote_exception(reply["error"])
        return reply, received

    def request(self, header: dict, payload=None):
        """A request whose reply's value is decoded and returned (None if it has none)."""
        reply, buffers = self.exchange(header, payload)
        return self.decoder(buffers).decode(reply["value"]) if "value" in reply else None

    def _send(self, header: dict, buffers: list) -> None:
        try:
            wire.send(self.sock, header, buffers)
        except OSError as error:
            raise SessionLost(f"the notebook's process went away ({error})") from None

    def _receive(self, timeout: float) -> tuple[dict, list]:
        limit = timeout if self.deadline is None else max(0.0, min(timeout, self.deadline - time.monotonic()))
        try:
            return wire.receive(self.sock, timeout=limit)
        except socket.timeout:
            pass
        except (wire.WireError, OSError) as error:
            raise SessionLost(f"the notebook's process went away ({error})") from None
        self.sandbox.interrupt(self.session)
        try:
            wire.receive(self.sock, timeout=INTERRUPT_GRACE_SECONDS)  # the interrupted request's reply, discarded
        except (socket.timeout, wire.WireError, OSError):
            raise SessionLost(f"the notebook did not stop when interrupted after {limit:.0f} s") from None
        raise Timeout(f"it did not finish within {limit:.0f} s and was interrupted")

    def decoder(self, buffers, arguments=None) -> wire.Decoder:
        return wire.Decoder(buffers, self._stand_in, _view_resolver(arguments) if arguments else None)

    # -- operations
    def run(self, source: str, timeout: float) -> dict:
        """Run one cell; the reply holds stdout, stderr, error and what the cell tampered with."""
        return self.exchange({"op": "run", "source": source}, timeout=timeout, echo=False)[0]

    def lookup(self, names: list[str]) -> dict:
        """The notebook's values of those of `names` it defines."""
        reply, buffers = self.exchange({"op": "lookup", "names": names})
        values, decoder = reply.get("values", {}), self.decoder(buffers)
        if not isinstance(values, dict):
            raise wire.WireError("a lookup's reply is not a mapping")
        return {name: decoder.decode(value) for name, value in values.items() if name in names}

    def call(self, target, args: tuple, kwargs: dict, beside: tuple | None = None):
        """Call the session's object (a handle) or a learner helper beside it (`beside` = (module,
        name)); copy back into `args` and `kwargs` what the call changed in them."""
        header = {"op": "call", "target": target} if beside is None else \
            {"op": "beside", "module": beside[0], "name": beside[1]}
        torch = sys.modules.get("torch")
        header["no_grad"] = torch is not None and not torch.is_grad_enabled()  # a test's `with torch.no_grad()`
        reply, buffers = self.exchange(header, (args, kwargs))
        decoder = self.decoder(buffers, (args, kwargs))
        value = decoder.decode(reply["value"]) if "value" in reply else None
        changes = reply.get("writeback", [])
        for change in changes if isinstance(changes, list) else []:
            # A helper beside the student's code runs there with copies of the test's data, and the
            # session answers for it: of what it reports changed, only a generator's state (advanced
            # by the draws) comes back. Otherwise a session could rewrite the data a hidden test
            # uses after the call, for example the inputs from which it computes the expected value.
            if beside is None or (isinstance(change, dict) and change.get("kind") == "generator"):
                _apply_writeback(change, decoder, args, kwargs)
        return value

    def getattr(self, handle: int, name: str):
        return self.request({"op": "getattr", "target": handle, "name": name})

    def simple(self, op: str, handle: int, *payload, **extra):
        return self.request({"op": op, "target": handle, **extra}, payload if payload else None)

    # -- stand-ins
    def _stand_in(self, description: dict) -> "RemoteObject":
        if not isinstance(description.get("id"), int):
            raise wire.WireError("a handle without an id")
        return RemoteObject(self, description)

    def trusted_class(self, description: dict) -> type:
        """The class a stand-in claims: the session's class if the grader has it (torch.nn.RNN, say),
        else a class of the same name derived from the nearest one it has (nn.Module for a
        student's module)."""
        mro = description.get("mro")
        key = (str(description.get("type")), repr(mro))
        if key not in self.classes:
            found = [_known_class(entry) for entry in (mro if isinstance(mro, list) else [])]
            if found and found[0] is not None:
                kind = found[0]
            else:
                base = next((c for c in found if c is not None), object)
                name = str(description.get("type", ""))
                try:
                    kind = type(name if name.isidentifier() else "RemoteObject", (base,), {"__module__": "notebook"})
                except TypeError:  # a base that cannot be subclassed
                    kind = base
            self.classes[key] = kind
        return self.classes[key]


def _known_class(entry) -> type | None:
    if not (isinstance(entry, list) and len(entry) == 2 and all(isinstance(part, str) for part in entry)):
        return None
    module_name, qualname = entry
    if not module_name.startswith(SAFE_MODULES) or module_name not in sys.modules:
        return None
    value = sys.modules[module_name]
    for part in qualname.split("."):
        value = getattr(value, part, None)
    return value if isinstance(value, type) else None


def _echo(reply: dict) -> None:
    """What the student's code printed during a request appears in the test cell's output."""
    for stream, text in [(sys.stdout, reply.get("stdout")), (sys.stderr, reply.get("stderr"))]:
        if isinstance(text, str) and text:
            stream.write(text)


def _resolve(path, args, kwargs):
    """The argument a writeback names: an argument, or an item of an argument that is a list or a
    tuple (the only places the runner looks), nothing deeper."""
    if not isinstance(path, list) or len(path) not in (2, 3) or path[0] not in ("args", "kwargs"):
        raise wire.WireError("a path does not name an argument")
    if path[0] == "args" and type(path[1]) is int and 0 <= path[1] < len(args):
        value = args[path[1]]
    elif path[0] == "kwargs" and type(path[1]) is str and path[1] in kwargs:
        value = kwargs[path[1]]
    else:
        raise wire.WireError("a path does not name an argument")
    if len(path) == 3:
        if type(value) not in (list, tuple) or type(path[2]) is not int or not 0 <= path[2] < len(value):
            raise wire.WireError("a path does not name an item of a list or a tuple argument")
        value = value[path[2]]
    return value


def _plain(value, depth: int = 0) -> bool:
    """Data only: no stand-in for an object of the session, at any depth."""
    if depth > wire.MAX_DEPTH or isinstance(value, RemoteObject):
        return False
    if type(value) in (list, tuple):
        return all(_plain(item, depth + 1) for item in value)
    if type(value) is dict:
        return all(_plain(key, depth + 1) and _plain(item, depth + 1) for key, item in value.items())
    return True


def _view_resolver(arguments):
    import numpy

    args, kwargs = arguments

    def view(body, dtype, shape):
        try:
            base = _resolve(body.get("of"), args, kwargs)
        except (LookupError, TypeError, wire.WireError):
            return None
        strides, offset = body.get("strides"), body.get("offset")
        if not (isinstance(base, numpy.ndarray) and base.flags.c_contiguous and isinstance(strides, list)
                and len(strides) == len(shape) and all(type(s) is int for s in strides) and type(offset) is int):
            return None
        low = offset + sum((n - 1) * s for n, s in zip(shape, strides) if s < 0 and n)
        high = offset + sum((n - 1) * s for n, s in zip(shape, strides) if s > 0 and n) + dtype.itemsize
        if 0 in shape or low < 0 or high > base.nbytes:
            return None
        result = numpy.ndarray(shape, dtype=dtype, buffer=base, offset=offset, strides=tuple(strides))
        if not body.get("writeable", True):
            result.flags.writeable = False
        return result

    return view


def _apply_writeback(change: dict, decoder, args, kwargs) -> None:
    import numpy

    target = _resolve(change.get("path"), args, kwargs)
    kind, value = change.get("kind"), decoder.decode(change.get("value"))
    torch = sys.modules.get("torch")
    if kind == "array":
        if isinstance(target, numpy.ndarray) and isinstance(value, numpy.ndarray) and target.shape == value.shape:
            target[...] = value
        elif torch is not None and isinstance(target, torch.Tensor) and isinstance(value, torch.Tensor):
            with torch.no_grad():
                target.copy_(value.to(target.dtype))
    elif kind == "generator" and isinstance(target, numpy.random.Generator) and isinstance(value, dict):
        target.bit_generator.state = value
    elif kind == "module" and torch is not None and isinstance(target, torch.nn.Module) and isinstance(value, dict):
        with torch.no_grad():
            target.load_state_dict(value.get("state", {}), strict=False)
        for name, parameter in target.named_parameters():
            grad = value.get("grads", {}).get(name)
            parameter.grad = grad.to(parameter.dtype) if isinstance(grad, torch.Tensor) else None
    elif kind == "optimizer" and torch is not None and isinstance(target, torch.optim.Optimizer):
        target.load_state_dict(value)
    elif kind == "attributes" and isinstance(value, dict) and hasattr(target, "__dict__") and \
            not isinstance(target, numpy.ndarray) and not (torch is not None and isinstance(target, torch.Tensor)):
        for name, item in value.items():  # data attributes of the object's own, never its methods
            if isinstance(name, str) and not name.startswith("_") and not hasattr(type(target), name) and _plain(item):
                setattr(target, name, item)


class RemoteObject:
    """A stand-in for an object that lives in the submission's process."""

    __slots__ = ("_kernel", "_handle", "_description", "__weakref__")
    LOCAL = {"__name__": "name"}
    REMOTE_DUNDERS = {"__qualname__", "__doc__", "__module__"}

    def __init__(self, kernel: Kernel, description: dict):
        object.__setattr__(self, "_kernel", kernel)
        object.__setattr__(self, "_handle", description["id"])
        object.__setattr__(self, "_description", description)

    @property
    def __class__(self):
        return object.__getattribute__(self, "_kernel").trusted_class(object.__getattribute__(self, "_description"))

    @property
    def __signature__(self):
        kernel, handle = object.__getattribute__(self, "_kernel"), object.__getattribute__(self, "_handle")
        parameters = kernel.simple("signature", handle)
        return inspect.Signature([inspect.Parameter(name, kind, default=inspect.Parameter.empty if empty else None)
                                  for name, kind, empty in parameters])

    def __getattr__(self, name):
        description = object.__getattribute__(self, "_description")
        if name == "__name__" and description.get("name"):
            return description["name"]
        if name.startswith("__") and name.endswith("__") and name not in self.REMOTE_DUNDERS | {"__name__"}:
            raise AttributeError(name)
        return object.__getattribute__(self, "_kernel").getattr(object.__getattribute__(self, "_handle"), name)

    def __setattr__(self, name, value):
        kernel, handle = object.__getattribute__(self, "_kernel"), object.__getattribute__(self, "_handle")
        kernel.request({"op": "setattr", "target": handle, "name": name}, (value,))

    def __call__(self, *args, **kwargs):
        return object.__getattribute__(self, "_kernel").call(object.__getattribute__(self, "_handle"), args, kwargs)

    def __getitem__(self, key):
        return self._op("getitem", key)

    def __setitem__(self, key, value):
        kernel, handle = object.__getattribute__(self, "_kernel"), object.__getattribute__(self, "_handle")
        kernel.request({"op": "setitem", "target": handle}, (key, value))

    def __len__(self):
        return self._op("len")

    def __bool__(self):
        return self._op("bool")

    def __contains__(self, item):
        return self._op("contains", item)

    def __iter__(self):
        return _RemoteIterator(self._op("iter"))

    def __repr__(self):
        return self._op("repr")

    def __str__(self):
        return object.__getattribute__(self, "_kernel").simple("repr", object.__getattribute__(self, "_handle"), kind="str")

    def __del__(self):
        try:
            object.__getattribute__(self, "_kernel").released.append(object.__getattribute__(self, "_handle"))
        except Exception:
            pass

    @staticmethod
    def run_beside(stand_in, helper, args, kwargs):
        """A learner helper marked `beside_student`, called with a stand-in: run it in the session."""
        kernel = object.__getattribute__(stand_in, "_kernel")
        return kernel.call(None, args, kwargs, beside=(helper.__module__, helper.__name__))

    def _op(self, op, *payload):
        return object.__getattribute__(self, "_kernel").simple(op, object.__getattribute__(self, "_handle"), *payload)


class _RemoteIterator:
    def __init__(self, remote):
        self.remote = remote

    def __iter__(self):
        return self

    def __next__(self):
        return self.remote._op("next")
