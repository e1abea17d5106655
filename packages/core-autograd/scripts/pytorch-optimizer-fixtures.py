"""Record reference optimizer trajectories with PyTorch (float64) for test/optimizers-vs-pytorch.test.ts.

Run with Debian's python3-torch (1.13):  /usr/bin/python3 packages/core-autograd/scripts/pytorch-optimizer-fixtures.py
It rewrites packages/core-autograd/test/fixtures/pytorch-optimizers.json. CI only reads the JSON.

The problem (also written out in the test):
    f(w) = 1/2 * sum_i a_i (w_i - c_i)^2 + kappa * w_0 * w_1
with a = [2, 0.5, 1, 4], c = [1, -1, 0.5, 0], kappa = 0.3, w_0 = [0.3, -0.2, 1.5, -2].

NAdam: torch 1.13's _single_tensor_nadam multiplies mu_t into the t+1 product twice
(mu_product_next = mu_product * mu * mu_next, fixed in PyTorch 2.0), so NAdam is written out here
with the corrected product (Dozat 2016 / PyTorch >= 2.0).
"""
import json
import math
import os

import torch

torch.set_default_dtype(torch.float64)

A = [2.0, 0.5, 1.0, 4.0]
C = [1.0, -1.0, 0.5, 0.0]
KAPPA = 0.3
W0 = [0.3, -0.2, 1.5, -2.0]
STEPS = 12


def loss(w):
    a = torch.tensor(A)
    c = torch.tensor(C)
    return 0.5 * (a * (w - c) ** 2).sum() + KAPPA * w[0] * w[1]


def trajectory(make):
    w = torch.tensor(W0, requires_grad=True)
    opt = make([w])
    out = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss(w).backward()
        opt.step()
        out.append(w.detach().tolist())
    return out


def nadam_trajectory(lr, beta1=0.9, beta2=0.999, eps=1e-8, momentum_decay=0.004):
    w = torch.tensor(W0, requires_grad=True)
    m = torch.zeros(4)
    v = torch.zeros(4)
    mu_product = 1.0
    out = []
    for step in range(1, STEPS + 1):
        w.grad = None
        loss(w).backward()
        g = w.grad.detach()
        with torch.no_grad():
            mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
            mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
            mu_product *= mu
            mu_product_next = mu_product * mu_next
            m.mul_(beta1).add_(g, alpha=1 - beta1)
            v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
            denom = (v / (1 - beta2 ** step)).sqrt().add_(eps)
            w.addcdiv_(g, denom, value=-lr * (1.0 - mu) / (1.0 - mu_product))
            w.addcdiv_(m, denom, value=-lr * mu_next / (1.0 - mu_product_next))
        out.append(w.detach().tolist())
    return out


O = torch.optim
CASES = [
    ('sgd', 'SGD', {'learningRate': 0.1}, lambda p: O.SGD(p, lr=0.1)),
    ('sgd + l2', 'SGD', {'learningRate': 0.1, 'l2': 0.05}, lambda p: O.SGD(p, lr=0.1, weight_decay=0.05)),
    ('momentum', 'Momentum', {'learningRate': 0.05, 'momentum': 0.9}, lambda p: O.SGD(p, lr=0.05, momentum=0.9)),
    ('nesterov', 'Nesterov', {'learningRate': 0.05, 'momentum': 0.9}, lambda p: O.SGD(p, lr=0.05, momentum=0.9, nesterov=True)),
    ('adagrad', 'Adagrad', {'learningRate': 0.1}, lambda p: O.Adagrad(p, lr=0.1)),
    ('adagrad, G0 = 0.1', 'Adagrad', {'learningRate': 0.1, 'initialAccumulatorValue': 0.1}, lambda p: O.Adagrad(p, lr=0.1, initial_accumulator_value=0.1)),
    # PyTorch puts eps outside the square root, paperzoo (like TensorFlow) inside: compare with eps = 0.
    ('rmsprop + momentum', 'RMSProp', {'learningRate': 0.01, 'decay': 0.9, 'momentum': 0.5, 'epsilon': 0}, lambda p: O.RMSprop(p, lr=0.01, alpha=0.9, eps=0, momentum=0.5)),
    ('rmsprop centered', 'RMSProp', {'learningRate': 0.01, 'decay': 0.9, 'momentum': 0.5, 'epsilon': 0, 'centered': True}, lambda p: O.RMSprop(p, lr=0.01, alpha=0.9, eps=0, momentum=0.5, centered=True)),
    ('adadelta', 'Adadelta', {}, lambda p: O.Adadelta(p, lr=1.0, rho=0.95, eps=1e-6)),
    ('adadelta, lr 0.5', 'Adadelta', {'learningRate': 0.5, 'rho': 0.9, 'epsilon': 1e-4}, lambda p: O.Adadelta(p, lr=0.5, rho=0.9, eps=1e-4)),
    ('adam', 'Adam', {'learningRate': 0.1}, lambda p: O.Adam(p, lr=0.1)),
    ('adam + l2', 'Adam', {'learningRate': 0.1, 'l2': 0.1}, lambda p: O.Adam(p, lr=0.1, weight_decay=0.1)),
    ('amsgrad', 'AMSGrad', {'learningRate': 0.1}, lambda p: O.Adam(p, lr=0.1, amsgrad=True)),
    ('adamw', 'AdamW', {'learningRate': 0.1, 'weightDecay': 0.1}, lambda p: O.AdamW(p, lr=0.1, weight_decay=0.1)),
    ('radam', 'RAdam', {'learningRate': 0.1}, lambda p: O.RAdam(p, lr=0.1)),
    # PyTorch takes max(beta2*u, |g| + eps), paperzoo (like tfjs, Keras) max(beta2*u, |g|) + eps: compare with eps = 0.
    ('adamax', 'Adamax', {'learningRate': 0.1, 'epsilon': 0}, lambda p: O.Adamax(p, lr=0.1, eps=0)),
]

cases = [{'name': n, 'optimizer': cls, 'options': opts, 'trajectory': trajectory(make)} for n, cls, opts, make in CASES]
cases.append({'name': 'nadam', 'optimizer': 'Nadam', 'options': {'learningRate': 0.1}, 'trajectory': nadam_trajectory(0.1)})

fixture = {
    'generator': 'packages/core-autograd/scripts/pytorch-optimizer-fixtures.py',
    'torch': torch.__version__,
    'dtype': 'float64',
    'problem': {'a': A, 'c': C, 'kappa': KAPPA, 'w0': W0, 'steps': STEPS},
    'cases': cases,
}
path = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'pytorch-optimizers.json')
with open(path, 'w') as f:
    # One case per line: readable diffs without a line per number.
    head = {k: v for k, v in fixture.items() if k != 'cases'}
    f.write(json.dumps(head)[:-1] + ',\n "cases": [\n')
    f.write(',\n'.join('  ' + json.dumps(c) for c in fixture['cases']))
    f.write('\n ]\n}\n')
print('wrote', os.path.normpath(path), len(cases), 'cases')
