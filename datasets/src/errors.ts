/**
 * The one error class of `@paperzoo/datasets`.
 *
 * Every failure a user can run into (a corrupt download, a truncated file, a file that is not what its
 * name says, no network and no mirror) is a {@link DatasetError} with a machine-readable {@link DatasetErrorCode}.
 * The message always names the file, says what was expected and what was found, and ends with the remedy.
 */

/**
 * Why a dataset operation failed.
 *
 * | code | meaning |
 * |---|---|
 * | `UNKNOWN_DATASET` | the dataset name is not in the registry |
 * | `UNKNOWN_FILE` | the file is not part of the dataset's registry entry |
 * | `CHECKSUM_MISMATCH` | a file (mirror, bundled, downloaded or extracted) has the right size but the wrong sha256 |
 * | `SIZE_MISMATCH` | a file has more bytes than the registry says (or a different size that is not a truncation) |
 * | `TRUNCATED_FILE` | a file is shorter than it must be (registry size, or the length its own header announces) |
 * | `TRUNCATED_GZIP` | a gzip stream ends before its end marker |
 * | `BAD_GZIP` | the bytes are not a gzip stream, or it is corrupt |
 * | `BAD_IDX_MAGIC` | an IDX file's magic number is wrong (not IDX, wrong element type or wrong rank) |
 * | `COUNT_MISMATCH` | two things that must have the same length do not (images vs labels, en vs de lines, registry count) |
 * | `BAD_FORMAT` | the content does not follow its format (bad CIFAR label, non-numeric airfoil row, ...) |
 * | `BAD_TSV` | a TSV row has the wrong number of columns, or the header is not the expected one |
 * | `BAD_ZIP` | the bytes are not a readable zip archive |
 * | `BAD_TAR` | the bytes are not a readable tar archive |
 * | `BAD_PNG` | a PNG inside an archive cannot be decoded |
 * | `MISSING_ZIP_MEMBER` | a zip archive lacks a member we need |
 * | `MISSING_TAR_MEMBER` | a tar archive lacks a member we need |
 * | `NO_NETWORK_NO_MIRROR` | the file is in no mirror, bundle or cache, and no URL could be reached |
 * | `DOWNLOAD_FAILED` | URLs were reached but every attempt failed (HTTP errors, transfers cut off) |
 * | `OFFLINE` | the file is missing locally and downloads are disabled (`offline` / `PAPERZOO_OFFLINE=1`) |
 * | `BAD_ARGUMENT` | an argument is out of range (a split name, a batch size, a validation size) |
 */
export type DatasetErrorCode =
  | 'UNKNOWN_DATASET'
  | 'UNKNOWN_FILE'
  | 'CHECKSUM_MISMATCH'
  | 'SIZE_MISMATCH'
  | 'TRUNCATED_FILE'
  | 'TRUNCATED_GZIP'
  | 'BAD_GZIP'
  | 'BAD_IDX_MAGIC'
  | 'COUNT_MISMATCH'
  | 'BAD_FORMAT'
  | 'BAD_TSV'
  | 'BAD_ZIP'
  | 'BAD_TAR'
  | 'BAD_PNG'
  | 'MISSING_ZIP_MEMBER'
  | 'MISSING_TAR_MEMBER'
  | 'NO_NETWORK_NO_MIRROR'
  | 'DOWNLOAD_FAILED'
  | 'OFFLINE'
  | 'BAD_ARGUMENT';

/** The fields of a {@link DatasetError} besides its code. */
export interface DatasetErrorInit {
  /** The file concerned: a path, a URL, or `dataset/file`. */
  file?: string;
  /** What was expected (a sha256, a byte count, a magic number, a column count...). */
  expected?: string | number;
  /** What was found instead. */
  actual?: string | number;
  /** What the user should do about it, e.g. `delete X and rerun`. */
  remedy?: string;
  /** The underlying error, when there is one. */
  cause?: unknown;
}

/**
 * A dataset failure with a stable {@link DatasetErrorCode}.
 *
 * The message has the form `[CODE] <file>: <what went wrong> (expected <e>, got <a>). <remedy>`.
 *
 * @example
 * ```ts
 * try { await loadCifar10({ split: 'train' }); }
 * catch (e) { if (e instanceof DatasetError && e.code === 'NO_NETWORK_NO_MIRROR') ... }
 * ```
 */
export class DatasetError extends Error {
  /** The machine-readable reason. */
  readonly code: DatasetErrorCode;
  /** The file concerned, when there is one. */
  readonly file: string | undefined;
  /** What was expected. */
  readonly expected: string | number | undefined;
  /** What was found. */
  readonly actual: string | number | undefined;
  /** What to do about it. */
  readonly remedy: string | undefined;

  constructor(code: DatasetErrorCode, what: string, init: DatasetErrorInit = {}) {
    const parts = [`[${code}]`];
    parts.push(init.file !== undefined ? `${init.file}: ${what}` : what);
    let message = parts.join(' ');
    if (init.expected !== undefined || init.actual !== undefined) {
      message += ` (expected ${String(init.expected ?? '?')}, got ${String(init.actual ?? '?')})`;
    }
    if (!/[.!?)]$/.test(message)) message += '.';
    if (init.remedy) message += ` ${init.remedy}`;
    super(message, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = 'DatasetError';
    this.code = code;
    this.file = init.file;
    this.expected = init.expected;
    this.actual = init.actual;
    this.remedy = init.remedy;
  }
}

/** True when `e` is a {@link DatasetError}, optionally with the given code. */
export function isDatasetError(e: unknown, code?: DatasetErrorCode): e is DatasetError {
  return e instanceof DatasetError && (code === undefined || e.code === code);
}
