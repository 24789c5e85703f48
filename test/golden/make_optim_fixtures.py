"""Writes test/golden/optim.json: PyTorch's optimizers stepped on fixed
gradients, for the tests in test/optim-golden.test.ts.

Each case: the optimizer and its options (camelCase, as deepfit names them),
parameter groups (sizes and per-group overrides), the initial parameters, the
gradients of every step, the parameters after every step, the final state
(PyTorch's state_dict names) and, optionally, options changed before a step
(schedule), as a learning-rate scheduler would. Gradients include zeros, tiny
(1e-30), denormal (1e-40) and huge (1e30) values, and an all-zero step.

    python3 test/golden/make_optim_fixtures.py
"""
import torch

from common import f32, write

STEPS = 6
SIZES = [7, 5]

TORCH_NAMES = {
    "lr": "lr", "momentum": "momentum", "dampening": "dampening", "weightDecay": "weight_decay",
    "nesterov": "nesterov", "maximize": "maximize", "betas": "betas", "eps": "eps", "amsgrad": "amsgrad",
    "alpha": "alpha", "centered": "centered", "lrDecay": "lr_decay",
    "initialAccumulatorValue": "initial_accumulator_value",
}


def torch_opts(opts):
    return {TORCH_NAMES[k]: (tuple(v) if k == "betas" else v) for k, v in opts.items()}


def gradient(gen, n, step, k):
    g = torch.randn(n, generator=gen)
    if step == 3 and k == 1:
        return torch.zeros(n)  # a whole step of zero gradient
    g[1] = 0.0
    if step % 2 == 0:
        g[2] = 1e-30
    g[3] = 1e-40  # denormal in float32
    if step == 2:
        g[4] = 1e30
    return g


def run_case(name, optimizer, options, groups=None, schedule=None, seed=0):
    gen = torch.Generator().manual_seed(seed)
    groups = groups or [{"sizes": SIZES, "options": {}}]
    params, torch_groups = [], []
    for g in groups:
        ps = [torch.randn(n, generator=gen).requires_grad_() for n in g["sizes"]]
        with torch.no_grad():
            ps[0][0] = 0.0
        params += ps
        torch_groups.append({"params": ps, **torch_opts(g["options"])})
    opt = getattr(torch.optim, optimizer)(torch_groups, **torch_opts(options))
    params0 = [f32(p) for p in params]
    grads, after = [], []
    for s in range(STEPS):
        if schedule and schedule[s]:
            for gi, change in enumerate(schedule[s]):
                opt.param_groups[gi].update(torch_opts(change))
        step_grads = [gradient(gen, p.numel(), s, k) for k, p in enumerate(params)]
        for p, g in zip(params, step_grads):
            p.grad = g.clone()
        opt.step()
        grads.append([f32(g) for g in step_grads])
        after.append([f32(p) for p in params])
    state = {}
    for idx, st in opt.state_dict()["state"].items():
        entry = {}
        for k, v in st.items():
            if v is None:
                continue
            entry[k] = int(float(v)) if k == "step" else f32(v)
        state[str(idx)] = entry
    return {
        "name": name, "optimizer": optimizer, "options": options, "groups": groups, "schedule": schedule,
        "params0": params0, "grads": grads, "params": after, "state": state,
    }


def two_groups(first, second):
    return [{"sizes": [7], "options": first}, {"sizes": [5, 6], "options": second}]


def halving_lr(lr0):
    return [None] + [[{"lr": lr0 / 2 ** s}] for s in range(1, STEPS)]


CASES = [
    ("sgd plain", "SGD", {"lr": 0.1}),
    ("sgd momentum", "SGD", {"lr": 0.05, "momentum": 0.9}),
    ("sgd momentum dampening weightDecay", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weightDecay": 0.01}),
    ("sgd nesterov maximize weightDecay", "SGD",
     {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weightDecay": 0.1, "maximize": True}),
    ("sgd two groups, lr schedule", "SGD", {"lr": 0.1, "momentum": 0.5},
     two_groups({}, {"lr": 0.01, "momentum": 0.9, "dampening": 0.1}), halving_lr(0.1)),
    ("adam default", "Adam", {}),
    ("adam betas eps weightDecay", "Adam", {"lr": 0.01, "betas": [0.8, 0.99], "eps": 1e-6, "weightDecay": 0.1}),
    ("adam amsgrad", "Adam", {"lr": 0.01, "amsgrad": True}),
    ("adam maximize weightDecay amsgrad", "Adam", {"lr": 0.01, "maximize": True, "weightDecay": 0.05, "amsgrad": True}),
    ("adam two groups, schedule", "Adam", {"lr": 0.002},
     two_groups({}, {"lr": 0.02, "betas": [0.5, 0.9]}),
     [None, [{"lr": 0.004, "betas": [0.85, 0.999]}], None, [{"lr": 0.001, "betas": [0.95, 0.999]}], None, None]),
    ("adamw default", "AdamW", {}),
    ("adamw weightDecay amsgrad", "AdamW", {"lr": 0.01, "weightDecay": 0.1, "amsgrad": True}),
    ("adamw maximize no decay", "AdamW", {"lr": 0.01, "maximize": True, "weightDecay": 0}),
    ("rmsprop default", "RMSprop", {}),
    ("rmsprop centered", "RMSprop", {"centered": True}),
    ("rmsprop momentum weightDecay", "RMSprop", {"momentum": 0.9, "weightDecay": 0.01}),
    ("rmsprop centered momentum maximize alpha eps", "RMSprop",
     {"centered": True, "momentum": 0.5, "maximize": True, "alpha": 0.9, "eps": 1e-6}),
    ("adagrad default", "Adagrad", {}),
    ("adagrad lrDecay initialAccumulatorValue", "Adagrad", {"lrDecay": 0.1, "initialAccumulatorValue": 0.1}),
    ("adagrad weightDecay maximize eps", "Adagrad", {"weightDecay": 0.1, "maximize": True, "eps": 1e-8}),
    ("adagrad two groups, lr schedule", "Adagrad", {"lr": 0.1},
     two_groups({}, {"lr": 0.05, "lrDecay": 0.2}), halving_lr(0.1)),
]


def main():
    cases = [run_case(*c, seed=i) for i, c in enumerate(CASES)]
    write("optim", {"steps": STEPS, "cases": cases})


if __name__ == "__main__":
    main()
