"""PyTorch side of bench/native.ts: the same workloads, timed the same way (median ms per step).

Run by bench/native.ts when a Python with torch is found (Debian: apt-get install python3-torch);
prints one JSON object {"torch": version, "threads": n, "rows": {name: ms}} on stdout.
Usage: python3 bench/torch_models.py [--quick] [--threads 2] [--only lenet5|resnet20|lstm|gru-seq2seq|gpt|matmul|maml-sinusoid|protonets|maml-omniglot|vae|iwae|realnvp|realnvp-conv|dcgan|gan-mlp|wgan-gp|pacgan-mixture|cyclegan]
maml-sinusoid is reported twice, as "maml-sinusoid:batched" and "maml-sinusoid:loop" (see maml_sinusoid_fns).
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


# ---------------------------------------------------------------------------------------------------
# Meta-learning (bench/meta-models.ts). The data of a step is drawn once and reused: sampling is not timed.


def sinusoid_batch(tasks=25, shots=10):
    """25 tasks x (K = 10 support + 10 query) points of A sin(x - phi), A ~ U[0.1, 5], phi ~ U[0, pi], x ~ U[-5, 5]: [T, K, 1] each."""
    amp = torch.empty(tasks, 1, 1).uniform_(0.1, 5.0)
    phase = torch.empty(tasks, 1, 1).uniform_(0, math.pi)
    x = torch.empty(tasks, 2 * shots, 1).uniform_(-5, 5)
    y = amp * torch.sin(x - phase)
    return x[:, :shots], y[:, :shots], x[:, shots:], y[:, shots:]


def maml_sinusoid_fns(tasks=25, shots=10, alpha=0.01):
    """One MAML meta-iteration (Finn et al. 2017, sinusoid): 1-40-40-1 ReLU MLP (weights [in, out], truncated-
    normal-like sigma 0.01, zero biases, as cbfinn/maml), one inner SGD step with create_graph=True (exact
    second order), Adam 1e-3 on the mean query MSE. Two formulations of the same maths:
    - batched: the parameters expanded to [T, ...] (a view; its gradient sums over the copies), each layer one
      torch.baddbmm over the 25 tasks, the support loss summed over tasks (so its gradient w.r.t. copy t is
      task t's), one autograd.grad for all tasks: what bench/meta-models.ts does with @paperzoo/meta-learning;
    - loop: a Python loop over the 25 tasks, each with its own autograd.grad and adapted copy, as
      learn2learn / higher / most PyTorch MAML code writes it."""
    sizes = [1, 40, 40, 1]
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params.append((torch.randn(fan_in, fan_out) * 0.01).clamp_(-0.02, 0.02).requires_grad_())
        params.append(torch.zeros(fan_out, requires_grad=True))
    xs, ys, xq, yq = sinusoid_batch(tasks, shots)
    layers = len(sizes) - 1

    def forward_batched(x, ps):  # x [T, n, in]; W [T, in, out], b [T, out]
        h = x
        for l in range(layers):
            h = torch.baddbmm(ps[2 * l + 1].unsqueeze(1), h, ps[2 * l])
            if l < layers - 1:
                h = F.relu(h)
        return h

    def forward_one(x, ps):  # x [n, in]; W [in, out], b [out]
        h = x
        for l in range(layers):
            h = torch.addmm(ps[2 * l + 1], h, ps[2 * l])
            if l < layers - 1:
                h = F.relu(h)
        return h

    def batched_fn():
        opt = torch.optim.Adam(params, lr=1e-3)

        def step():
            opt.zero_grad(set_to_none=True)
            expanded = [p.expand(tasks, *p.shape) for p in params]
            support = ((forward_batched(xs, expanded) - ys) ** 2).mean((1, 2)).sum()
            grads = torch.autograd.grad(support, expanded, create_graph=True)
            adapted = [p - alpha * g for p, g in zip(expanded, grads)]
            loss = ((forward_batched(xq, adapted) - yq) ** 2).mean((1, 2)).sum() / tasks
            loss.backward()
            opt.step()
            return loss.item()

        return step

    def loop_fn():
        opt = torch.optim.Adam(params, lr=1e-3)

        def step():
            opt.zero_grad(set_to_none=True)
            losses = []
            for t in range(tasks):
                support = F.mse_loss(forward_one(xs[t], params), ys[t])
                grads = torch.autograd.grad(support, params, create_graph=True)
                adapted = [p - alpha * g for p, g in zip(params, grads)]
                losses.append(F.mse_loss(forward_one(xq[t], adapted), yq[t]))
            loss = torch.stack(losses).mean()
            loss.backward()
            opt.step()
            return loss.item()

        return step

    return batched_fn, loop_fn


def conv_block(cin, cout):
    """jakesnell/prototypical-networks few_shot.py conv_block: conv 3x3 padding 1 -> BatchNorm2d -> ReLU -> max-pool 2."""
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(), nn.MaxPool2d(2))


def euclidean_dist(x, y):
    """few_shot.py euclidean_dist: ||x_i - y_j||^2 by broadcasting."""
    n, m, d = x.size(0), y.size(0), x.size(1)
    x = x.unsqueeze(1).expand(n, m, d)
    y = y.unsqueeze(0).expand(n, m, d)
    return torch.pow(x - y, 2).sum(2)


def protonets_fn(ways=60, shots=5, queries=5):
    """One Prototypical Networks training episode as few_shot.py's Protonet.loss: support and query through the
    encoder in one batch (NCHW), class-mean prototypes, log_softmax(-d), NLL of the query labels and the
    accuracy, then one Adam 1e-3 step (the authors' train.py optimizer)."""
    encoder = nn.Sequential(conv_block(1, 64), conv_block(64, 64), conv_block(64, 64), conv_block(64, 64), nn.Flatten())
    encoder.train()
    xs = torch.randn(ways, shots, 1, 28, 28)
    xq = torch.randn(ways, queries, 1, 28, 28)
    target = torch.arange(ways).view(ways, 1, 1).expand(ways, queries, 1).long()
    opt = torch.optim.Adam(encoder.parameters(), lr=1e-3)

    def step():
        opt.zero_grad(set_to_none=True)
        x = torch.cat([xs.view(ways * shots, *xs.size()[2:]), xq.view(ways * queries, *xq.size()[2:])], 0)
        z = encoder(x)
        proto = z[: ways * shots].view(ways, shots, z.size(-1)).mean(1)
        dists = euclidean_dist(z[ways * shots:], proto)
        log_p_y = F.log_softmax(-dists, dim=1).view(ways, queries, -1)
        loss = -log_p_y.gather(2, target).squeeze().view(-1).mean()
        _, y_hat = log_p_y.max(2)
        acc = torch.eq(y_hat, target.squeeze()).float().mean()
        loss.backward()
        opt.step()
        return loss.item(), acc.item()

    return step


def maml_omniglot_fn(tasks=32, ways=5, alpha=0.4):
    """One MAML meta-iteration on 5-way 1-shot Omniglot-shaped images (cbfinn/maml forward_conv): 4 blocks of
    conv 3x3 stride 2 (padding 1: the same 28 -> 14 -> 7 -> 4 -> 2 shapes as TF's 'SAME') + bias -> batch norm
    on the batch's statistics with beta only (eps 1e-3; beta not adapted) -> ReLU, the spatial mean, a dense
    head; one inner step of alpha = 0.4 with create_graph=True per task in a loop, Adam 1e-3 on the mean query
    cross-entropy."""
    fast, betas = [], []
    cin = 1
    for _ in range(4):
        fast.append(nn.init.xavier_uniform_(torch.empty(64, cin, 3, 3)).requires_grad_())
        fast.append(torch.zeros(64, requires_grad=True))
        betas.append(torch.zeros(64, requires_grad=True))
        cin = 64
    fast.append(torch.randn(64, ways).requires_grad_())
    fast.append(torch.zeros(ways, requires_grad=True))
    data = [(torch.randn(ways, 1, 28, 28), torch.arange(ways), torch.randn(ways, 1, 28, 28), torch.arange(ways)) for _ in range(tasks)]
    opt = torch.optim.Adam(fast + betas, lr=1e-3)

    def forward(x, ps):
        h = x
        for b in range(4):
            h = F.conv2d(h, ps[2 * b], ps[2 * b + 1], stride=2, padding=1)
            h = F.relu(F.batch_norm(h, None, None, None, betas[b], training=True, eps=1e-3))
        return torch.addmm(ps[9], h.mean((2, 3)), ps[8])

    def step():
        opt.zero_grad(set_to_none=True)
        losses = []
        for sx, sy, qx, qy in data:
            grads = torch.autograd.grad(F.cross_entropy(forward(sx, fast), sy), fast, create_graph=True)
            adapted = [p - alpha * g for p, g in zip(fast, grads)]
            losses.append(F.cross_entropy(forward(qx, adapted), qy))
        loss = torch.stack(losses).mean()
        loss.backward()
        opt.step()
        return loss.item()

    return step



class Vae(nn.Module):
    """@paperzoo/vae-flow's Vae: tanh encoder layers, linear mean and log-variance heads, tanh decoder layers (the
    encoder's reversed), Bernoulli logits; weights N(0, 0.01^2) (Kingma App. C) or Glorot-uniform (Burda), biases 0."""

    def __init__(self, hidden, latent, glorot=False, d=784):
        super().__init__()
        widths = [d] + list(hidden)
        self.encoder = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:]))
        self.mean = nn.Linear(widths[-1], latent)
        self.logvar = nn.Linear(widths[-1], latent)
        dec = [latent] + list(reversed(hidden))
        self.decoder = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dec[:-1], dec[1:]))
        self.output = nn.Linear(dec[-1], d)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                if glorot:
                    nn.init.xavier_uniform_(m.weight)
                else:
                    nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def encode(self, x):
        h = x
        for layer in self.encoder:
            h = torch.tanh(layer(h))
        return self.mean(h), self.logvar(h)

    def log_likelihood(self, x, z):  # Bernoulli: sum_d x*l - softplus(l)
        h = z
        for layer in self.decoder:
            h = torch.tanh(layer(h))
        logits = self.output(h)
        return (x * logits - F.softplus(logits)).sum(-1)


def vae_fn(batch=100):
    """bench/generative-models.ts `vae` (Kingma & Welling 2013, vae-mnist): 784-500-20 tanh, one reparameterised
    sample, analytic KL (App. B), Adagrad 0.02 with the N(0, I) prior as weight decay 1/60000."""
    model = Vae([500], 20)
    x = (torch.rand(batch, 784) < 0.5).float()
    opt = torch.optim.Adagrad(model.parameters(), lr=0.02, weight_decay=1 / 60000)

    def step():
        opt.zero_grad(set_to_none=True)
        mean, logvar = model.encode(x)
        z = mean + torch.exp(0.5 * logvar) * torch.randn_like(mean)
        kl = 0.5 * (mean ** 2 + torch.exp(logvar) - 1 - logvar).sum(-1)
        loss = -(model.log_likelihood(x, z) - kl).mean()
        loss.backward()
        opt.step()
        return loss.item()

    return step


def iwae_fn(batch=20, k=50):
    """bench/generative-models.ts `iwae` (Burda et al. 2015, iwae-mnist): 784-200-200-50 tanh, Glorot, k = 50
    importance samples, log-mean-exp of log p(x, z) - log q(z|x) (eq. 8), Adam 1e-3, eps 1e-4."""
    model = Vae([200, 200], 50, glorot=True)
    x = (torch.rand(batch, 784) < 0.5).float()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-4)
    log2pi = math.log(2 * math.pi)

    def step():
        opt.zero_grad(set_to_none=True)
        mean, logvar = model.encode(x)
        eps = torch.randn(k, *mean.shape)
        z = mean + torch.exp(0.5 * logvar) * eps  # [k, n, J]
        log_prior = -0.5 * (z ** 2 + log2pi).sum(-1)
        log_q = -0.5 * (eps ** 2 + logvar + log2pi).sum(-1)
        log_w = model.log_likelihood(x, z) + log_prior - log_q  # [k, n]
        loss = -(torch.logsumexp(log_w, 0) - math.log(k)).mean()
        loss.backward()
        opt.step()
        return loss.item()

    return step


def dcgan_nets(width=64, latent=100, batch_norm=True):
    """@paperzoo/gan-family's DcganGenerator and DcganDiscriminator (Radford et al. 2015 at MNIST size): G z -> 2w*7*7
    (BN, ReLU) -> 5x5 stride-2 ConvTranspose w (BN, ReLU) -> ConvTranspose 1, tanh; D 5x5 stride-2 conv w (LeakyReLU
    0.2) -> conv 2w (BN, or a bias without it: WGAN-GP's critic; LeakyReLU) -> linear 1; weights N(0, 0.02)."""
    w = width
    gen = nn.Sequential(
        nn.Linear(latent, 2 * w * 49, bias=False), nn.Unflatten(1, (2 * w, 7, 7)), nn.BatchNorm2d(2 * w), nn.ReLU(),
        nn.ConvTranspose2d(2 * w, w, 5, 2, padding=2, output_padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU(),
        nn.ConvTranspose2d(w, 1, 5, 2, padding=2, output_padding=1), nn.Tanh(),
    )
    second = [nn.Conv2d(w, 2 * w, 5, 2, padding=2, bias=False), nn.BatchNorm2d(2 * w)] if batch_norm else [nn.Conv2d(w, 2 * w, 5, 2, padding=2)]
    disc = nn.Sequential(
        nn.Conv2d(1, w, 5, 2, padding=2), nn.LeakyReLU(0.2),
        *second, nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(2 * w * 49, 1),
    )
    for m in list(gen.modules()) + list(disc.modules()):
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0, 0.02)
    return gen, disc


def dcgan_fn(batch=64, width=64, latent=100):
    """bench/generative-models.ts `dcgan` (Radford et al. 2015, dcgan-mnist at w = 64, `dcgan_nets`): one D step (real
    batch + G(z1) detached), then one G step on G(z2) with D's parameters frozen (no D weight gradients, as the tfjs
    step differentiates G's variables only); Adam 2e-4, 0.5."""
    gen, disc = dcgan_nets(width, latent)
    real = torch.rand(batch, 1, 28, 28) * 2 - 1
    opt_g = torch.optim.Adam(gen.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(disc.parameters(), lr=2e-4, betas=(0.5, 0.999))

    def step():
        z1 = torch.randn(batch, latent)
        z2 = torch.randn(batch, latent)
        opt_d.zero_grad(set_to_none=True)
        fake = gen(z1).detach()
        loss_d = F.softplus(-disc(real)).mean() + F.softplus(disc(fake)).mean()
        loss_d.backward()
        opt_d.step()
        for p in disc.parameters():
            p.requires_grad_(False)
        opt_g.zero_grad(set_to_none=True)
        loss_g = F.softplus(-disc(gen(z2))).mean()
        loss_g.backward()
        opt_g.step()
        for p in disc.parameters():
            p.requires_grad_(True)
        return loss_g.item()

    return step


def wgan_gp_fn(batch=64, width=64, latent=100, lam=10.0):
    """bench/generative-models.ts `wgan-gp`: one WGAN-GP critic step (Gulrajani et al. 2017 Alg. 1, gan-family's
    wganCriticStep + gradientPenalty): fakes from the DCGAN generator in training mode (not differentiated), the DCGAN
    critic without batch norm, loss mean f(fake) - mean f(real) + lam * mean (||grad_xhat f(xhat)|| - 1)^2 on
    xhat = eps x + (1 - eps) fake (eps ~ U[0, 1] per example), the norm as sqrt(sum g^2 + 1e-12); the input gradient
    with create_graph=True, so the penalty's backward is a second-order pass; Adam 1e-4, betas (0, 0.9)."""
    gen, critic = dcgan_nets(width, latent, batch_norm=False)
    real = torch.rand(batch, 1, 28, 28) * 2 - 1
    opt = torch.optim.Adam(critic.parameters(), lr=1e-4, betas=(0.0, 0.9))

    def step():
        z = torch.randn(batch, latent)
        eps = torch.rand(batch).view(batch, 1, 1, 1)
        with torch.no_grad():
            fake = gen(z)
        opt.zero_grad(set_to_none=True)
        gap = critic(fake).mean() - critic(real).mean()
        xhat = (eps * real + (1 - eps) * fake).requires_grad_(True)
        (g,) = torch.autograd.grad(critic(xhat).sum(), xhat, create_graph=True)
        norms = torch.sqrt(g.flatten(1).square().sum(1) + 1e-12)
        loss = gap + lam * (norms - 1).square().mean()
        loss.backward()
        opt.step()
        return loss.item()

    return step


class MaxoutMlp(nn.Module):
    """A maxout MLP with one output (@paperzoo/adversarial's MaxoutNetwork as gan-family's MaxoutDiscriminator uses
    it, and gan-family's MixtureDiscriminator): per layer a linear map to units*pieces (column j*units + i is piece j
    of unit i) and the max over the pieces; dropout (inverted) on the input and after each hidden layer when given."""

    def __init__(self, inputs, units, pieces, init):
        super().__init__()
        self.units, self.pieces = units, pieces
        sizes = [inputs] + list(units)
        self.hidden = nn.ModuleList(nn.Linear(a, b * pieces) for a, b in zip(sizes[:-1], units))
        self.out = nn.Linear(sizes[-1], 1)
        for layer in list(self.hidden) + [self.out]:
            init(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, x, input_dropout=0.0, hidden_dropout=0.0):
        if input_dropout:
            x = F.dropout(x, input_dropout)
        for layer, units in zip(self.hidden, self.units):
            x = layer(x).view(x.shape[0], self.pieces, units).amax(1)
            if hidden_dropout:
                x = F.dropout(x, hidden_dropout)
        return self.out(x).view(-1)


def pylearn2_momentum(params, lr, momentum=0.5):
    """gan-family's Pylearn2Momentum: v <- mu v - lr_t g, theta <- theta + v, lr_t = lr(t) (t = updates so far)."""
    velocities = [torch.zeros_like(p) for p in params]
    t = [0]

    @torch.no_grad()
    def apply(grads):
        eta = lr(t[0])
        t[0] += 1
        for p, v, g in zip(params, velocities, grads):
            v.mul_(momentum).sub_(g, alpha=eta)
            p.add_(v)

    return apply


def gan_mlp_fn(batch=100, noise=100):
    """bench/generative-models.ts `gan-mlp` (Goodfellow et al. 2014, gan-mnist's full tier = goodfeli/adversarial
    mnist.yaml): G z ~ N(0, I) 100 -> ReLU 1200 -> ReLU 1200 -> sigmoid 784 (weights U(+-0.05)); D maxout 240 x 5 ->
    maxout 240 x 5 -> 1 (U(+-0.005)), dropout 0.2 on the pixels and 0.5 on the hidden layers. One iteration of
    gan-family's ganSimultaneousIteration: D's loss 1/2 (softplus(-D(x)) + softplus(D(G(z)))) differentiated w.r.t. D;
    the same forward pass replayed from the same RNG state (same z, same dropout masks, D(real) computed and dropped),
    G's non-saturating loss softplus(-D(G(z))) differentiated w.r.t. G; then pylearn2 momentum (lr 0.1 / 1.000004^t,
    mu 0.5) on D, then on G."""
    gen = nn.Sequential(nn.Linear(noise, 1200), nn.ReLU(), nn.Linear(1200, 1200), nn.ReLU(), nn.Linear(1200, 784), nn.Sigmoid())
    for layer in gen:
        if isinstance(layer, nn.Linear):
            nn.init.uniform_(layer.weight, -0.05, 0.05)
            nn.init.zeros_(layer.bias)
    disc = MaxoutMlp(784, (240, 240), 5, lambda w: nn.init.uniform_(w, -0.005, 0.005))
    real = torch.rand(batch, 784)
    g_params, d_params = list(gen.parameters()), list(disc.parameters())
    lr = lambda t: max(1e-6, 0.1 / 1.000004**t)
    g_opt, d_opt = pylearn2_momentum(g_params, lr), pylearn2_momentum(d_params, lr)
    D = lambda x: disc(x, 0.2, 0.5)

    def step():
        state = torch.get_rng_state()
        fake = gen(torch.randn(batch, noise))
        d_loss = 0.5 * (F.softplus(-D(real)).mean() + F.softplus(D(fake)).mean())
        d_grads = torch.autograd.grad(d_loss, d_params)
        torch.set_rng_state(state)  # replay: the same noise and dropout masks
        fake = gen(torch.randn(batch, noise))
        with torch.no_grad():
            D(real)  # draws the real pass's dropout masks, as the first pass did
        g_loss = F.softplus(-D(fake)).mean()
        g_grads = torch.autograd.grad(g_loss, g_params)
        d_opt(d_grads)
        g_opt(g_grads)
        return g_loss.item()

    return step


def cyclegan_fn(batch=1, k=32, blocks=6, dk=64, lam=10.0, ident=0.5):
    """bench/generative-models.ts `cyclegan` (Zhu et al. 2017, cyclegan-mnist's full tier, gan-family's cycleganStep):
    G, F = ReflectionPad(3) c7s1-k, d2k, d4k (stride-2 3x3), `blocks` residual blocks (reflection-padded 3x3 convs),
    u2k, uk (stride-2 3x3 transposed convs), ReflectionPad(3) c7s1-1, tanh; InstanceNorm2d(affine=False) + ReLU after
    every conv but the last; D = C(k) 4x4 s2 LeakyReLU 0.2, C(2k) 4x4 s1 IN LeakyReLU, 4x4 s1 to 1 (padding 1).
    One generators' step on E(D(G(x)) - 1)^2 + E(D(F(y)) - 1)^2 + lam (|F(G(x)) - x| + |G(F(y)) - y|)
    + ident lam (|G(y) - y| + |F(x) - x|), then the discriminators' on (D(y) - 1)^2 / 2 + D(fake)^2 / 2 for both,
    on detached fakes (the tfjs step draws them from a 50-image history: a few host copies, not mirrored);
    Adam 2e-4, betas (0.5, 0.999)."""

    def conv(cin, cout, size, stride=1, pad=0):
        return nn.Conv2d(cin, cout, size, stride, pad)

    class Block(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.body = nn.Sequential(nn.ReflectionPad2d(1), conv(c, c, 3), nn.InstanceNorm2d(c), nn.ReLU(),
                                      nn.ReflectionPad2d(1), conv(c, c, 3), nn.InstanceNorm2d(c))

        def forward(self, x):
            return x + self.body(x)

    def generator():
        layers = [nn.ReflectionPad2d(3), conv(1, k, 7), nn.InstanceNorm2d(k), nn.ReLU(),
                  conv(k, 2 * k, 3, 2, 1), nn.InstanceNorm2d(2 * k), nn.ReLU(),
                  conv(2 * k, 4 * k, 3, 2, 1), nn.InstanceNorm2d(4 * k), nn.ReLU()]
        layers += [Block(4 * k) for _ in range(blocks)]
        layers += [nn.ConvTranspose2d(4 * k, 2 * k, 3, 2, 1, output_padding=1), nn.InstanceNorm2d(2 * k), nn.ReLU(),
                   nn.ConvTranspose2d(2 * k, k, 3, 2, 1, output_padding=1), nn.InstanceNorm2d(k), nn.ReLU(),
                   nn.ReflectionPad2d(3), conv(k, 1, 7), nn.Tanh()]
        return nn.Sequential(*layers)

    def discriminator():
        return nn.Sequential(conv(1, dk, 4, 2, 1), nn.LeakyReLU(0.2), conv(dk, 2 * dk, 4, 1, 1), nn.InstanceNorm2d(2 * dk),
                             nn.LeakyReLU(0.2), conv(2 * dk, 1, 4, 1, 1))

    g, f, dx, dy = generator(), generator(), discriminator(), discriminator()
    x = torch.rand(batch, 1, 28, 28) * 2 - 1
    y = torch.rand(batch, 1, 28, 28) * 2 - 1
    opt_g = torch.optim.Adam(list(g.parameters()) + list(f.parameters()), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(list(dx.parameters()) + list(dy.parameters()), lr=2e-4, betas=(0.5, 0.999))
    l1 = lambda a, b: (a - b).abs().mean()

    def step():
        for p in list(dx.parameters()) + list(dy.parameters()):
            p.requires_grad_(False)
        opt_g.zero_grad(set_to_none=True)
        gx, fy = g(x), f(y)
        loss_g = ((dy(gx) - 1) ** 2).mean() + ((dx(fy) - 1) ** 2).mean() + lam * (l1(f(gx), x) + l1(g(fy), y)) \
            + ident * lam * (l1(g(y), y) + l1(f(x), x))
        loss_g.backward()
        opt_g.step()
        for p in list(dx.parameters()) + list(dy.parameters()):
            p.requires_grad_(True)
        opt_d.zero_grad(set_to_none=True)
        fx, fyy = fy.detach(), gx.detach()
        loss_d = 0.5 * (((dy(y) - 1) ** 2).mean() + (dy(fyy) ** 2).mean()) + 0.5 * (((dx(x) - 1) ** 2).mean() + (dx(fx) ** 2).mean())
        loss_d.backward()
        opt_d.step()
        return loss_g.item() + loss_d.item()

    return step


def pacgan_mixture_fn(batch=100, m=2, g_hidden=(128, 128), d_hidden=(64, 64), lr=1e-3, beta1=0.5):
    """bench/generative-models.ts `pacgan-mixture` (Lin et al. 2018, mode-collapse-mixtures' full tier): G z ~ N(0, I)
    2 -> per layer linear (no bias) -> BatchNorm (eps 1e-4, batch statistics) -> ReLU -> linear 2; D maxout 64 x 5 ->
    maxout 64 x 5 -> 1 on m = 2 samples packed into one input [batch, 4]; weights N(0, 0.02). One iteration of
    mixture-training.ts's simultaneous update: G run m times and packed, G's non-saturating loss differentiated
    w.r.t. G, then D's softplus(-D(x)) + softplus(D(fake)) on the same fakes w.r.t. D; Adam (1e-3, 0.5) each.
    The running BN statistics: BatchNorm1d's own per-pass update (momentum 0.05); gan-family folds the mean of the
    m passes' statistics in afterwards (a few [128] vector ops either way)."""
    layers, fan_in = [], 2
    for units in g_hidden:
        layers += [nn.Linear(fan_in, units, bias=False), nn.BatchNorm1d(units, eps=1e-4, momentum=0.05), nn.ReLU()]
        fan_in = units
    gen = nn.Sequential(*layers, nn.Linear(fan_in, 2))
    for layer in gen:
        if isinstance(layer, nn.Linear):
            nn.init.normal_(layer.weight, 0, 0.02)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
    disc = MaxoutMlp(2 * m, d_hidden, 5, lambda w: nn.init.normal_(w, 0, 0.02))
    k = torch.randint(0, 8, (batch * m,)).float() * (2 * math.pi / 8)
    real = (torch.stack([k.cos(), k.sin()], 1) + 0.01 * torch.randn(batch * m, 2)).view(batch, 2 * m)
    g_params, d_params = list(gen.parameters()), list(disc.parameters())
    opt_g = torch.optim.Adam(g_params, lr=lr, betas=(beta1, 0.999))
    opt_d = torch.optim.Adam(d_params, lr=lr, betas=(beta1, 0.999))

    def step():
        fake = torch.cat([gen(torch.randn(batch, 2)) for _ in range(m)], 1)
        g_loss = F.softplus(-disc(fake)).mean()
        g_grads = torch.autograd.grad(g_loss, g_params)
        fake = fake.detach()
        d_loss = F.softplus(-disc(real)).mean() + F.softplus(disc(fake)).mean()
        d_grads = torch.autograd.grad(d_loss, d_params)
        for p, g in zip(g_params + d_params, g_grads + d_grads):
            p.grad = g
        opt_g.step()
        opt_d.step()
        d_loss.item()
        return g_loss.item()

    return step


class AffineCoupling(nn.Module):
    """@paperzoo/vae-flow's AffineCoupling on the odd/even partition (RealNVP eq. 6): an MLP of `layers` ReLU
    layers of `hidden` units maps the conditioning half to (raw, t); s = scale * tanh(raw); y = x * exp(s) + t."""

    def __init__(self, parity, hidden, layers, half=392):
        super().__init__()
        widths = [half] + [hidden] * layers + [2 * half]
        self.net = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:]))
        for m in self.net:
            nn.init.uniform_(m.weight, -0.01, 0.01)
            nn.init.zeros_(m.bias)
        self.scale = nn.Parameter(torch.ones(half))
        self.parity = parity

    def forward(self, x):
        pairs = x.view(x.shape[0], -1, 2)
        even, odd = pairs[:, :, 0], pairs[:, :, 1]
        cond, trans = (even, odd) if self.parity == 0 else (odd, even)
        h = cond
        for i, layer in enumerate(self.net):
            h = layer(h)
            if i + 1 < len(self.net):
                h = F.relu(h)
        raw, t = h.chunk(2, -1)
        s = self.scale * torch.tanh(raw)
        trans = trans * torch.exp(s) + t
        even, odd = (cond, trans) if self.parity == 0 else (trans, cond)
        return torch.stack([even, odd], 2).view(x.shape[0], -1), s.sum(-1)


def realnvp_fn(batch=200, hidden=956, layers=5):
    """bench/generative-models.ts `realnvp` (nice-realnvp-mnist's affine flow): 4 affine couplings on alternating
    odd/even halves, diagonal scaling exp(S), logistic prior, -mean log p(x), NICE's Adam (1e-3, betas 0.9/0.99,
    eps 1e-4). `hidden` 956: the width whose parameter count matches NICE's 1000 (checked on the TypeScript side)."""
    couplings = nn.ModuleList(AffineCoupling(l % 2, hidden, layers) for l in range(4))
    log_scale = nn.Parameter(torch.zeros(784))
    params = list(couplings.parameters()) + [log_scale]
    x = torch.rand(batch, 784)
    opt = torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.99), eps=1e-4)

    def step():
        opt.zero_grad(set_to_none=True)
        h, log_det = x, torch.zeros(batch)
        for c in couplings:
            h, ld = c(h)
            log_det = log_det + ld
        h = h * torch.exp(log_scale)
        log_det = log_det + log_scale.sum()
        log_prior = -(F.softplus(h) + F.softplus(-h)).sum(-1)
        loss = -(log_prior + log_det).mean()
        loss.backward()
        opt.step()
        return loss.item()

    return step



class MaskedAffineCoupling(nn.Module):
    """@paperzoo/vae-flow's AffineCoupling with a mask partition b (RealNVP eq. 9): (s, t) = net(b * x) split on
    channels, s = scale * tanh(raw), both zeroed where b = 1; y = x * exp(s) + t; net = conv3x3(64)-ReLU-conv3x3."""

    def __init__(self, mask, channels, hidden=64):
        super().__init__()
        self.register_buffer("mask", mask)  # [1, C, H, W]
        self.net = nn.Sequential(nn.Conv2d(channels, hidden, 3, padding=1), nn.ReLU(), nn.Conv2d(hidden, 2 * channels, 3, padding=1))
        for m in self.net:
            if isinstance(m, nn.Conv2d):
                nn.init.normal_(m.weight, 0, 0.05)
                nn.init.zeros_(m.bias)
        self.scale = nn.Parameter(torch.ones(1, channels, 1, 1))

    def forward(self, x):
        raw, t = self.net(x * self.mask).chunk(2, 1)
        s = self.scale * torch.tanh(raw) * (1 - self.mask)
        return x * torch.exp(s) + t * (1 - self.mask), s.sum((1, 2, 3))


class BatchNormFlow(nn.Module):
    """Batch norm as a flow layer (RealNVP §3.7, eq. 10), batch statistics: log-det = H*W * sum(log gamma - log(var + eps)/2)."""

    def __init__(self, channels, eps=1e-4, momentum=0.9):
        super().__init__()
        self.log_gamma = nn.Parameter(torch.zeros(1, channels, 1, 1))
        self.beta = nn.Parameter(torch.zeros(1, channels, 1, 1))
        self.register_buffer("running_mean", torch.zeros(1, channels, 1, 1))
        self.register_buffer("running_var", torch.ones(1, channels, 1, 1))
        self.eps, self.momentum = eps, momentum

    def forward(self, x):
        mean = x.mean((0, 2, 3), keepdim=True)
        var = ((x - mean) ** 2).mean((0, 2, 3), keepdim=True)
        with torch.no_grad():
            self.running_mean.mul_(self.momentum).add_((1 - self.momentum) * mean)
            self.running_var.mul_(self.momentum).add_((1 - self.momentum) * var)
        y = (x - mean) / torch.sqrt(var + self.eps) * torch.exp(self.log_gamma) + self.beta
        log_det = (self.log_gamma - 0.5 * torch.log(var + self.eps)).sum() * x.shape[2] * x.shape[3]
        return y, log_det.expand(x.shape[0])


def checkerboard(h, w, parity):
    i = torch.arange(h).view(h, 1)
    j = torch.arange(w).view(1, w)
    return (((i + j) % 2) == parity).float().view(1, 1, h, w)


def realnvp_conv_fn(batch=64):
    """bench/generative-models.ts `realnvp-conv`: one scale of RealNVP's image model on 1x28x28 (NCHW here, NHWC
    there): 3 checkerboard affine couplings, squeeze to 4x14x14, 3 channel-mask couplings, a batch-norm flow layer
    after each coupling, Gaussian prior, Adam 1e-3."""
    first = nn.ModuleList()
    for i in range(3):
        first.append(MaskedAffineCoupling(checkerboard(28, 28, i % 2), 1))
        first.append(BatchNormFlow(1))
    second = nn.ModuleList()
    for i in range(3):
        mask = torch.zeros(1, 4, 1, 1)
        mask[:, :2] = 1.0 if i % 2 == 0 else 0.0
        mask[:, 2:] = 0.0 if i % 2 == 0 else 1.0
        second.append(MaskedAffineCoupling(mask.expand(1, 4, 14, 14).contiguous(), 4))
        second.append(BatchNormFlow(4))
    params = list(first.parameters()) + list(second.parameters())
    x = torch.rand(batch, 1, 28, 28)
    opt = torch.optim.Adam(params, lr=1e-3)
    log2pi = math.log(2 * math.pi)

    def step():
        opt.zero_grad(set_to_none=True)
        h, log_det = x, torch.zeros(batch)
        for layer in first:
            h, ld = layer(h)
            log_det = log_det + ld
        b, c, hh, ww = h.shape
        h = h.view(b, c, hh // 2, 2, ww // 2, 2).permute(0, 1, 3, 5, 2, 4).reshape(b, 4 * c, hh // 2, ww // 2)
        for layer in second:
            h, ld = layer(h)
            log_det = log_det + ld
        log_prior = -0.5 * (h ** 2 + log2pi).sum((1, 2, 3))
        loss = -(log_prior + log_det).mean()
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

    if want("maml-sinusoid"):
        batched, loop = maml_sinusoid_fns()
        rows["maml-sinusoid:batched"] = median_ms(batched(), 30, q(40))
        rows["maml-sinusoid:loop"] = median_ms(loop(), 10, q(20))

    if want("protonets"):
        rows["protonets"] = median_ms(protonets_fn(), 2, q(5))

    if want("maml-omniglot"):
        rows["maml-omniglot"] = median_ms(maml_omniglot_fn(), 1, q(3))

    if want("vae"):
        rows["vae"] = median_ms(vae_fn(), 20, q(40))

    if want("iwae"):
        rows["iwae"] = median_ms(iwae_fn(), 10, q(20))

    if want("realnvp"):
        rows["realnvp"] = median_ms(realnvp_fn(), 3, q(10))

    if want("realnvp-conv"):
        rows["realnvp-conv"] = median_ms(realnvp_conv_fn(), 3, q(10))

    if want("dcgan"):
        rows["dcgan"] = median_ms(dcgan_fn(), 3, q(10))

    if want("gan-mlp"):
        rows["gan-mlp"] = median_ms(gan_mlp_fn(), 5, q(20))

    if want("wgan-gp"):
        rows["wgan-gp"] = median_ms(wgan_gp_fn(), 3, q(10))

    if want("pacgan-mixture"):
        rows["pacgan-mixture"] = median_ms(pacgan_mixture_fn(), 30, q(60))

    if want("cyclegan"):
        rows["cyclegan"] = median_ms(cyclegan_fn(), 5, q(20))

    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "rows": rows}))


if __name__ == "__main__":
    main()
