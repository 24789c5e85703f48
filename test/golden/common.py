"""Shared helpers for the fixture generators in this folder.

Fixtures are JSON. A float32 tensor is written as a list of Python floats,
each the exact value of its float32 (repr round-trips), so tests read back the
same bits. Run the generators with Debian's python3-torch (PyTorch 1.13):
    python3 test/golden/make_<family>_fixtures.py
"""
import json
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def f32(t):
    """A tensor (or array-like) as a flat list of exact float32 values."""
    t = torch.as_tensor(t).detach().to(torch.float32).reshape(-1)
    return [float(x) for x in t.tolist()]


def _clean(o):
    # JSON has no NaN/Infinity: write them as strings the tests decode.
    if isinstance(o, float):
        if o != o:
            return "NaN"
        if o == float("inf"):
            return "Infinity"
        if o == float("-inf"):
            return "-Infinity"
        return o
    if isinstance(o, dict):
        return {k: _clean(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_clean(v) for v in o]
    return o


def write(name, obj):
    """Writes test/golden/<name>.json with the torch version recorded."""
    path = os.path.join(HERE, name + ".json")
    obj = {"generator": "torch " + torch.__version__, **obj}
    with open(path, "w") as f:
        json.dump(_clean(obj), f, separators=(",", ":"))
        f.write("\n")
    print("wrote", path)
