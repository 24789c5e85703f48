"""Fixtures for the layers and losses (test/nn.test.ts): Linear, activations,
CrossEntropyLoss, MSELoss and a small MLP, forward and backward, from PyTorch.

    python3 test/golden/make_nn_fixtures.py
"""
import torch
import torch.nn.functional as F

from common import f32, write

torch.manual_seed(1234)

EDGE = [0.0, -0.0, float("nan"), float("inf"), float("-inf"), 1e-45, -1e-45, 1.1754942e-38,
        3.4e38, -3.4e38, 1e-30, 1e30]


def linear_case(batch, fin, fout, bias):
    x = torch.randn(batch, fin)
    w = torch.randn(fout, fin) * 0.5
    b = torch.randn(fout) if bias else None
    gy = torch.randn(batch, fout)
    x.requires_grad_(True)
    w.requires_grad_(True)
    if b is not None:
        b.requires_grad_(True)
    y = F.linear(x, w, b)
    y.backward(gy)
    case = {"batch": batch, "in": fin, "out": fout, "x": f32(x), "weight": f32(w), "gradOutput": f32(gy),
            "y": f32(y), "gradInput": f32(x.grad), "gradWeight": f32(w.grad)}
    if b is not None:
        case.update({"bias": f32(b), "gradBias": f32(b.grad)})
    return case


def activation_cases():
    x = torch.cat([torch.tensor(EDGE), torch.linspace(-6, 6, 49), torch.randn(40) * 3])
    gy = torch.cat([torch.ones(len(EDGE)), torch.randn(49 + 40)])
    mods = {
        "ReLU": (torch.nn.ReLU(), []),
        "LeakyReLU": (torch.nn.LeakyReLU(), []),
        "LeakyReLU(0.2)": (torch.nn.LeakyReLU(0.2), [0.2]),
        "Tanh": (torch.nn.Tanh(), []),
        "Sigmoid": (torch.nn.Sigmoid(), []),
        "GELU": (torch.nn.GELU(), []),
    }
    out = {}
    for name, (m, args) in mods.items():
        xi = x.clone().requires_grad_(True)
        y = m(xi)
        y.backward(gy)
        out[name] = {"module": name.split("(")[0], "args": args, "y": f32(y), "gradInput": f32(xi.grad)}
    return {"x": f32(x), "gradOutput": f32(gy), "cases": out}


def cross_entropy_cases():
    cases = []
    for n, c, scale, eps in [(6, 5, 3.0, 0.0), (6, 5, 3.0, 0.1), (4, 10, 1.0, 0.25), (3, 4, 1000.0, 0.0),
                             (3, 4, 1000.0, 0.3), (1, 1, 1.0, 0.0), (8, 33, 5.0, 1.0)]:
        x = (torch.randn(n, c) * scale).requires_grad_(True)
        labels = torch.randint(0, c, (n,))
        loss = F.cross_entropy(x, labels, label_smoothing=eps)
        loss.backward()
        cases.append({"n": n, "c": c, "labelSmoothing": eps, "x": f32(x), "labels": labels.tolist(),
                      "loss": float(loss), "grad": f32(x.grad)})
    return cases


def mse_cases():
    cases = []
    for shape in [(4, 3), (17,), (2, 3, 5)]:
        x = torch.randn(*shape).requires_grad_(True)
        t = torch.randn(*shape)
        loss = F.mse_loss(x, t)
        loss.backward()
        cases.append({"shape": list(shape), "x": f32(x), "target": f32(t), "loss": float(loss), "grad": f32(x.grad)})
    return cases


def mlp_case():
    model = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    x = torch.randn(5, 6).requires_grad_(True)
    labels = torch.randint(0, 3, (5,))
    y = model(x)
    loss = F.cross_entropy(y, labels)
    loss.backward()
    return {"x": f32(x), "labels": labels.tolist(), "y": f32(y), "loss": float(loss), "gradInput": f32(x.grad),
            "state": {k: f32(v) for k, v in model.state_dict().items()},
            "grads": {k: f32(p.grad) for k, p in model.named_parameters()}}


write("nn", {
    "linear": [linear_case(4, 5, 3, True), linear_case(7, 33, 17, True), linear_case(3, 65, 2, False),
               linear_case(1, 1, 1, True)],
    "activations": activation_cases(),
    "crossEntropy": cross_entropy_cases(),
    "mse": mse_cases(),
    "mlp": mlp_case(),
})
