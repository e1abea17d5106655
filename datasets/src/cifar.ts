/**
 * The CIFAR-10 binary format (https://www.cs.toronto.edu/~kriz/cifar.html, "Binary version").
 *
 * Each of `data_batch_1..5.bin` and `test_batch.bin` holds 10000 records of 3073 bytes:
 * ```
 * <1 byte label 0–9><1024 bytes red><1024 bytes green><1024 bytes blue>   each plane 32×32 row-major
 * ```
 * so an image is stored CHW. {@link parseCifarBatch} keeps that layout (no copy of the transposition); use
 * `imageToFloat32` / `takeBatch` from `images.ts` for HWC / NHWC floats.
 */
import { DatasetError } from './errors.js';

/** The 10 CIFAR-10 class names, indexed by label (the lines of `batches.meta.txt`). */
export const CIFAR10_CLASSES: readonly string[] = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/** Bytes per CIFAR-10 record: 1 label byte + 3 × 32 × 32 pixels. */
export const CIFAR_RECORD_BYTES = 3073;
/** Pixel bytes per CIFAR image. */
export const CIFAR_IMAGE_BYTES = 3072;

/** The records of one CIFAR-10 binary batch file. */
export interface CifarBatch {
  /** Number of records. */
  count: number;
  /** One label (0–9) per image. */
  labels: Uint8Array;
  /** `[count, 3, 32, 32]` pixels (CHW per image, as stored). */
  pixels: Uint8Array;
}

/** Where {@link parseCifarBatch} may write instead of allocating (to concatenate batches without copies). */
export interface CifarTarget {
  labels: Uint8Array;
  pixels: Uint8Array;
  /** Index of the first record to write. */
  offset: number;
}

/**
 * Parses a CIFAR-10 binary batch (`data_batch_N.bin`, `test_batch.bin`).
 *
 * @param bytes the file's bytes
 * @param file the name used in error messages
 * @param expectedCount when given, the number of records the file must hold
 * @param into when given, write the records there (at `into.offset`) and return views of it
 * @throws {@link DatasetError} `TRUNCATED_FILE` (not a whole number of 3073-byte records, or fewer than expected),
 *   `COUNT_MISMATCH` (more records than expected), `BAD_FORMAT` (a label byte above 9)
 */
export function parseCifarBatch(bytes: Uint8Array, file = '<cifar batch>', expectedCount?: number, into?: CifarTarget): CifarBatch {
  const remedy = `Delete ${file} and rerun so a verified copy is fetched.`;
  if (bytes.length === 0 || bytes.length % CIFAR_RECORD_BYTES !== 0) {
    throw new DatasetError('TRUNCATED_FILE', `not a whole number of ${CIFAR_RECORD_BYTES}-byte records (${Math.floor(bytes.length / CIFAR_RECORD_BYTES)} records and ${bytes.length % CIFAR_RECORD_BYTES} extra bytes)`, {
      file,
      expected: expectedCount !== undefined ? `${expectedCount * CIFAR_RECORD_BYTES} bytes` : `a multiple of ${CIFAR_RECORD_BYTES} bytes`,
      actual: `${bytes.length} bytes`,
      remedy,
    });
  }
  const count = bytes.length / CIFAR_RECORD_BYTES;
  if (expectedCount !== undefined && count !== expectedCount) {
    throw new DatasetError(count < expectedCount ? 'TRUNCATED_FILE' : 'COUNT_MISMATCH', 'wrong number of records', { file, expected: expectedCount, actual: count, remedy });
  }
  const offset = into?.offset ?? 0;
  const labels = into ? into.labels : new Uint8Array(count);
  const pixels = into ? into.pixels : new Uint8Array(count * CIFAR_IMAGE_BYTES);
  if (labels.length < offset + count || pixels.length < (offset + count) * CIFAR_IMAGE_BYTES) {
    throw new DatasetError('BAD_ARGUMENT', 'the target arrays are too small', { expected: `${offset + count} records`, actual: `${labels.length} labels`, remedy: 'Allocate room for every record.' });
  }
  for (let r = 0; r < count; r++) {
    const at = r * CIFAR_RECORD_BYTES;
    const label = bytes[at];
    if (label > 9) {
      throw new DatasetError('BAD_FORMAT', `record ${r} has label byte ${label}`, { file, expected: 'a label 0–9', actual: label, remedy });
    }
    labels[offset + r] = label;
    pixels.set(bytes.subarray(at + 1, at + CIFAR_RECORD_BYTES), (offset + r) * CIFAR_IMAGE_BYTES);
  }
  return {
    count,
    labels: labels.subarray(offset, offset + count),
    pixels: pixels.subarray(offset * CIFAR_IMAGE_BYTES, (offset + count) * CIFAR_IMAGE_BYTES),
  };
}

/** Parses `batches.meta.txt`: one class name per line, blank lines ignored. */
export function parseCifarMeta(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}
