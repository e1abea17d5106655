"""PyTorch side of bench/native.ts: the same five workloads, timed the same way (median ms per step).

Run by bench/native.ts when a Python with torch is found (Debian: apt-get install python3-torch);
prints one JSON object {"torch": version, "threads": n, "rows": {name: ms}} on stdout.
Usage: python3 bench/torch_models.py [--quick] [--threads 2] [--only lenet5|resnet20|lstm|gru-seq2seq|gpt|matmul]
"""
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

QUICK = "--quick" in sys.argv
ONLY = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
THREADS = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 2
torch.set_num_threads(THREADS)
torch.manual_seed(1)


def median_ms(fn, warmup, reps):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return times[len(times) // 2]


class LeNet5(nn.Module):
    """bench/models.ts lenet5: conv 6@5x5 -> tanh -> maxpool 2 -> conv 16@5x5 -> tanh -> maxpool 2 -> 120 -> 84 -> 10."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5)
        self.c3 = nn.Conv2d(6, 16, 5)
        self.f5 = nn.Linear(400, 120)
        self.f6 = nn.Linear(120, 84)
        self.out = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(torch.tanh(self.c1(x)), 2)
        x = F.max_pool2d(torch.tanh(self.c3(x)), 2)
        x = torch.tanh(self.f5(x.flatten(1)))
        x = torch.tanh(self.f6(x))
        return self.out(x)


class BasicBlock(nn.Module):
    """He et al. 2016, CIFAR ResNet: two 3x3 conv-BN(-ReLU), option A shortcut (stride-2 subsample, zero-padded channels)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout, eps=1e-3)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout, eps=1e-3)
        self.stride, self.extra = stride, cout - cin

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        short = x
        if self.stride != 1 or self.extra:
            short = x[:, :, :: self.stride, :: self.stride]
            short = F.pad(short, (0, 0, 0, 0, self.extra // 2, self.extra - self.extra // 2))
        return F.relu(out + short)


class ResNet20(nn.Module):
    def __init__(self, n=3):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(16, eps=1e-3)
        blocks, cin = [], 16
        for stage, cout in enumerate([16, 32, 64]):
            for i in range(n):
                blocks.append(BasicBlock(cin, cout, 2 if stage > 0 and i == 0 else 1))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        x = self.blocks(x)
        return self.fc(x.mean((2, 3)))


class LstmLm(nn.Module):
    """Zaremba et al. 2014 'small': vocabulary 10000, embedding 200, 2-layer LSTM of 200, softmax over the vocabulary."""

    def __init__(self, vocab=10000, units=200):
        super().__init__()
        self.emb = nn.Embedding(vocab, units)
        self.lstm = nn.LSTM(units, units, num_layers=2)
        self.out = nn.Linear(units, vocab)

    def forward(self, tokens, state):
        h, state = self.lstm(self.emb(tokens), state)  # [T, B, units]
        return self.out(h.reshape(-1, h.shape[-1])), state


class Seq2Seq(nn.Module):
    """bench/native-models.ts seq2seqLogits: Bahdanau et al. 2014 in the shape of bentrevett/pytorch-seq2seq
    notebook 3 (its Encoder, Attention, Decoder and Seq2Seq, teacher forcing always on, no dropout),
    20,518,405 parameters. One change of evaluation order, the same parameters and maths: the
    attention's U_a h_j + b is computed once per batch rather than at every decoder step (Bahdanau et
    al., Appendix A.1.2), i.e. attn(cat(hidden, enc)) = hidden W_a^T + (enc U_a^T + b)."""

    def __init__(self, src_vocab=7853, trg_vocab=5893, emb=256, enc=512, dec=512):
        super().__init__()
        self.dec_units, self.enc_units = dec, enc
        self.enc_emb = nn.Embedding(src_vocab, emb)
        self.enc_rnn = nn.GRU(emb, enc, bidirectional=True)
        self.enc_fc = nn.Linear(2 * enc, dec)
        self.attn = nn.Linear(2 * enc + dec, dec)  # input cat((hidden, encoder_outputs))
        self.v = nn.Linear(dec, 1, bias=False)
        self.dec_emb = nn.Embedding(trg_vocab, emb)
        self.dec_rnn = nn.GRU(2 * enc + emb, dec)
        self.fc_out = nn.Linear(2 * enc + dec + emb, trg_vocab)  # input cat((output, weighted, embedded))
        for name, p in self.named_parameters():  # the notebook's init_weights
            nn.init.normal_(p, 0, 0.01) if "weight" in name else nn.init.constant_(p, 0)

    def forward(self, src, trg):
        enc_out, hidden = self.enc_rnn(self.enc_emb(src))  # [S, B, 2E], [2, B, E]
        hidden = torch.tanh(self.enc_fc(torch.cat((hidden[-2], hidden[-1]), dim=1)))  # [B, D]
        annotations = enc_out.permute(1, 0, 2)  # [B, S, 2E]
        w_state, w_annotation = self.attn.weight.split([self.dec_units, 2 * self.enc_units], dim=1)
        keys = F.linear(annotations, w_annotation, self.attn.bias)  # [B, S, D]
        embedded = self.dec_emb(trg[:-1])  # [T - 1, B, emb]
        outputs = []
        for y in embedded:
            energy = torch.tanh(keys + F.linear(hidden, w_state).unsqueeze(1))  # [B, S, D]
            a = F.softmax(self.v(energy).squeeze(2), dim=1)  # [B, S]
            weighted = torch.bmm(a.unsqueeze(1), annotations).squeeze(1)  # [B, 2E]
            _, h = self.dec_rnn(torch.cat((y, weighted), dim=1).unsqueeze(0), hidden.unsqueeze(0))
            hidden = h.squeeze(0)
            outputs.append(self.fc_out(torch.cat((hidden, weighted, y), dim=1)))
        return torch.cat(outputs)  # [(T - 1) B, trg_vocab]


class Gpt(nn.Module):
    """The GPT-2 architecture as nanoGPT's model.py has it, at its CPU config (bench/native-models.ts
    gptTrainingStep): pre-norm blocks of causal self-attention and a 4x GELU MLP, no biases (torch 1.13's
    LayerNorm has no bias=False: its bias is fixed at 0 and not trained), learned positions, the output
    layer tied to the token embedding, GPT-2's init (N(0, 0.02^2), residual projections / sqrt(2L))."""

    def __init__(self, vocab=65, block=64, layers=4, heads=4, width=128):
        super().__init__()
        self.heads, self.vocab = heads, vocab
        self.wte, self.wpe = nn.Embedding(vocab, width), nn.Embedding(block, width)
        self.blocks = nn.ModuleList(
            nn.ModuleDict(dict(
                ln1=nn.LayerNorm(width), qkv=nn.Linear(width, 3 * width, bias=False), proj=nn.Linear(width, width, bias=False),
                ln2=nn.LayerNorm(width), fc=nn.Linear(width, 4 * width, bias=False), out=nn.Linear(4 * width, width, bias=False),
            )) for _ in range(layers))
        self.lnf = nn.LayerNorm(width)
        self.register_buffer("mask", torch.tril(torch.ones(block, block)).view(1, 1, block, block))
        for name, p in self.named_parameters():
            if name.endswith("bias"):  # the LayerNorms' shifts: absent in nanoGPT's bias=False model
                nn.init.zeros_(p)
                p.requires_grad_(False)
            elif name.endswith("weight") and p.dim() == 2:
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * layers) if name.endswith(("proj.weight", "out.weight")) else 0.02)

    def forward(self, idx):
        b, t = idx.shape
        x = self.wte(idx) + self.wpe(torch.arange(t))
        for blk in self.blocks:
            h = blk["ln1"](x)
            q, k, v = blk["qkv"](h).split(x.shape[-1], dim=2)
            q, k, v = (z.view(b, t, self.heads, -1).transpose(1, 2) for z in (q, k, v))  # [B, h, T, d_k]
            att = (q @ k.transpose(-2, -1)) / math.sqrt(k.shape[-1])
            att = F.softmax(att.masked_fill(self.mask[:, :, :t, :t] == 0, float("-inf")), dim=-1)
            x = x + blk["proj"]((att @ v).transpose(1, 2).reshape(b, t, -1))
            x = x + blk["out"](F.gelu(blk["fc"](blk["ln2"](x))))
        return self.lnf(x) @ self.wte.weight.t()  # tied output layer, [B, T, V]


def gpt_optimizer(model, lr=1e-3):
    """nanoGPT's configure_optimizers: AdamW, weight decay 0.1 on the tensors of rank >= 2 only, betas (0.9, 0.99)."""
    params = [p for p in model.parameters() if p.requires_grad]
    return torch.optim.AdamW([{"params": [p for p in params if p.dim() >= 2], "weight_decay": 0.1},
                              {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}], lr=lr, betas=(0.9, 0.99))


def gpt_step_fn(model, x, y):
    opt = gpt_optimizer(model)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x).reshape(-1, model.vocab), y.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        loss.item()

    return step


def train_step_fn(model, x, y, lr=0.05, momentum=0.0, forward=None, adam=False):
    opt = torch.optim.Adam(model.parameters(), lr=lr) if adam else torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)

    def step():
        opt.zero_grad(set_to_none=True)
        logits = forward(x) if forward else model(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def main():
    rows = {}
    q = (lambda n: max(2, n // 4)) if QUICK else (lambda n: n)

    want = lambda key: ONLY is None or ONLY == key

    if want("lenet5"):
        lenet = LeNet5()
        x = torch.randn(64, 1, 32, 32)
        y = torch.arange(64) % 10
        rows["lenet5"] = median_ms(train_step_fn(lenet, x, y), 5, q(40))

    if want("resnet20"):
        resnet = ResNet20()
        resnet.train()
        x = torch.randn(128, 3, 32, 32)
        y = torch.arange(128) % 10
        rows["resnet20"] = median_ms(train_step_fn(resnet, x, y, 0.1, 0.9), 2, q(10))

    if want("lstm"):
        lm = LstmLm()
        tokens = torch.randint(0, 10000, (21, 20))
        state = (torch.zeros(2, 20, 200), torch.zeros(2, 20, 200))
        rows["lstm"] = median_ms(
            train_step_fn(lm, tokens[:-1], tokens[1:].reshape(-1), 1.0, forward=lambda t: lm(t, state)[0]), 3, q(20)
        )

    if want("gru-seq2seq"):
        s2s = Seq2Seq()
        src = torch.randint(0, 7853, (24, 128))
        trg = torch.randint(0, 5893, (24, 128))
        rows["gru-seq2seq"] = median_ms(
            train_step_fn(s2s, src, trg[1:].reshape(-1), 1e-3, forward=lambda s: s2s(s, trg), adam=True), 2, q(5)
        )

    if want("gpt"):
        gpt = Gpt()
        data = torch.randint(0, 65, (12, 65))
        rows["gpt"] = median_ms(gpt_step_fn(gpt, data[:, :-1], data[:, 1:]), 5, q(20))

    if want("matmul"):
        a = torch.randn(1024, 1024)
        b = torch.randn(1024, 1024)
        rows["matmul"] = median_ms(lambda: torch.mm(a, b).sum().item(), 2, q(10))

    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "rows": rows}))


if __name__ == "__main__":
    main()
