"""Learning-rate schedule fixtures: the lr (and momentum / beta1) of every
parameter group after creation and after each step, from torch.optim.lr_scheduler.

Each case names the deepfit scheduler and its camelCase options; the torch
call is built from the same numbers. Run: python3 test/golden/make_sched_fixtures.py
"""
import torch
from torch.optim import lr_scheduler as S

from common import write

LAMBDAS = {
    "pow095": lambda e: 0.95 ** e,
    "inv": lambda e: 1.0 / (e + 1),
    "warm4": lambda e: min(1.0, (e + 1) / 4),
}


def make_opt(kind, groups):
    ps = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": g["lr"]} for g in groups]
    if kind == "sgd":
        return torch.optim.SGD(ps, lr=groups[0]["lr"], momentum=0.9)
    return torch.optim.Adam(ps, lr=groups[0]["lr"], betas=(0.9, 0.999))


def build(opt, typ, o):
    if typ == "StepLR":
        return S.StepLR(opt, step_size=o["stepSize"], gamma=o.get("gamma", 0.1))
    if typ == "MultiStepLR":
        return S.MultiStepLR(opt, milestones=o["milestones"], gamma=o.get("gamma", 0.1))
    if typ == "ConstantLR":
        return S.ConstantLR(opt, factor=o.get("factor", 1 / 3), total_iters=o.get("totalIters", 5))
    if typ == "LinearLR":
        return S.LinearLR(opt, start_factor=o.get("startFactor", 1 / 3), end_factor=o.get("endFactor", 1.0),
                          total_iters=o.get("totalIters", 5))
    if typ == "ExponentialLR":
        return S.ExponentialLR(opt, gamma=o["gamma"])
    if typ == "CosineAnnealingLR":
        return S.CosineAnnealingLR(opt, T_max=o["tMax"], eta_min=o.get("etaMin", 0))
    if typ == "CosineAnnealingWarmRestarts":
        return S.CosineAnnealingWarmRestarts(opt, T_0=o["t0"], T_mult=o.get("tMult", 1), eta_min=o.get("etaMin", 0))
    if typ == "PolynomialLR":
        return S.PolynomialLR(opt, total_iters=o.get("totalIters", 5), power=o.get("power", 1.0))
    if typ == "LambdaLR":
        return S.LambdaLR(opt, lr_lambda=LAMBDAS[o["lrLambda"]])
    if typ == "OneCycleLR":
        kw = dict(max_lr=o["maxLr"], pct_start=o.get("pctStart", 0.3), anneal_strategy=o.get("annealStrategy", "cos"),
                  cycle_momentum=o.get("cycleMomentum", True), base_momentum=o.get("baseMomentum", 0.85),
                  max_momentum=o.get("maxMomentum", 0.95), div_factor=o.get("divFactor", 25.0),
                  final_div_factor=o.get("finalDivFactor", 1e4), three_phase=o.get("threePhase", False))
        if "totalSteps" in o:
            kw["total_steps"] = o["totalSteps"]
        else:
            kw["epochs"], kw["steps_per_epoch"] = o["epochs"], o["stepsPerEpoch"]
        return S.OneCycleLR(opt, **kw)
    if typ == "SequentialLR":
        subs = [build(opt, s["type"], s["options"]) for s in o["schedulers"]]
        return S.SequentialLR(opt, schedulers=subs, milestones=o["milestones"])
    if typ == "ReduceLROnPlateau":
        return S.ReduceLROnPlateau(opt, mode=o.get("mode", "min"), factor=o.get("factor", 0.1),
                                   patience=o.get("patience", 10), threshold=o.get("threshold", 1e-4),
                                   threshold_mode=o.get("thresholdMode", "rel"), cooldown=o.get("cooldown", 0),
                                   min_lr=o.get("minLr", 0), eps=o.get("eps", 1e-8))
    raise ValueError(typ)


def momentum_of(opt, kind):
    return [g["betas"][0] if kind == "adam" else g["momentum"] for g in opt.param_groups]


def run(name, typ, options, steps, groups=({"lr": 0.1},), kind="sgd", metrics=None):
    groups = list(groups)
    opt = make_opt(kind, groups)
    sched = build(opt, typ, options)
    lrs = [[g["lr"] for g in opt.param_groups]]
    momenta = [momentum_of(opt, kind)]
    for t in range(steps):
        opt.step()
        if metrics is not None:
            sched.step(metrics[t])
        else:
            sched.step()
        lrs.append([g["lr"] for g in opt.param_groups])
        momenta.append(momentum_of(opt, kind))
    case = {"name": name, "type": typ, "options": options, "optimizer": kind, "groups": groups, "lrs": lrs}
    if typ == "OneCycleLR":
        case["momenta"] = momenta
        try:
            opt.step()
            sched.step()
            case["stepPastEndRaises"] = False
        except ValueError:
            case["stepPastEndRaises"] = True
    if metrics is not None:
        case["metrics"] = metrics
    return case


TWO = ({"lr": 0.1}, {"lr": 0.03})
cases = [
    run("StepLR", "StepLR", {"stepSize": 3}, 20, TWO),
    run("StepLR gamma 0.5", "StepLR", {"stepSize": 1, "gamma": 0.5}, 12),
    run("MultiStepLR", "MultiStepLR", {"milestones": [2, 5, 5, 9], "gamma": 0.3}, 15, TWO),
    run("ConstantLR defaults", "ConstantLR", {}, 10),
    run("ConstantLR", "ConstantLR", {"factor": 0.25, "totalIters": 3}, 8, TWO),
    run("LinearLR defaults", "LinearLR", {}, 10),
    run("LinearLR down", "LinearLR", {"startFactor": 1.0, "endFactor": 0.1, "totalIters": 7}, 12, TWO),
    run("ExponentialLR", "ExponentialLR", {"gamma": 0.9}, 25, TWO),
    run("CosineAnnealingLR", "CosineAnnealingLR", {"tMax": 10}, 45),
    run("CosineAnnealingLR etaMin", "CosineAnnealingLR", {"tMax": 7, "etaMin": 0.001}, 40, TWO),
    run("CosineAnnealingWarmRestarts", "CosineAnnealingWarmRestarts", {"t0": 5}, 23, TWO),
    run("CosineAnnealingWarmRestarts tMult", "CosineAnnealingWarmRestarts", {"t0": 3, "tMult": 2, "etaMin": 0.005}, 40),
    run("PolynomialLR defaults", "PolynomialLR", {}, 9),
    run("PolynomialLR power 2", "PolynomialLR", {"totalIters": 8, "power": 2.0}, 12, TWO),
    run("LambdaLR", "LambdaLR", {"lrLambda": "pow095"}, 15, TWO),
    run("LambdaLR inv", "LambdaLR", {"lrLambda": "inv"}, 10),
    run("OneCycleLR SGD", "OneCycleLR", {"maxLr": 0.5, "totalSteps": 20}, 20, TWO),
    run("OneCycleLR Adam linear", "OneCycleLR", {"maxLr": [0.01, 0.02], "epochs": 3, "stepsPerEpoch": 5,
                                                 "annealStrategy": "linear", "pctStart": 0.4}, 15, TWO, "adam"),
    run("OneCycleLR three phase", "OneCycleLR", {"maxLr": 1.0, "totalSteps": 25, "threePhase": True,
                                                 "divFactor": 10.0, "finalDivFactor": 100.0,
                                                 "baseMomentum": 0.8, "maxMomentum": 0.9}, 25),
    run("OneCycleLR no momentum", "OneCycleLR", {"maxLr": 0.3, "totalSteps": 12, "cycleMomentum": False}, 12),
    run("SequentialLR warmup then cosine", "SequentialLR", {
        "schedulers": [{"type": "LinearLR", "options": {"startFactor": 0.1, "totalIters": 4}},
                       {"type": "CosineAnnealingLR", "options": {"tMax": 6}}],
        "milestones": [4]}, 20, TWO),
    run("SequentialLR three", "SequentialLR", {
        "schedulers": [{"type": "ConstantLR", "options": {"factor": 0.5, "totalIters": 2}},
                       {"type": "ExponentialLR", "options": {"gamma": 0.8}},
                       {"type": "StepLR", "options": {"stepSize": 2, "gamma": 0.5}}],
        "milestones": [3, 7]}, 14),
    run("ReduceLROnPlateau min rel", "ReduceLROnPlateau", {"patience": 2},
        24, TWO, metrics=[5.0, 4.0, 4.0, 4.0, 3.9999, 3.99, 3.99, 3.99, 3.99, 2.0, 2.5, 2.5, 2.5, 2.5,
                          float("nan"), 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
    run("ReduceLROnPlateau max abs cooldown", "ReduceLROnPlateau",
        {"mode": "max", "factor": 0.5, "patience": 1, "threshold": 0.1, "thresholdMode": "abs", "cooldown": 2,
         "minLr": [0.02, 0.0]},
        20, TWO, metrics=[-3.0, -2.95, -2.9, -2.5, -2.5, -2.5, -2.5, -2.5, -2.5, -1.0, -1.0, -1.0, -1.0,
                          -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0]),
    run("ReduceLROnPlateau eps", "ReduceLROnPlateau", {"patience": 0, "factor": 0.5, "eps": 0.01},
        10, metrics=[1.0] * 10),
]

write("sched", {"cases": cases})
