"""Reads a safetensors file with numpy alone (no safetensors package) and checks
its structure: header length, JSON, dtypes, shapes against byte ranges, and
that the ranges tile the data with no gap or overlap.

    python3 test/golden/read_safetensors.py FILE            # list the tensors and metadata
    python3 test/golden/read_safetensors.py FILE --fixed    # also check the fixed contents
                                                            # test/checkpoint.test.ts writes

test/golden/checkpoint_fixed.safetensors is such a file, written by deepfit and
checked with --fixed; the test compares every new write with it byte for byte.
"""
import json
import struct
import sys

import numpy as np

DTYPES = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8"), "I64": np.dtype("<i8")}


def read(path):
    with open(path, "rb") as f:
        raw = f.read()
    assert len(raw) >= 8, "shorter than the header length"
    (n,) = struct.unpack("<Q", raw[:8])
    assert 8 + n <= len(raw), "header length beyond the end of the file"
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    meta = header.pop("__metadata__", {})
    assert all(isinstance(v, str) for v in meta.values()), "metadata values must be strings"
    tensors, spans = {}, []
    for name, e in header.items():
        dt = DTYPES[e["dtype"]]
        begin, end = e["data_offsets"]
        count = int(np.prod(e["shape"], dtype=np.int64))
        assert end - begin == count * dt.itemsize, f"{name}: shape and byte range disagree"
        tensors[name] = np.frombuffer(data[begin:end], dtype=dt).reshape(e["shape"])
        spans.append((begin, end, name))
    at = 0
    for begin, end, name in sorted(spans):
        assert begin == at, f"{name}: gap or overlap at byte {at}"
        at = end
    assert at == len(data), "bytes after the last tensor"
    return tensors, meta


def check_fixed(tensors, meta):
    """The contents test/checkpoint.test.ts saves (fixedContents there)."""
    def ramp(n, a, b):
        return np.array([a + b * i for i in range(n)], dtype=np.float32)

    np.testing.assert_array_equal(tensors["0.weight"], ramp(6, -1.0, 0.25).reshape(2, 3))
    np.testing.assert_array_equal(tensors["0.bias"], np.array([0.5, -0.5], dtype=np.float32))
    np.testing.assert_array_equal(tensors["1.running_mean"], np.array([1.0, 2.0], dtype=np.float32))
    assert tensors["1.num_batches_tracked"].dtype == np.int64 and int(tensors["1.num_batches_tracked"]) == 7
    np.testing.assert_array_equal(tensors["optimizer.state.0.exp_avg"], ramp(6, 0.0, 0.125))
    np.testing.assert_array_equal(tensors["optimizer.state.1.exp_avg_sq"], np.array([1e-30, 3e38], dtype=np.float32))
    groups = json.loads(meta["optimizer.param_groups"])
    assert groups[0]["lr"] == 0.001 and groups[0]["betas"] == [0.9, 0.999] and groups[0]["params"] == [0, 1]
    assert json.loads(meta["optimizer.state"]) == {"0": {"step": 3}, "1": {"step": 3}}
    sched = json.loads(meta["scheduler"])
    assert sched["best"] == {"$number": "Infinity"} and sched["lastEpoch"] == 4
    assert json.loads(meta["meta"]) == {"epoch": 4, "note": "fixed"}
    assert meta["format"] == "deepfit-checkpoint/1"


if __name__ == "__main__":
    ts, md = read(sys.argv[1])
    for k, v in ts.items():
        print(f"{k}: {v.dtype} {list(v.shape)}")
    for k, v in md.items():
        print(f"__metadata__.{k} = {v}")
    if "--fixed" in sys.argv[2:]:
        check_fixed(ts, md)
        print("fixed contents: OK")
