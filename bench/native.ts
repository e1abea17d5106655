/**
 * Native-backend benchmark (not a test): `npm run bench:native` from the repository root.
 *
 * Times the workloads below on our CPU backends and, when a Python with torch is found (Debian:
 * `apt-get install python3-torch`), on PyTorch in the same run (bench/torch_models.py, the same
 * models), and prints ms per step and the ratio to PyTorch. The training steps minimise paperzoo's
 * softmaxCrossEntropy (fused into one kernel each way on native, as PyTorch's F.cross_entropy is):
 * - LeNet-5 training step, batch 64 (packages/tensor/test/models.ts; SGD);
 * - ResNet-20 CIFAR training step, batch 128 (bench/native-models.ts; batch norm, SGD with momentum);
 * - 2-layer LSTM language-model training step: 200 units, unroll 20, batch 20, vocabulary 10 000;
 * - GRU attention encoder–decoder training step (Bahdanau et al. 2014 in the shape of bentrevett/
 *   pytorch-seq2seq notebook 3: vocabularies 7853 → 5893, embedding 256, bidirectional encoder 2 × 512,
 *   decoder 512, batch 128, 24 → 24 tokens, teacher forcing, Adam);
 * - a 1024×1024 fp32 matmul, in GFLOP/s, next to the addon's raw OpenBLAS sgemm and oneDNN matmul (the ceilings);
 * - meta-learning (bench/meta-models.ts, @paperzoo/meta-learning; data drawn once, sampling not timed on
 *   either side): a MAML sinusoid meta-iteration (25 tasks batched, K = 10 + 10, 1-40-40-1 MLP, one
 *   second-order inner step, Adam), a Prototypical Networks episode (60-way 5-shot 5-query 28×28, 4-block
 *   conv encoder, Adam) and a MAML Omniglot meta-iteration (32 tasks of 5-way 1-shot, per-task loop,
 *   second order, Adam). PyTorch runs the MAML sinusoid step two ways, batched (bmm over [25, …]
 *   parameters) and as a loop over the 25 tasks (learn2learn/higher style); the ratio is to the faster.
 * - generative models (bench/generative-models.ts, @paperzoo/vae-flow; batch drawn once): a VAE step (Kingma &
 *   Welling's MNIST model, batch 100), an IWAE step (Burda et al., batch 20, k = 50), an affine-coupling
 *   flow step (RealNVP's coupling law at NICE's size, batch 200), one scale of RealNVP's image model, and a
 *   DCGAN step (Radford et al.'s MNIST model at w = 64, batch 64: one D step + one G step; @paperzoo/gan-family),
 *   and three more GAN steps of @paperzoo/gan-family: the 2014 GAN's MNIST iteration (Goodfellow et al.'s MLP
 *   generator and maxout discriminator, batch 100, simultaneous update, pylearn2 momentum SGD), a WGAN-GP critic
 *   step (Gulrajani et al. Alg. 1: the DCGAN critic without batch norm at w = 64, batch 64, gradient penalty =
 *   a second-order gradient, Adam) and a PacGAN2 iteration on the 2-D ring (mode-collapse-mixtures' full tier).
 *
 * The machine may be shared, so the run goes in rounds: each round times every workload on every
 * backend and then on PyTorch under three thread-wait settings (native's, passive, libgomp's default),
 * workload by workload; the table shows each system's best round and the ratio to PyTorch's fastest
 * setting, plus native's ratio in every round.
 *
 * Environment: BENCH_BACKENDS=native,wasm (default; cpu is ~100× slower), BENCH_ROUNDS (default 3),
 * BENCH_WORKLOADS=lenet5,resnet20,lstm,gru-seq2seq,gpt,matmul,maml-sinusoid,protonets,maml-omniglot,vae,iwae,realnvp,realnvp-conv,dcgan,gan-mlp,wgan-gp,pacgan-mixture,cyclegan (default: all eighteen), BENCH_QUICK=1 (fewer repetitions), BENCH_PYTHON=/usr/bin/python3 (which Python runs PyTorch;
 * BENCH_PYTHON=none skips it), PAPERZOO_NATIVE_THREADS (default 2; PyTorch gets the same number).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { tf, initBackend, backendExtras, seed, type BackendName } from '@paperzoo/tensor';
import { trainingStep } from './native-models.js';
import { median, timeIt } from './timing.js';

const QUICK = process.env.BENCH_QUICK === '1';
const THREADS = Number(process.env.PAPERZOO_NATIVE_THREADS) || 2;
const q = (n: number): number => (QUICK ? Math.max(2, Math.ceil(n / 4)) : n);

type Workload = 'lenet5' | 'resnet20' | 'lstm' | 'gru-seq2seq' | 'gpt' | 'matmul' | 'maml-sinusoid' | 'protonets' | 'maml-omniglot' | 'vae' | 'iwae' | 'realnvp' | 'realnvp-conv' | 'dcgan' | 'gan-mlp' | 'cyclegan' | 'wgan-gp' | 'pacgan-mixture';
// Warm-up runs are not timed (lenet5 60: V8 optimises the JS of a step after a few dozen calls;
// steady state is what a training run sees).
const ALL_WORKLOADS: { key: Workload; label: string; warmup: number; reps: number }[] = [
  { key: 'lenet5', label: 'LeNet-5 training step, batch 64', warmup: 60, reps: 40 },
  { key: 'resnet20', label: 'ResNet-20 CIFAR training step, batch 128', warmup: 2, reps: 10 },
  { key: 'lstm', label: '2-layer LSTM LM step (200 units, unroll 20, batch 20, vocab 10k)', warmup: 6, reps: 20 },
  { key: 'gru-seq2seq', label: 'GRU attention seq2seq step (Bahdanau; vocab 7853→5893, enc 2×512, dec 512, batch 128, 24→24, Adam)', warmup: 2, reps: 5 },
  { key: 'gpt', label: 'GPT step (nanoGPT CPU config: 4 layers, 4 heads, 128 wide, context 64, batch 12, AdamW, clip 1)', warmup: 5, reps: 20 },
  { key: 'matmul', label: 'matmul 1024×1024 fp32', warmup: 2, reps: 10 },
  { key: 'maml-sinusoid', label: 'MAML sinusoid meta-iteration (25 tasks, K = 10 + 10, 1-40-40-1 MLP, 1 inner step, second order, Adam)', warmup: 30, reps: 40 },
  { key: 'protonets', label: 'ProtoNets episode (60-way 5-shot 5-query, 28×28, 4-block conv encoder, Adam)', warmup: 2, reps: 5 },
  { key: 'maml-omniglot', label: 'MAML Omniglot meta-iteration (32 tasks of 5-way 1-shot, conv encoder, 1 inner step, second order, Adam)', warmup: 1, reps: 3 },
  { key: 'vae', label: 'VAE step (Kingma & Welling MNIST: batch 100, 784-500-20 tanh, Bernoulli, analytic KL, Adagrad)', warmup: 20, reps: 40 },
  { key: 'iwae', label: 'IWAE step (Burda et al.: batch 20, 784-200-200-50 tanh, k = 50, Adam)', warmup: 10, reps: 20 },
  { key: 'realnvp', label: 'affine-coupling flow step (RealNVP coupling law on MNIST vectors: 4 couplings of 5×956 ReLU MLPs, batch 200, Adam)', warmup: 3, reps: 10 },
  { key: 'dcgan', label: 'DCGAN step on MNIST (Radford et al.: w = 64, one D step + one G step, batch-norm, transposed convs, batch 64, Adam)', warmup: 3, reps: 10 },
  { key: 'realnvp-conv', label: 'RealNVP step, one scale on 28×28×1 (3 checkerboard + squeeze + 3 channel affine couplings, conv 64 nets, batch-norm flow layers, batch 64, Adam)', warmup: 3, reps: 10 },
  { key: 'gan-mlp', label: '2014 GAN iteration on MNIST (Goodfellow et al.: G 100-1200-1200-784, maxout D 240×5 ×2 with dropout, batch 100, simultaneous D + G update, momentum SGD)', warmup: 5, reps: 20 },
  { key: 'wgan-gp', label: 'WGAN-GP critic step on MNIST (Gulrajani et al. Alg. 1: DCGAN critic without BN, w = 64, batch 64, gradient penalty = second-order gradient, Adam)', warmup: 3, reps: 10 },
  { key: 'pacgan-mixture', label: 'PacGAN2 iteration on the 2-D ring (Lin et al.: G 2-128-128-2 BN, maxout D 64×5 ×2 on packed pairs, batch 100, simultaneous D + G update, Adam)', warmup: 30, reps: 60 },
  { key: 'cyclegan', label: 'CycleGAN iteration on MNIST (Zhu et al.: ResNet G and F k = 32, 6 blocks, instance norm, reflection padding; PatchGAN D k = 64; batch 1; LSGAN + cycle + identity; Adam)', warmup: 5, reps: 20 },
];
/**
 * Workloads PyTorch runs in more than one formulation (bench/torch_models.py reports each under
 * `key:formulation`; the table's PyTorch columns and ratios take the fastest, and a line below names each).
 */
const TORCH_FORMULATIONS: Partial<Record<Workload, { key: string; label: string }[]>> = {
  'maml-sinusoid': [
    { key: 'maml-sinusoid:batched', label: 'batched (bmm over [25, …] parameters)' },
    { key: 'maml-sinusoid:loop', label: 'loop over the 25 tasks (learn2learn/higher style)' },
  ],
};
const chosen = process.env.BENCH_WORKLOADS?.split(',').map((w) => w.trim());
for (const w of chosen ?? []) {
  if (!ALL_WORKLOADS.some((x) => x.key === w)) throw new Error(`BENCH_WORKLOADS: unknown workload '${w}'; choose from ${ALL_WORKLOADS.map((x) => x.key).join(', ')}`);
}
const WORKLOADS = chosen == null ? ALL_WORKLOADS : ALL_WORKLOADS.filter((w) => chosen.includes(w.key));

/** Median ms of one run of a workload: a training step (bench/native-models.ts's `trainingStep`) or the matmul. */
function runWorkload(w: (typeof ALL_WORKLOADS)[number], reps: number): number {
  seed(1);
  if (w.key === 'matmul') {
    const a = tf.randomNormal([1024, 1024], 0, 1, 'float32', 1);
    const b = tf.randomNormal([1024, 1024], 0, 1, 'float32', 2);
    const ms = timeIt(() => tf.tidy(() => void tf.sum(tf.matMul(a, b)).dataSync()), w.warmup, reps);
    tf.dispose([a, b]);
    return ms;
  }
  const workload = trainingStep(w.key);
  const ms = timeIt(workload.step, w.warmup, reps);
  workload.dispose();
  return ms;
}

/** The addon's raw sgemm on 1024² (no tfjs in the loop) with OpenBLAS and with oneDNN: the ceilings. */
async function rawGemmMs(reps: number): Promise<{ openblas: number; dnnl: number } | undefined> {
  try {
    const specifier = '@paperzoo/tensor-native';
    const mod = await import(specifier);
    const addon = mod.loadAddon();
    if (addon == null) return undefined;
    const n = 1024;
    const a = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i));
    const c = new Float32Array(n * n);
    const time = (lib: 'openblas' | 'dnnl'): number => {
      mod.setGemmLibrary(lib);
      return timeIt(() => addon.gemm(a, b, c, 1, n, n, n, false, false, 0, 0), 2, reps);
    };
    const current = mod.getGemmLibrary();
    const r = { openblas: time('openblas'), dnnl: time('dnnl') };
    mod.setGemmLibrary(current);
    return r;
  } catch {
    return undefined;
  }
}

/** PyTorch runs under each of these thread-wait settings; the ratio is to its fastest. */
const POLICIES = ['native', 'passive', 'default'] as const;

function findPython(): string | undefined {
  const asked = process.env.BENCH_PYTHON;
  if (asked === 'none') return undefined;
  for (const candidate of asked ? [asked] : ['python3', '/usr/bin/python3']) {
    const r = spawnSync(candidate, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return candidate;
  }
  return undefined;
}

/**
 * PyTorch's median ms for one workload, in a fresh process. `policy`: 'native' runs it with the
 * thread-wait settings the native backend runs with (OMP_WAIT_POLICY, GOMP_SPINCOUNT: see
 * packages/tensor-native/src/addon.ts), 'passive' with OMP_WAIT_POLICY=passive alone (no spinning),
 * 'default' with libgomp's default (threads spin
 * a while before sleeping: PyTorch out of the box).
 */
function runTorch(python: string, key: Workload, policy: (typeof POLICIES)[number]): { version: string; ms: number; rows: Record<string, number> } | string {
  const script = path.join(import.meta.dirname, 'torch_models.py');
  const env = { ...process.env };
  if (policy !== 'native') {
    delete env.OMP_WAIT_POLICY;
    delete env.GOMP_SPINCOUNT;
  }
  if (policy === 'passive') env.OMP_WAIT_POLICY = 'passive';
  const r = spawnSync(python, [script, '--threads', String(THREADS), '--only', key, ...(QUICK ? ['--quick'] : [])], { encoding: 'utf8', maxBuffer: 1 << 24, env });
  if (r.status !== 0) return `PyTorch run failed: ${(r.stderr || '').trim().split('\n').pop()}`;
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { torch: string; rows: Record<string, number> };
  const formulations = TORCH_FORMULATIONS[key];
  return { version: out.torch, ms: formulations ? Math.min(...formulations.map((f) => out.rows[f.key])) : out.rows[key], rows: out.rows };
}

// Rounds: each round times every workload on every backend and then on PyTorch (both thread-wait
// policies), workload by workload, so that both sides of a ratio are measured minutes apart at most;
// the table reports each system's best round (the machine is shared: a slow round is interference).
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 3;
const results: Record<string, Partial<Record<Workload, number[]>>> = {};
const torchMs: Record<(typeof POLICIES)[number], Partial<Record<Workload, number[]>>> = { native: {}, passive: {}, default: {} };
/** Each PyTorch formulation's runs (all policies and rounds), for the workloads of TORCH_FORMULATIONS. */
const torchFormulationMs: Record<string, number[]> = {};
const notes: string[] = [];
const wanted = (process.env.BENCH_BACKENDS ?? 'native,wasm').split(',') as BackendName[];
const available: BackendName[] = [];
for (const backend of wanted) {
  try {
    await initBackend({ backend });
    available.push(backend);
    results[backend] = {};
  } catch (e) {
    notes.push(`${backend}: not available (${(e as Error).message.split('. ')[0]})`);
  }
}
const python = findPython();
if (!python) notes.push('PyTorch: not found (apt-get install python3-torch, or BENCH_PYTHON=…); the ratio column is empty');
let torchVersion = '';
const rawRuns = { openblas: [] as number[], dnnl: [] as number[] };
for (let round = 0; round < ROUNDS; round++) {
  for (const w of WORKLOADS) {
    for (const backend of available) {
      if (backend === 'cpu' && w.key !== 'lenet5' && w.key !== 'matmul') continue;
      await initBackend({ backend });
      const ms = runWorkload(w, backend === 'cpu' ? 2 : q(w.reps));
      (results[backend][w.key] ??= []).push(ms);
      process.stderr.write(`round ${round + 1}: ${backend} ${w.key} ${ms.toFixed(1)} ms\n`);
    }
    if (w.key === 'matmul' && results.native) {
      await initBackend({ backend: 'native' });
      const r = await rawGemmMs(q(10));
      if (r) {
        rawRuns.openblas.push(r.openblas);
        rawRuns.dnnl.push(r.dnnl);
      }
    }
    if (!python) continue;
    for (const policy of POLICIES) {
      const r = runTorch(python, w.key, policy);
      if (typeof r === 'string') {
        if (!notes.includes(r)) notes.push(r);
        continue;
      }
      torchVersion = r.version;
      (torchMs[policy][w.key] ??= []).push(r.ms);
      for (const f of TORCH_FORMULATIONS[w.key] ?? []) (torchFormulationMs[f.key] ??= []).push(r.rows[f.key]);
      const detail = (TORCH_FORMULATIONS[w.key] ?? []).map((f) => `${f.key} ${r.rows[f.key].toFixed(1)}`).join(', ');
      process.stderr.write(`round ${round + 1}: PyTorch (${policy}) ${w.key} ${r.ms.toFixed(1)} ms${detail ? ` (${detail})` : ''}\n`);
    }
  }
}
const raw = rawRuns.openblas.length ? { openblas: Math.min(...rawRuns.openblas), dnnl: Math.min(...rawRuns.dnnl) } : undefined;

const best = (xs: number[] | undefined): number | undefined => (xs == null || xs.length === 0 ? undefined : Math.min(...xs));
const fmt = (ms: number | undefined): string => (ms == null ? '–' : ms.toFixed(ms < 10 ? 2 : 1));
const backends = Object.keys(results);
console.log(`\n@paperzoo/tensor-native benchmark — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${THREADS} threads, Node ${process.versions.node}, ${ROUNDS} rounds, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
if (results.native) console.log(`native: ${backendExtras('native').libraries ?? ''}`);
if (torchVersion) console.log(`PyTorch ${torchVersion} (${python}), ${THREADS} threads; "as native": the native backend's thread waits (OMP_WAIT_POLICY=${process.env.OMP_WAIT_POLICY ?? '(unset)'}, GOMP_SPINCOUNT=${process.env.GOMP_SPINCOUNT ?? '(unset)'}), "passive": OMP_WAIT_POLICY=passive alone, "default": libgomp's default (spin ~300 000 rounds, then sleep)`);
console.log('\nMedian ms per step (best of the rounds); the ratio is to the fastest PyTorch configuration.\n');
console.log(`| workload | ${backends.map((b) => `${b} ms`).join(' | ')} | PyTorch as native ms | PyTorch passive ms | PyTorch default ms | ${backends.map((b) => `${b} / PyTorch`).join(' | ')} | native / PyTorch per round (median) |`);
console.log(`|---|${backends.map(() => '---:').join('|')}|---:|---:|---:|${backends.map(() => '---:').join('|')}|---|`);
for (const w of WORKLOADS) {
  const byPolicy = POLICIES.map((p) => best(torchMs[p][w.key]));
  const known = byPolicy.filter((v): v is number => v != null);
  const t = known.length === 0 ? undefined : Math.min(...known);
  const cells = backends.map((b) => fmt(best(results[b][w.key])));
  const ratios = backends.map((b) => (t != null && best(results[b][w.key]) != null ? `${(best(results[b][w.key])! / t).toFixed(2)}×` : '–'));
  const perRound = (results.native?.[w.key] ?? []).flatMap((ms, i) => {
    const ts = POLICIES.map((p) => torchMs[p][w.key]?.[i]).filter((v): v is number => v != null);
    return ts.length === 0 ? [] : [ms / Math.min(...ts)];
  });
  const perRoundText = perRound.length === 0 ? '–' : `${perRound.map((r) => `${r.toFixed(2)}×`).join(', ')} (${median(perRound).toFixed(2)}×)`;
  console.log(`| ${w.label} | ${cells.join(' | ')} | ${byPolicy.map(fmt).join(' | ')} | ${ratios.join(' | ')} | ${perRoundText} |`);
}
for (const w of WORKLOADS) {
  const formulations = TORCH_FORMULATIONS[w.key];
  if (!formulations || !formulations.some((f) => torchFormulationMs[f.key])) continue;
  console.log(`\n${w.key}: PyTorch by formulation (best of the rounds and thread-wait settings): ${formulations.map((f) => `${f.label} ${fmt(best(torchFormulationMs[f.key]))} ms`).join('; ')}`);
}
const gf = (ms: number | undefined): string => (ms == null ? '–' : ((2 * 1024 ** 3) / ms / 1e6).toFixed(1));
const torchMatmul = POLICIES.map((p) => best(torchMs[p].matmul)).filter((v): v is number => v != null);
const nativeMatmul = best(results.native?.matmul);
console.log(`\nmatmul 1024² GFLOP/s: ${backends.map((b) => `${b} ${gf(best(results[b].matmul))}`).join(', ')}, PyTorch ${gf(torchMatmul.length ? Math.min(...torchMatmul) : undefined)}, raw OpenBLAS sgemm ${gf(raw?.openblas)}, raw oneDNN matmul ${gf(raw?.dnnl)}` +
  (raw != null && nativeMatmul != null ? ` — native is ${((100 * raw.openblas) / nativeMatmul).toFixed(0)}% of OpenBLAS` : ''));
for (const n of notes) console.log(`note: ${n}`);
