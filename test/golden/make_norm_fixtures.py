"""Fixtures for batch norm, dropout's scaling and init's gains (norm.json).

Batch norm: several training steps (forward, backward, running statistics),
then an eval step, for BatchNorm1d on [N, C] and [N, C, L], BatchNorm2d,
momentum=None, affine=False and track_running_stats=False.
Run: python3 test/golden/make_norm_fixtures.py
"""
import math

import torch

from common import f32, write

torch.manual_seed(0)


def bn_case(name, module, shapes, steps=3, eval_steps=1, custom_affine=True):
    C = module.num_features
    if module.affine and custom_affine:
        with torch.no_grad():
            module.weight.copy_(torch.rand(C) * 1.5 + 0.25)
            module.bias.copy_(torch.randn(C) * 0.5)
    case = {
        "name": name,
        "kind": type(module).__name__,
        "C": C,
        "options": {
            "eps": module.eps,
            "momentum": module.momentum,
            "affine": module.affine,
            "trackRunningStats": module.track_running_stats,
        },
        "weight": f32(module.weight) if module.affine else None,
        "bias": f32(module.bias) if module.affine else None,
        "steps": [],
    }
    for i in range(steps + eval_steps):
        training = i < steps
        module.train(training)
        shape = shapes[i % len(shapes)]
        x = (torch.randn(shape) * 2 + 0.5).requires_grad_(True)
        g = torch.randn(shape)
        if module.affine:
            module.weight.grad = None
            module.bias.grad = None
        y = module(x)
        y.backward(g)
        step = {
            "training": training,
            "shape": list(shape),
            "x": f32(x),
            "g": f32(g),
            "y": f32(y),
            "dx": f32(x.grad),
        }
        if module.affine:
            step["dweight"] = f32(module.weight.grad)
            step["dbias"] = f32(module.bias.grad)
        if module.track_running_stats:
            step["runningMean"] = f32(module.running_mean)
            step["runningVar"] = f32(module.running_var)
            step["numBatchesTracked"] = int(module.num_batches_tracked)
        case["steps"].append(step)
    return case


cases = [
    bn_case("1d [N, C]", torch.nn.BatchNorm1d(5), [(8, 5), (3, 5), (16, 5)]),
    bn_case("1d [N, C, L]", torch.nn.BatchNorm1d(3), [(4, 3, 7), (2, 3, 1), (5, 3, 9)]),
    bn_case("1d momentum null", torch.nn.BatchNorm1d(4, momentum=None), [(6, 4), (2, 4), (9, 4), (5, 4)], steps=4),
    bn_case("1d no affine", torch.nn.BatchNorm1d(4, affine=False), [(6, 4)]),
    bn_case("1d eps and momentum", torch.nn.BatchNorm1d(6, eps=1e-3, momentum=0.3), [(10, 6, 3)]),
    bn_case("2d", torch.nn.BatchNorm2d(4), [(3, 4, 5, 6), (2, 4, 3, 3)]),
    bn_case("2d no running stats", torch.nn.BatchNorm2d(3, track_running_stats=False), [(2, 3, 4, 4)], steps=2),
]

dropout = []
x = torch.randn(600)
for p in [0.1, 0.25, 0.5, 0.7, 0.9]:
    y = torch.nn.functional.dropout(x, p=p, training=True)
    dropout.append({"p": p, "x": f32(x), "y": f32(y)})

gains = []
for nl, param in [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                  ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5)), ("selu", None)]:
    gains.append({"nonlinearity": nl, "param": param, "gain": torch.nn.init.calculate_gain(nl, param)})

# orthogonal_'s recipe on given matrices (our draws differ from PyTorch's, so
# the QR with the sign fix is checked on fixed inputs).
orthogonal = []
for rows, cols, gain in [(7, 4, 1.0), (3, 8, 2.0), (5, 5, 0.5)]:
    a = torch.randn(rows, cols)
    flat = a.t() if rows < cols else a
    q, r = torch.linalg.qr(flat.double())
    q = q * torch.sign(torch.diag(r))
    if rows < cols:
        q = q.t()
    orthogonal.append({"rows": rows, "cols": cols, "gain": gain, "x": f32(a), "q": f32(q * gain)})

write("norm", {"batchnorm": cases, "dropout": dropout, "gains": gains, "orthogonal": orthogonal})
