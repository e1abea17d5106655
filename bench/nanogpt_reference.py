"""
An independent PyTorch run of nanoGPT's CPU recipe on this machine, to put beside
apps/transformer-bert/gpt-shakespeare-char's full tier: the model of bench/torch_models.py (`Gpt`, nanoGPT's
architecture and init), nanoGPT train.py's loop written out from its README and config — random windows
(`get_batch`), `get_lr` (warm-up (it + 1)/(W + 1), cosine to min_lr), AdamW with decay on matrices only,
gradient norm clipped to 1, `estimate_loss` over 20 random batches of each split every 250 steps.

Usage: /usr/bin/python3 bench/nanogpt_reference.py [--seed 1337] [--threads 1] [--iters 2000]
Reads tiny-shakespeare from $PAPERZOO_DATA_MIRROR/tiny-shakespeare/input.txt; prints one JSON line per
evaluation and a final line {"seed", "val_loss", "train_loss", "seconds"}.
"""
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from torch_models import Gpt, gpt_optimizer  # noqa: E402


def arg(name, default):
    return type(default)(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


SEED, THREADS, ITERS = arg("--seed", 1337), arg("--threads", 1), arg("--iters", 2000)
BLOCK, BATCH, EVAL_INTERVAL, EVAL_ITERS = 64, 12, 250, 20
LR, MIN_LR, WARMUP = 1e-3, 1e-4, 100

torch.manual_seed(SEED)
torch.set_num_threads(THREADS)
MIRROR = os.environ.get("PAPERZOO_DATA_MIRROR")
if not MIRROR:
    sys.exit("nanogpt_reference.py: set PAPERZOO_DATA_MIRROR to the dataset mirror (it reads <mirror>/tiny-shakespeare/input.txt)")
text = open(os.path.join(MIRROR, "tiny-shakespeare", "input.txt"), encoding="utf-8").read()
chars = sorted(set(text))
index = {c: i for i, c in enumerate(chars)}
data = torch.tensor([index[c] for c in text], dtype=torch.long)
n = int(0.9 * len(data))
splits = {"train": data[:n], "val": data[n:]}


def get_batch(split):
    d = splits[split]
    ix = torch.randint(len(d) - BLOCK, (BATCH,))
    return torch.stack([d[i:i + BLOCK] for i in ix]), torch.stack([d[i + 1:i + 1 + BLOCK] for i in ix])


def get_lr(it):
    if it < WARMUP:
        return LR * (it + 1) / (WARMUP + 1)
    if it > ITERS:
        return MIN_LR
    ratio = (it - WARMUP) / (ITERS - WARMUP)
    return MIN_LR + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (LR - MIN_LR)


model = Gpt(vocab=len(chars), block=BLOCK)
opt = gpt_optimizer(model, LR)


@torch.no_grad()
def estimate_loss():
    model.eval()
    out = {}
    for split in ("train", "val"):
        losses = [F.cross_entropy(model(x).reshape(-1, len(chars)), y.reshape(-1)).item() for x, y in (get_batch(split) for _ in range(EVAL_ITERS))]
        out[split] = sum(losses) / len(losses)
    model.train()
    return out


start = time.time()
for it in range(ITERS + 1):
    if it % EVAL_INTERVAL == 0:
        est = estimate_loss()
        print(json.dumps({"step": it, **est, "seconds": round(time.time() - start, 1)}), flush=True)
    if it == ITERS:
        break
    for g in opt.param_groups:
        g["lr"] = get_lr(it)
    x, y = get_batch("train")
    loss = F.cross_entropy(model(x).reshape(-1, len(chars)), y.reshape(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
print(json.dumps({"seed": SEED, "val_loss": est["val"], "train_loss": est["train"], "seconds": round(time.time() - start, 1), "torch": torch.__version__}))
