/**
 * The meta-learning workloads of bench/native.ts (and bench/profile-native.ts), built from
 * @paperzoo/meta-learning the way its training loops build a step; bench/torch_models.py mirrors them.
 * Each step's data is drawn once at set-up and reused (sampling is excluded on both sides):
 *
 * - `maml-sinusoid`: one MAML meta-iteration on sinusoid regression (Finn et al. 2017, §5.1; as
 *   packages/meta-learning/src/sinusoid-training.ts `trainSinusoid` builds it): meta-batch 25 tasks,
 *   K = 10 support + 10 query points, the 1-40-40-1 ReLU MLP, one inner SGD step α = 0.01 with the exact
 *   second-order meta-gradient, Adam 1e-3; the 25 tasks batched through parameters broadcast to [25, …].
 * - `protonets`: one Prototypical Networks episode (Snell et al. 2017) on Omniglot-shaped random images:
 *   60-way 5-shot 5-query (600 images 28×28×1, NHWC), the 4-block conv encoder (conv 3×3 64 + bias → batch
 *   norm in training mode → ReLU → max-pool 2), squared Euclidean distances to the prototypes, log-softmax
 *   NLL, Adam 1e-3.
 * - `maml-omniglot`: one MAML meta-iteration on 5-way 1-shot Omniglot-shaped images: meta-batch 32 tasks of
 *   5 support + 5 query images, the MAML conv encoder (strided convs, BN β only on batch statistics,
 *   spatial mean, dense head), one inner step α = 0.4, second order, the BN β not adapted (as the authors'
 *   code), a loop over tasks, Adam 1e-3.
 */
import { tf, randomNormal, softmaxCrossEntropy } from '@paperzoo/tensor';
import { Adam } from '@paperzoo/core-autograd';
import { ConvEncoder, Mlp, disposeSinusoidBatch, mamlStep, prototypicalLoss, sampleSinusoidBatch, taskMeanMse, taskSummedMse, type MamlTask, type Params } from '@paperzoo/meta-learning';
import type { TrainingStep } from './native-models.js';

export type MetaWorkload = 'maml-sinusoid' | 'protonets' | 'maml-omniglot';

export function metaTrainingStep(workload: MetaWorkload): TrainingStep {
  if (workload === 'maml-sinusoid') return mamlSinusoidStep();
  if (workload === 'protonets') return protonetsStep();
  return mamlOmniglotStep();
}

/** `trainSinusoid`'s step: 25 tasks, K = 10 + 10, one inner step α = 0.01, second order, Adam 1e-3. */
function mamlSinusoidStep(tasks = 25, shots = 10): TrainingStep {
  const net = new Mlp({ seed: 1 });
  const optimizer = new Adam({ learningRate: 1e-3 });
  const b = sampleSinusoidBatch(tasks, shots, shots);
  const task: MamlTask = { support: (p: Params) => taskSummedMse(net.forward(b.supportX, p), b.supportY), query: (p: Params) => taskMeanMse(net.forward(b.queryX, p), b.queryY) };
  return {
    step() {
      mamlStep(optimizer, net.variables, [task], { steps: 1, learningRate: 0.01, batch: tasks }); // reads the loss back
    },
    dispose() {
      optimizer.dispose();
      net.dispose();
      disposeSinusoidBatch(b);
    },
  };
}

/** One 60-way 5-shot 5-query episode as protonets-training.ts `trainPrototypical` steps it. */
function protonetsStep(ways = 60, shots = 5, queries = 5): TrainingStep {
  const encoder = new ConvEncoder({ variant: 'protonets', seed: 1 });
  const optimizer = new Adam({ learningRate: 1e-3 });
  const [support, query, labels] = tf.tidy(() => [
    randomNormal([ways * shots, 28, 28, 1]) as tf.Tensor4D,
    randomNormal([ways * queries, 28, 28, 1]) as tf.Tensor4D,
    tf.tensor1d(Array.from({ length: ways * queries }, (_, i) => Math.floor(i / queries)), 'int32'), // class-major
  ]);
  const variables = Object.values(encoder.variables);
  return {
    step() {
      let accuracy: tf.Scalar | null = null;
      const loss = optimizer.minimize(
        () => {
          const r = prototypicalLoss((x) => encoder.apply(x, { training: true }), support, query, labels, ways, shots);
          accuracy = tf.keep(r.accuracy);
          return r.loss;
        },
        true,
        variables,
      )!;
      loss.dataSync();
      tf.dispose([loss, accuracy!]);
    },
    dispose() {
      optimizer.dispose();
      encoder.dispose();
      tf.dispose([support, query, labels]);
    },
  };
}

/** One MAML meta-iteration on 32 tasks of 5-way 1-shot 28×28 images (5 support + 5 query each), per-task loop. */
function mamlOmniglotStep(tasks = 32, ways = 5): TrainingStep {
  const encoder = new ConvEncoder({ variant: 'maml', classes: ways, seed: 1 });
  const optimizer = new Adam({ learningRate: 1e-3 });
  const data = tf.tidy(() =>
    Array.from({ length: tasks }, () => ({
      sx: randomNormal([ways, 28, 28, 1]) as tf.Tensor4D,
      sy: tf.oneHot(tf.range(0, ways, 1, 'int32'), ways) as tf.Tensor2D,
      qx: randomNormal([ways, 28, 28, 1]) as tf.Tensor4D,
      qy: tf.oneHot(tf.range(0, ways, 1, 'int32'), ways) as tf.Tensor2D,
    })),
  );
  const loss = (x: tf.Tensor4D, y: tf.Tensor2D) => (p: Params) => encoder.withParameters(p, () => softmaxCrossEntropy(y, encoder.apply(x, { training: true })));
  const mamlTasks: MamlTask[] = data.map((d) => ({ support: loss(d.sx, d.sy), query: loss(d.qx, d.qy) }));
  return {
    step() {
      mamlStep(optimizer, encoder.variables, mamlTasks, { steps: 1, learningRate: 0.4, adapt: (n) => !n.includes('/bn/') });
    },
    dispose() {
      optimizer.dispose();
      encoder.dispose();
      tf.dispose(data.flatMap((d) => [d.sx, d.sy, d.qx, d.qy]));
    },
  };
}
