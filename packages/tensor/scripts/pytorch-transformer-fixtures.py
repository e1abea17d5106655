#!/usr/bin/env python3
"""Writes test/fixtures/pytorch-transformer-ops.json: PyTorch 1.13's nn.LayerNorm and exact nn.GELU
(approximate='none') in float64 on fixed inputs, with the gradients of L = sum(w * f(x)) and of the
second-order quantity S = sum((dL/dx)^2) with respect to x (a gradient of a gradient). Read by
test/transformer-ops.test.ts. Run with Debian's python3-torch (1.13): /usr/bin/python3 packages/tensor/scripts/pytorch-transformer-fixtures.py
"""
import json
import os

import torch

torch.manual_seed(0)
D = torch.float64


def tolist(t):
    return t.detach().reshape(-1).tolist()


def values(shape, lo, hi):
    # rounded to float32 so that the float32 tfjs side sees the same inputs
    return (torch.rand(shape, dtype=D) * (hi - lo) + lo).float().double()


cases = []
for name, shape, lo, hi, affine, bias in [
    ("rank 2 [4, 6], gain and bias", [4, 6], -2, 2, True, True),
    ("rank 3 [2, 3, 5], gain only (nanoGPT: bias=False)", [2, 3, 5], -3, 1, True, False),
    ("rank 4 [2, 2, 2, 8], mean far from zero (|mu| >> sigma)", [2, 2, 2, 8], 95, 105, True, True),
    ("C = 1 [3, 1], gain and bias", [3, 1], -1, 1, True, True),
]:
    c = shape[-1]
    x = values(shape, lo, hi).requires_grad_(True)
    gamma = values([c], -1.5, 1.5).requires_grad_(True)
    beta = values([c], -1, 1).requires_grad_(True) if bias else None
    w = values(shape, -1, 1)
    y = torch.nn.functional.layer_norm(x, [c], gamma, beta, 1e-5)
    loss = (w * y).sum()
    params = [x, gamma] + ([beta] if bias else [])
    grads = torch.autograd.grad(loss, params, create_graph=True)
    s = (grads[0] ** 2).sum()
    hx, hg = torch.autograd.grad(s, [x, gamma])
    cases.append({
        "name": name, "shape": shape, "x": tolist(x), "gamma": tolist(gamma), "beta": tolist(beta) if bias else None, "w": tolist(w),
        "y": tolist(y), "dx": tolist(grads[0]), "dgamma": tolist(grads[1]), "dbeta": tolist(grads[2]) if bias else None,
        "d2x": tolist(hx), "d2gamma": tolist(hg),
    })

gx = torch.tensor([-12.0, -6.0, -3.5, -1.0, -0.25, 0.0, 0.3, 1.0, 2.5, 5.0, 9.0, 30.0], dtype=D)
gx = torch.cat([gx, values([20], -4, 4)]).requires_grad_(True)
gw = values([gx.numel()], -1, 1)
gy = torch.nn.functional.gelu(gx)
gd = torch.autograd.grad((gw * gy).sum(), gx, create_graph=True)[0]
gh = torch.autograd.grad((gd ** 2).sum(), gx)[0]

out = {
    "generator": "packages/tensor/scripts/pytorch-transformer-fixtures.py",
    "torch": torch.__version__,
    "dtype": "float64",
    "layerNorm": {"epsilon": 1e-5, "cases": cases},
    "gelu": {"x": tolist(gx), "w": tolist(gw), "y": tolist(gy), "dx": tolist(gd), "d2x": tolist(gh)},
}
path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "pytorch-transformer-ops.json")
with open(path, "w") as f:
    json.dump(out, f)
    f.write("\n")
