/**
 * gzip decompression with {@link DatasetError}s that say what is wrong with the file.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { DatasetError } from './errors.js';

const gunzipAsync = promisify(zlib.gunzip);

/** True when `bytes` starts with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function gzipError(e: unknown, file: string, compressedBytes: number): DatasetError {
  const code = (e as { code?: string }).code;
  const msg = (e as Error).message ?? String(e);
  if (code === 'Z_BUF_ERROR' || /unexpected end/i.test(msg)) {
    return new DatasetError('TRUNCATED_GZIP', `the gzip stream ends before its end marker after ${compressedBytes} compressed bytes (${msg})`, {
      file,
      remedy: `The file was cut off: delete ${file} and rerun so it is fetched again.`,
      cause: e,
    });
  }
  return new DatasetError('BAD_GZIP', `corrupt gzip stream (${msg})`, {
    file,
    remedy: `Delete ${file} and rerun so it is fetched again.`,
    cause: e,
  });
}

function checkMagic(bytes: Uint8Array, file: string): void {
  if (!isGzip(bytes)) {
    const head = Array.from(bytes.subarray(0, 2), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DatasetError('BAD_GZIP', 'not a gzip file', {
      file,
      expected: 'magic 1f 8b',
      actual: bytes.length < 2 ? `${bytes.length} bytes` : head,
      remedy: `Delete ${file} and rerun so it is fetched again.`,
    });
  }
}

/**
 * Decompresses a whole gzip file held in memory (on the libuv thread pool).
 *
 * @param bytes the compressed bytes
 * @param file the file name used in error messages
 * @throws {@link DatasetError} `BAD_GZIP` (not gzip / corrupt) or `TRUNCATED_GZIP` (cut off)
 */
export async function gunzipBytes(bytes: Uint8Array, file = '<buffer>'): Promise<Uint8Array> {
  checkMagic(bytes, file);
  try {
    const out = await gunzipAsync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    throw gzipError(e, file, bytes.length);
  }
}

/** Synchronous {@link gunzipBytes}. */
export function gunzipBytesSync(bytes: Uint8Array, file = '<buffer>'): Uint8Array {
  checkMagic(bytes, file);
  try {
    const out = zlib.gunzipSync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    throw gzipError(e, file, bytes.length);
  }
}
