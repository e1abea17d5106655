/**
 * The IDX file format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/, "FILE FORMATS").
 *
 * ```
 * magic   4 bytes: 0x00 0x00 <type> <rank>     type 0x08 = uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
 * dims    rank × uint32, big endian            [count, rows, cols] for images (magic 2051), [count] for labels (2049)
 * data    count × rows × cols elements, big endian, row-major
 * ```
 */
import { DatasetError } from './errors.js';
import { gunzipBytesSync, isGzip } from './gzip.js';

/** Element types of the IDX format. */
export type IdxDataType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** A typed array of one of the IDX element types. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A parsed IDX file of any element type and rank. */
export interface IdxArray {
  /** Element type. */
  dtype: IdxDataType;
  /** Dimensions, outermost first. */
  shape: number[];
  /** Row-major elements (for uint8, a view into the decompressed bytes). */
  data: IdxData;
}

/** A parsed IDX image file (magic 2051): `count` images of `rows × cols` uint8 pixels. */
export interface IdxImages {
  /** Number of images. */
  count: number;
  /** Image height. */
  rows: number;
  /** Image width. */
  cols: number;
  /** `[count, rows, cols]` row-major pixels, 0 = background, 255 = ink. */
  pixels: Uint8Array;
}

/** A parsed IDX label file (magic 2049). */
export interface IdxLabels {
  /** Number of labels. */
  count: number;
  /** One uint8 label per item. */
  labels: Uint8Array;
}

const TYPES: Record<number, { dtype: IdxDataType; size: number }> = {
  0x08: { dtype: 'uint8', size: 1 },
  0x09: { dtype: 'int8', size: 1 },
  0x0b: { dtype: 'int16', size: 2 },
  0x0c: { dtype: 'int32', size: 4 },
  0x0d: { dtype: 'float32', size: 4 },
  0x0e: { dtype: 'float64', size: 8 },
};

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
const remedyFor = (file: string): string => `Delete ${file} and rerun so a verified copy is fetched.`;

/**
 * Parses an IDX file; gzip-compressed input (`.gz`) is decompressed first.
 *
 * @param bytes the file's bytes (raw IDX or gzip)
 * @param file the name used in error messages
 * @throws {@link DatasetError} `BAD_IDX_MAGIC`, `TRUNCATED_FILE`, `SIZE_MISMATCH`, `TRUNCATED_GZIP`, `BAD_GZIP`
 */
export function parseIdx(bytes: Uint8Array, file = '<idx>'): IdxArray {
  const raw = isGzip(bytes) ? gunzipBytesSync(bytes, file) : bytes;
  if (raw.length < 4) {
    throw new DatasetError('TRUNCATED_FILE', 'too short for an IDX header', { file, expected: 'at least 4 bytes', actual: `${raw.length} bytes`, remedy: remedyFor(file) });
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const magic = view.getUint32(0, false);
  const type = TYPES[raw[2]];
  if (raw[0] !== 0 || raw[1] !== 0 || !type || raw[3] === 0) {
    throw new DatasetError('BAD_IDX_MAGIC', 'not an IDX file', {
      file,
      expected: 'magic 0x0000TTRR (TT an IDX type 08/09/0b/0c/0d/0e, RR the rank), e.g. 0x00000803 (2051) for images',
      actual: hex(magic),
      remedy: remedyFor(file),
    });
  }
  const rank = raw[3];
  const headerBytes = 4 + 4 * rank;
  if (raw.length < headerBytes) {
    throw new DatasetError('TRUNCATED_FILE', `too short for an IDX header of rank ${rank}`, { file, expected: `at least ${headerBytes} bytes`, actual: `${raw.length} bytes`, remedy: remedyFor(file) });
  }
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const elements = shape.reduce((a, b) => a * b, 1);
  const dataBytes = elements * type.size;
  const have = raw.length - headerBytes;
  if (have < dataBytes) {
    throw new DatasetError('TRUNCATED_FILE', `the header announces shape [${shape.join(', ')}] but the data is cut off`, {
      file,
      expected: `${dataBytes} data bytes`,
      actual: `${have} bytes`,
      remedy: remedyFor(file),
    });
  }
  if (have > dataBytes) {
    throw new DatasetError('SIZE_MISMATCH', `${have - dataBytes} bytes follow the data announced by the header (shape [${shape.join(', ')}])`, {
      file,
      expected: `${dataBytes} data bytes`,
      actual: `${have} bytes`,
      remedy: remedyFor(file),
    });
  }
  let data: IdxData;
  switch (type.dtype) {
    case 'uint8':
      data = raw.subarray(headerBytes, headerBytes + dataBytes);
      break;
    case 'int8':
      data = new Int8Array(raw.buffer, raw.byteOffset + headerBytes, elements);
      break;
    default: {
      const out =
        type.dtype === 'int16' ? new Int16Array(elements) : type.dtype === 'int32' ? new Int32Array(elements) : type.dtype === 'float32' ? new Float32Array(elements) : new Float64Array(elements);
      for (let i = 0; i < elements; i++) {
        const o = headerBytes + i * type.size;
        out[i] =
          type.dtype === 'int16' ? view.getInt16(o, false) : type.dtype === 'int32' ? view.getInt32(o, false) : type.dtype === 'float32' ? view.getFloat32(o, false) : view.getFloat64(o, false);
      }
      data = out;
    }
  }
  return { dtype: type.dtype, shape, data };
}

/**
 * Parses an IDX image file (uint8, rank 3, magic 2051), gzip or raw.
 *
 * @throws {@link DatasetError} `BAD_IDX_MAGIC` when it is not a uint8 rank-3 IDX file, and the errors of {@link parseIdx}
 */
export function parseIdxImages(bytes: Uint8Array, file = '<idx images>'): IdxImages {
  const a = parseIdx(bytes, file);
  if (a.dtype !== 'uint8' || a.shape.length !== 3) {
    throw new DatasetError('BAD_IDX_MAGIC', 'not an IDX image file', {
      file,
      expected: '0x00000803 (2051: uint8, rank 3)',
      actual: `${a.dtype}, rank ${a.shape.length}`,
      remedy: `Check that ${file} is an images file (not a labels file).`,
    });
  }
  const [count, rows, cols] = a.shape;
  return { count, rows, cols, pixels: a.data as Uint8Array };
}

/**
 * Parses an IDX label file (uint8, rank 1, magic 2049), gzip or raw.
 *
 * @throws {@link DatasetError} `BAD_IDX_MAGIC` when it is not a uint8 rank-1 IDX file, and the errors of {@link parseIdx}
 */
export function parseIdxLabels(bytes: Uint8Array, file = '<idx labels>'): IdxLabels {
  const a = parseIdx(bytes, file);
  if (a.dtype !== 'uint8' || a.shape.length !== 1) {
    throw new DatasetError('BAD_IDX_MAGIC', 'not an IDX label file', {
      file,
      expected: '0x00000801 (2049: uint8, rank 1)',
      actual: `${a.dtype}, rank ${a.shape.length}`,
      remedy: `Check that ${file} is a labels file (not an images file).`,
    });
  }
  return { count: a.shape[0], labels: a.data as Uint8Array };
}

/**
 * Writes an IDX file (uint8 only): the inverse of {@link parseIdx}, used to build test fixtures.
 */
export function encodeIdxUint8(shape: readonly number[], data: Uint8Array): Uint8Array {
  const header = new Uint8Array(4 + 4 * shape.length);
  const view = new DataView(header.buffer);
  view.setUint32(0, 0x0800 | shape.length, false);
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(header.length + data.length);
  out.set(header, 0);
  out.set(data, header.length);
  return out;
}
