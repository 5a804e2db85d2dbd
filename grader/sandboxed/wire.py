"""The wire between the grader and the sandboxed runner: framed messages over a Unix socket.

A message is a JSON header and a list of binary buffers:

    [4 bytes: header length][header: UTF-8 JSON][4 bytes: buffer count]([8 bytes: length][bytes])*

Values travel in two directions with two rules:

- grader -> runner: arguments are pickled (cloudpickle), because the runner may be harmed by what
  it unpickles, but the grader wrote it;
- runner -> grader: never pickle. `encode` turns plain data (None, bools, numbers, strings, bytes,
  numpy arrays and scalars, torch tensors, dtypes, and lists/tuples/dicts of those) into JSON and
  raw buffers; anything else becomes a handle, an id the grader can name in later requests.
  `decode` (in the grader) accepts only those forms and checks every size, so a hostile runner can
  send nothing but data.

This module is imported by both sides; it must not import anything from the grader.
"""
import json
import math
import socket
import struct
import time
import time

MAX_HEADER = 64 * 2**20     # bytes of JSON in one message
MAX_PAYLOAD = 512 * 2**20   # bytes of buffers in one message
MAX_DEPTH = 32              # nesting of lists, tuples and dicts
MAX_ITEMS = 1_000_000       # values in one message
ARRAY_KINDS = set("biufc")  # numpy dtype kinds that travel as data


class WireError(Exception):
    """A message broke the protocol: malformed, too large, or the peer went away."""


def send(sock: socket.socket, header: dict, buffers: list[bytes] = ()) -> None:
    data = json.dumps(header, allow_nan=False, separators=(",", ":")).encode("utf-8")
    parts = [struct.pack(">I", len(data)), data, struct.pack(">I", len(buffers))]
    for buffer in buffers:
        parts += [struct.pack(">Q", len(buffer)), buffer]
    if sum(map(len, parts)) < 2**20:
        sock.sendall(b"".join(parts))
    else:  # large arrays: no copy of them into one bytes object
        for part in parts:
            sock.sendall(part)


def _receive_exactly(sock: socket.socket, size: int, deadline: float | None) -> bytes:
    chunks, remaining = [], size
    while remaining:
        if deadline is not None:  # the whole message, not each piece of it, must arrive in time
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("the message did not arrive in time")
            sock.settimeout(left)
        chunk = sock.recv(min(remaining, 4 * 2**20))
        if not chunk:
            raise WireError("the other side closed the channel")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def receive(sock: socket.socket, timeout: float | None = None) -> tuple[dict, list[bytes]]:
    """One message; with a timeout, the whole of it must arrive within that many seconds (else
    socket.timeout), however slowly the other side trickles it."""
    deadline = None if timeout is None else time.monotonic() + max(timeout, 0.01)
    (length,) = struct.unpack(">I", _receive_exactly(sock, 4, deadline))
    if length > MAX_HEADER:
        raise WireError(f"a message header of {length} bytes is over the limit")
    try:
        header = json.loads(_receive_exactly(sock, length, deadline).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:  # ValueError: bad JSON, huge numbers
        raise WireError(f"a message header is not JSON the wire accepts: {str(error)[:200]}") from None
    if not isinstance(header, dict):
        raise WireError("a message header is not an object")
    (count,) = struct.unpack(">I", _receive_exactly(sock, 4, deadline))
    buffers, total = [], 0
    for _ in range(count):
        (size,) = struct.unpack(">Q", _receive_exactly(sock, 8, deadline))
        total += size
        if total > MAX_PAYLOAD:
            raise WireError("a message's buffers are over the size limit")
        buffers.append(_receive_exactly(sock, size, deadline))
    return header, buffers


# ------------------------------------------------------------------------------------------ encode

class Encoder:
    """Turn a value into JSON and buffers; `handle(value)` names what is not data (runner side)."""

    def __init__(self, handle, views=None):
        self.handle, self.buffers, self.items = handle, [], 0
        self.views = views or (lambda array: None)  # (array) -> view description of an argument, or None

    def encode(self, value, depth: int = 0):
        self.items += 1
        if depth > MAX_DEPTH or self.items > MAX_ITEMS:
            raise WireError("the value is nested too deeply or has too many items to send back")
        if value is None or isinstance(value, bool):
            return value
        kind = type(value)
        if kind is int:
            return value if abs(value) < 2**63 else {"$bigint": str(value)}
        if kind is float:
            return value if math.isfinite(value) else {"$float": repr(value)}
        if kind is str:
            return value
        if kind is complex:
            return {"$complex": [self.encode(value.real, depth + 1), self.encode(value.imag, depth + 1)]}
        if kind in (bytes, bytearray):
            return {"$bytes": self._buffer(bytes(value))}
        if kind in (list, tuple):
            return {"$list" if kind is list else "$tuple": [self.encode(v, depth + 1) for v in value]}
        if kind is dict:
            return {"$dict": [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in value.items()]}
        if kind is slice:
            return {"$slice": [self.encode(v, depth + 1) for v in (value.start, value.stop, value.step)]}
        if value is Ellipsis:
            return {"$ellipsis": True}
        numpy = _module("numpy")
        if numpy is not None:
            if kind is numpy.ndarray and value.dtype.kind in ARRAY_KINDS:
                view = self.views(value)
                if view is not None:
                    return {"$view": {**view, "dtype": value.dtype.str, "shape": list(value.shape),
                                      "writeable": bool(value.flags.writeable)}}
                return {"$array": self._array(value)}
            if isinstance(value, numpy.generic) and value.dtype.kind in ARRAY_KINDS:
                return {"$scalar": {"dtype": value.dtype.str, "buffer": self._buffer(value.tobytes())}}
            if kind.__module__ == "numpy" and isinstance(value, numpy.dtype):
                if value.kind in ARRAY_KINDS:
                    return {"$dtype": value.str}
            if kind is type and value in _numpy_scalar_types(numpy):
                return {"$dtype_type": numpy.dtype(value).str}
        torch = _module("torch")
        if torch is not None:
            if isinstance(value, torch.Tensor) and not value.is_complex() and value.layout == torch.strided:
                array = value.detach().cpu()
                if array.dtype == torch.bfloat16:
                    array = array.float()
                return {"$tensor": {**self._array(array.numpy()), "requires_grad": bool(value.requires_grad)}}
            if kind is torch.dtype:
                return {"$torch_dtype": str(value).removeprefix("torch.")}
        return self.handle(value)

    def _array(self, array) -> dict:
        contiguous = array if array.flags.c_contiguous else array.copy(order="C")
        return {"dtype": contiguous.dtype.str, "shape": list(contiguous.shape),
                "buffer": self._buffer(contiguous.tobytes())}

    def _buffer(self, data: bytes) -> int:
        self.buffers.append(data)
        return len(self.buffers) - 1


def _module(name):
    import sys

    return sys.modules.get(name)


def _numpy_scalar_types(numpy) -> set:
    return {numpy.float16, numpy.float32, numpy.float64, numpy.int8, numpy.int16, numpy.int32, numpy.int64,
            numpy.uint8, numpy.uint16, numpy.uint32, numpy.uint64, numpy.bool_, numpy.complex64, numpy.complex128}


# ------------------------------------------------------------------------------------------ decode

def _safe_key(key, depth: int = 0) -> bool:
    """Keys whose hashes a sender cannot make collide (which would make decoding quadratic): strings
    (hashed with the grader's random seed), integers of at most 64 bits, None and booleans, and
    tuples of those."""
    if key is None or type(key) in (bool, str):
        return True
    if type(key) is int:
        return -2**63 <= key < 2**63
    return type(key) is tuple and depth < 4 and all(_safe_key(part, depth + 1) for part in key)


class Decoder:
    """Turn JSON and buffers back into values, accepting nothing but the forms `Encoder` writes
    (grader side). `handle(description)` makes the stand-in for a handle; `view(description,
    dtype, shape, strides_or_none)` resolves an array that shares memory with an argument."""

    def __init__(self, buffers: list[bytes], handle, view=None):
        self.buffers, self.handle, self.view, self.items = buffers, handle, view, 0

    def decode(self, value, depth: int = 0):
        self.items += 1
        if depth > MAX_DEPTH or self.items > MAX_ITEMS:
            raise WireError("a value is nested too deeply or has too many items")
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, list) or not isinstance(value, dict) or len(value) != 1:
            raise WireError("a value is not in the wire's format")
        (tag, body), = value.items()
        if tag == "$list":
            return [self.decode(v, depth + 1) for v in self._list(body)]
        if tag == "$tuple":
            return tuple(self.decode(v, depth + 1) for v in self._list(body))
        if tag == "$dict":
            pairs = [self._list(pair) for pair in self._list(body)]
            if any(len(pair) != 2 for pair in pairs):
                raise WireError("a dict entry is not a pair")
            result = {}
            for key, item in pairs:
                key = self.decode(key, depth + 1)
                if not _safe_key(key):
                    raise WireError("a dict key is not a string, a 64-bit integer or a tuple of those")
                result[key] = self.decode(item, depth + 1)
            return result
        if tag == "$bigint":
            return int(self._str(body, 400))
        if tag == "$float":
            return float({"nan": "nan", "inf": "inf", "-inf": "-inf"}[self._str(body, 8)])
        if tag == "$complex":
            real, imag = (self.decode(v, depth + 1) for v in self._list(body, 2))
            return complex(real, imag)
        if tag == "$bytes":
            return self._buffer(body)
        if tag == "$slice":
            return slice(*(self.decode(v, depth + 1) for v in self._list(body, 3)))
        if tag == "$ellipsis":
            return Ellipsis
        if tag == "$array":
            return self._array(body)
        if tag == "$view":
            dtype, shape = self._dtype(body.get("dtype")), self._shape(body.get("shape"))
            array = self.view(body, dtype, shape) if self.view else None
            if array is None:
                raise WireError("a view of an argument could not be resolved")
            return array
        if tag == "$scalar":
            import numpy

            dtype = self._dtype(self._dict(body).get("dtype"))
            data = self._buffer(body.get("buffer"))
            if len(data) != dtype.itemsize:
                raise WireError("a scalar has the wrong size")
            return numpy.frombuffer(data, dtype=dtype)[0]
        if tag == "$dtype":
            return self._dtype(body)
        if tag == "$dtype_type":
            return self._dtype(body).type
        if tag == "$tensor":
            import torch

            tensor = torch.from_numpy(self._array(body).copy())
            wants_grad = body.get("requires_grad") is True and tensor.is_floating_point() and torch.is_grad_enabled()
            return tensor.requires_grad_(True) if wants_grad else tensor
        if tag == "$torch_dtype":
            import torch

            name = self._str(body, 32)
            dtype = getattr(torch, name, None)
            if not isinstance(dtype, torch.dtype):
                raise WireError(f"{name!r} is not a torch dtype")
            return dtype
        if tag == "$handle":
            return self.handle(self._dict(body))
        raise WireError(f"unknown tag {tag!r}")

    def _array(self, body):
        import numpy

        body = self._dict(body)
        dtype, shape = self._dtype(body.get("dtype")), self._shape(body.get("shape"))
        data = self._buffer(body.get("buffer"))
        if len(data) != math.prod(shape) * dtype.itemsize:
            raise WireError("an array's data does not match its shape")
        return numpy.frombuffer(data, dtype=dtype).reshape(shape).copy()

    def _dtype(self, text):
        import numpy

        try:
            dtype = numpy.dtype(self._str(text, 16))
        except TypeError:
            raise WireError(f"{text!r} is not a numpy dtype") from None
        if dtype.kind not in ARRAY_KINDS or dtype.fields is not None or dtype.subdtype is not None:
            raise WireError(f"dtype {dtype} does not travel as data")
        return dtype

    @staticmethod
    def _shape(shape) -> tuple:
        if not isinstance(shape, list) or len(shape) > 32 or not all(type(n) is int and 0 <= n < 2**40 for n in shape):
            raise WireError("an array's shape is not a list of sizes")
        return tuple(shape)

    def _buffer(self, index) -> bytes:
        if type(index) is not int or not 0 <= index < len(self.buffers):
            raise WireError("a value names a buffer that was not sent")
        return self.buffers[index]

    @staticmethod
    def _list(value, length=None) -> list:
        if not isinstance(value, list) or (length is not None and len(value) != length):
            raise WireError("a value is not in the wire's format")
        return value

    @staticmethod
    def _dict(value) -> dict:
        if not isinstance(value, dict):
            raise WireError("a value is not in the wire's format")
        return value

    @staticmethod
    def _str(value, limit: int) -> str:
        if not isinstance(value, str) or len(value) > limit:
            raise WireError("a value is not in the wire's format")
        return value
