/**
 * Softmax cross-entropy, averaged over the batch — the classification loss with a gradient as simple
 * as the squared error's.
 *
 * J. S. Bridle, "Probabilistic Interpretation of Feedforward Classification Network Outputs, with
 * Relationships to Statistical Pattern Recognition", Neurocomputing (NATO ASI F68), 1990,
 * https://doi.org/10.1007/978-3-642-76153-9_28 (the softmax output with the relative-entropy cost).
 * For logits z [N, C] and targets y [N, C] (one-hot or any distribution):
 *
 *   log p_c = z_c − log Σ_k e^{z_k}                    (log-softmax, computed stably around max z)
 *   L = −(1/N) Σ_n Σ_c y_{n,c} · log p_{n,c}
 *
 *   ∂L/∂z_{n,c} = (p_{n,c} · Σ_k y_{n,k} − y_{n,c}) / N   (= (p − y)/N for one-hot y)
 *   ∂L/∂y_{n,c} = −log p_{n,c} / N
 */
import { Tensor } from './tensor.js';

/** Mean over the batch of −Σ_c labels·logSoftmax(logits); logits and labels are [N, C]. Returns a scalar. */
export function crossEntropy(logits: Tensor, labels: Tensor): Tensor {
  if (logits.rank !== 2 || labels.rank !== 2 || logits.shape[0] !== labels.shape[0] || logits.shape[1] !== labels.shape[1]) {
    throw new RangeError(`crossEntropy: logits [${logits.shape.join(', ')}] and labels [${labels.shape.join(', ')}] must both be [N, C]`);
  }
  const [batch, classes] = logits.shape;
  const logProb = new Float64Array(batch * classes); // [N, C]
  let loss = 0;
  for (let n = 0; n < batch; n++) {
    const row = n * classes;
    let zMax = -Infinity;
    for (let c = 0; c < classes; c++) zMax = Math.max(zMax, logits.data[row + c]);
    let total = 0;
    for (let c = 0; c < classes; c++) total += Math.exp(logits.data[row + c] - zMax);
    const logSumExp = zMax + Math.log(total);
    for (let c = 0; c < classes; c++) {
      logProb[row + c] = logits.data[row + c] - logSumExp;
      loss -= labels.data[row + c] * logProb[row + c];
    }
  }
  return Tensor.fromOp(Float64Array.of(loss / batch), [], [logits, labels], 'crossEntropy', (out) => {
    const g = out.grad[0] / batch;
    for (let n = 0; n < batch; n++) {
      const row = n * classes;
      let labelMass = 0;
      for (let c = 0; c < classes; c++) labelMass += labels.data[row + c];
      for (let c = 0; c < classes; c++) {
        logits.grad[row + c] += g * (Math.exp(logProb[row + c]) * labelMass - labels.data[row + c]);
        labels.grad[row + c] -= g * logProb[row + c];
      }
    }
  });
}
