"""Gradient clipping and L2 penalty fixtures from torch.nn.utils.clip_grad_norm_,
clip_grad_value_ and autograd of lambda * sum(w**2).

Each norm case also records the norm computed in float64 (`exact`): deepfit
accumulates in double, so it should land within one float32 rounding of it.
Run: python3 test/golden/make_clip_fixtures.py
"""
import math

import torch

from common import f32, write

g = torch.Generator().manual_seed(4)


def rand(*shape, scale=1.0):
    return (torch.rand(*shape, generator=g, dtype=torch.float32) * 2 - 1) * scale


def params(grads):
    ps = []
    for gr in grads:
        p = torch.nn.Parameter(torch.zeros_like(gr))
        p.grad = gr.clone()
        ps.append(p)
    return ps


def norm_case(name, grads, max_norm, norm_type):
    ps = params(grads)
    total = torch.nn.utils.clip_grad_norm_(ps, max_norm, norm_type=norm_type)
    g64 = [gr.to(torch.float64) for gr in grads]
    if norm_type == math.inf:
        exact = max(float(x.abs().max()) for x in g64)
    else:
        exact = float(sum(float((x.abs() ** norm_type).sum()) for x in g64) ** (1.0 / norm_type))
    return {
        "name": name, "maxNorm": max_norm, "normType": norm_type,
        "shapes": [list(x.shape) for x in grads], "grads": [f32(x) for x in grads],
        "norm": float(total), "exact": exact, "after": [f32(p.grad) for p in ps],
    }


base = [rand(3, 4), rand(7), rand(17, scale=3.0)]
norms = []
for p in [1, 2, 3, 0.5, 2.5, math.inf]:
    norms.append(norm_case(f"p={p} clipped", base, 0.5, p))
    norms.append(norm_case(f"p={p} not clipped", base, 1e4, p))
big = [rand(5), torch.tensor([1e30, -2e29, 3.0])]
norms.append(norm_case("1e30 gradient (float32 sum of squares would overflow)", big, 1.0, 2))
norms.append(norm_case("1e30 gradient, p=1", big, 1.0, 1))
norms.append(norm_case("tiny gradients", [torch.tensor([1e-30, -1e-38, 1e-45, 0.0])], 1.0, 2))
norms.append(norm_case("zero gradients", [torch.zeros(9)], 1.0, 2))
norms.append(norm_case("maxNorm 0", [rand(6)], 0.0, 2))
norms.append(norm_case("inf gradient", [torch.tensor([1.0, float("inf"), 2.0])], 1.0, 2))
norms.append(norm_case("nan gradient", [torch.tensor([1.0, float("nan"), 2.0])], 1.0, 2))
norms.append(norm_case("nan gradient, max norm", [torch.tensor([1.0, float("nan"), 2.0]), rand(3)], 1.0, math.inf))

values = []
for c in [0.0, 0.1, 0.5, 2.0]:
    grads = [rand(3, 3, scale=1.5), torch.tensor([float("nan"), float("inf"), -float("inf"), -0.0, 0.0, 1e30])]
    ps = params(grads)
    torch.nn.utils.clip_grad_value_(ps, c)
    values.append({"clipValue": c, "grads": [f32(x) for x in grads], "shapes": [list(x.shape) for x in grads],
                   "after": [f32(p.grad) for p in ps]})

l2 = []
for lam in [0.0, 1e-4, 0.5]:
    ws = [rand(4, 5, scale=2.0), rand(3)]
    gs = [rand(4, 5), rand(3)]
    ps = [torch.nn.Parameter(w.clone()) for w in ws]
    for p, gr in zip(ps, gs):
        p.grad = gr.clone()
    loss = lam * sum((p ** 2).sum() for p in ps)
    loss.backward()
    value = lam * sum(float((w.to(torch.float64) ** 2).sum()) for w in ws)
    l2.append({"lambda": lam, "weights": [f32(w) for w in ws], "grads": [f32(x) for x in gs],
               "shapes": [list(w.shape) for w in ws], "value": value, "after": [f32(p.grad) for p in ps]})

write("clip", {"norm": norms, "value": values, "l2": l2})
