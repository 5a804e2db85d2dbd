"""The wire between the sandbox and the grader (grader/sandboxed/wire.py): plain data goes through
unchanged, anything else becomes a handle, and the grader's decoder accepts nothing but the
wire's own forms, with every size checked, so a hostile runner can send only data."""
import socket

import numpy as np
import pytest
import torch

from grader.sandboxed.wire import Decoder, Encoder, WireError, receive, send


def roundtrip(value):
    handles = []
    encoder = Encoder(lambda v: handles.append(v) or {"$handle": {"id": len(handles)}})
    encoded = encoder.encode(value)
    return Decoder(encoder.buffers, lambda d: ("handle", d["id"])).decode(encoded), handles


@pytest.mark.parametrize("value", [None, True, 3, -2**70, 2.5, float("nan"), float("-inf"), "text", b"\x00bytes",
                                   [1, (2, 3)], {"a": [1.0], 2: "b"}, slice(1, 9, 2), 1 + 2j])
def test_plain_values_travel_unchanged(value):
    back, handles = roundtrip(value)
    assert not handles
    if isinstance(value, float) and value != value:
        assert back != back
    else:
        assert back == value and type(back) is type(value)


def test_arrays_scalars_tensors_and_dtypes_keep_their_type():
    array = np.arange(12, dtype=np.float32).reshape(3, 4).T  # not contiguous
    back, _ = roundtrip((array, np.int64(7), torch.ones(2, 3, dtype=torch.float64), np.float16, torch.int32))
    np.testing.assert_array_equal(back[0], array)
    assert back[0].dtype == np.float32 and back[0].flags.writeable
    assert type(back[1]) is np.int64 and back[1] == 7
    assert back[2].dtype == torch.float64 and back[2].shape == (2, 3)
    assert back[3] is np.float16 and back[4] is torch.int32


def test_other_objects_become_handles():
    module = torch.nn.Linear(2, 3)
    back, handles = roundtrip([module, print, object])
    assert handles == [module, print, object] and back == [("handle", 1), ("handle", 2), ("handle", 3)]


@pytest.mark.parametrize("forged", [
    {"$pickle": "gASVCAAAAAAAAACMAm9zlC4="},                                   # an unknown tag
    {"$array": {"dtype": "|O", "shape": [1], "buffer": 0}},                    # object arrays carry pickles
    {"$array": {"dtype": "<f8", "shape": [10], "buffer": 0}},                  # the data does not fit the shape
    {"$array": {"dtype": "<f8", "shape": [-1], "buffer": 0}},
    {"$array": {"dtype": "<f8", "shape": [1], "buffer": 5}},                   # a buffer never sent
    {"$scalar": {"dtype": "V8", "buffer": 0}},
    {"$dict": [[[1, 2], 3]]},                                                  # an unhashable key
    {"$torch_dtype": "nn"},
    {"$list": [1], "$tuple": [2]},
    ["a bare list"],
])
def test_forged_values_are_refused(forged):
    with pytest.raises(WireError):
        Decoder([b"\x00" * 8], lambda d: d).decode(forged)


def test_depth_and_size_are_bounded():
    deep = 0
    for _ in range(100):
        deep = {"$list": [deep]}
    with pytest.raises(WireError):
        Decoder([], lambda d: d).decode(deep)


def test_framed_messages_and_their_limits():
    left, right = socket.socketpair()
    send(left, {"op": "x"}, [b"abc", b""])
    assert receive(right) == ({"op": "x"}, [b"abc", b""])
    left.sendall((2**31).to_bytes(4, "big"))
    with pytest.raises(WireError, match="over the limit"):
        receive(right)


def test_a_trickled_message_times_out_as_a_whole():
    """A sender that announces a long message and sends one byte at a time never lets one recv wait
    long, so only a deadline for the whole message stops it."""
    import struct
    import threading
    import time

    ours, theirs = socket.socketpair()
    stop = threading.Event()

    def trickle():
        theirs.sendall(struct.pack(">I", 2**20))
        while not stop.is_set():
            theirs.send(b" ")
            time.sleep(0.05)

    threading.Thread(target=trickle, daemon=True).start()
    start = time.monotonic()
    with pytest.raises(socket.timeout):
        receive(ours, timeout=0.5)
    stop.set()
    assert time.monotonic() - start < 2


@pytest.mark.parametrize("key", [{"$bigint": str(2**64)}, 2.5, {"$tuple": [{"$bigint": str(2**70)}]}])
def test_dict_keys_whose_hashes_a_sender_could_make_collide_are_refused(key):
    with pytest.raises(WireError, match="dict key"):
        Decoder([], lambda d: None).decode({"$dict": [[key, 0]]})


def test_ordinary_dict_keys_are_accepted():
    value = {"$dict": [["a", 1], [7, 2], [{"$tuple": ["x", "y"]}, 3], [None, 4], [True, 5]]}
    assert Decoder([], lambda d: None).decode(value) == {"a": 1, 7: 2, ("x", "y"): 3, None: 4, True: 5}
