/**
 * Packing — Z. Lin, A. Khetan, G. Fanti, S. Oh, "PacGAN: The power of two samples in generative
 * adversarial networks", NeurIPS 2018, https://arxiv.org/abs/1712.04086, §3: the discriminator of
 * PacGAN-m judges m samples at once, all real or all generated, concatenated into one input; nothing
 * else of the GAN changes. In the authors' code (github.com/fjxmlzn/PacGAN,
 * synthetic_data_experiments/PacGAN/pacgan/bricks.py l. 62–67) the generator runs m times on m
 * independent noise batches and the m outputs are concatenated along the feature axis; the real
 * batch holds m independent draws per row (datasets.py l. 73–80); D's first layer takes m·d inputs
 * (2DRing_GAN&PacGAN/pacgan_task.py l. 64). m = 1 is the plain GAN.
 *
 * Shapes: m parts [n, d] → [n, m·d]; `packRows`: [m·n, d] → [n, m·d] (rows i·m … i·m + m − 1 form
 * packed example i).
 */
import { tf } from '@paperzoo/tensor';

/** Concatenate m batches [n, d] into one packed batch [n, m·d]: example i is (x₁ᵢ, …, x_mᵢ). */
export function pack(parts: readonly tf.Tensor2D[]): tf.Tensor2D {
  if (parts.length === 0) throw new RangeError('pack: no parts');
  const n = parts[0].shape[0];
  for (const p of parts) if (p.shape[0] !== n) throw new RangeError(`pack: parts of ${parts.map((q) => q.shape[0]).join(', ')} rows; all must have ${n}`);
  return parts.length === 1 ? tf.clone(parts[0]) : tf.concat([...parts], 1);
}

/** Pack m consecutive rows of x [m·n, d] into one example: [n, m·d] (a reshape). */
export function packRows(x: tf.Tensor2D, m: number): tf.Tensor2D {
  if (!Number.isInteger(m) || m < 1 || x.shape[0] % m !== 0) throw new RangeError(`packRows: ${x.shape[0]} rows cannot be packed ${m} at a time`);
  return tf.reshape(x, [x.shape[0] / m, m * x.shape[1]]);
}
