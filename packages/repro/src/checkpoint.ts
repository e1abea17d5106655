/**
 * Checkpoints: everything needed to continue a run exactly — tensors (model variables, optimizer
 * slots), the global RNG state, counters, curves and any JSON state — in one file written atomically.
 *
 * File format (`checkpoint.pzck`):
 *
 * ```
 * bytes 0–7   magic "PZCKPT01"
 * bytes 8–11  header length H (uint32, little-endian)
 * 12 … 12+H   header: UTF-8 JSON (run identity, epoch, step, rng, curves, state, tensor table)
 * padding     to an 8-byte boundary
 * data        each tensor's values, little-endian, at the offset the tensor table gives
 * ```
 *
 * A checkpoint records the run's id, tier, seed and config; loading it into a run with a different
 * one throws a {@link CheckpointMismatchError} rather than silently mixing runs.
 *
 * Where it lives: each run has its own folder, `results/<tier>/runs/<seed>-<backend>-<hash>/`
 * ({@link runKey}: the hash is of id, tier, seed, config and backend), holding the run's lock file,
 * its checkpoint (`checkpoint/checkpoint.pzck`) and its outputs before they are published to
 * `results/<tier>/`. Two runs that differ in any of those never share a checkpoint; `--resume` finds
 * the one of the same identity.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tf, getRngState, setRngState, type RngState } from '@paperzoo/tensor';
import type { CurveLog, Curves } from './curves.js';
import { CheckpointMismatchError } from './errors.js';
import { exists, writeFileAtomic } from './fsutil.js';

/** JSON-serialisable data. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

/** What a caller hands to {@link CheckpointStore.save}. */
export interface CheckpointSnapshot {
  /** Completed epochs (the epoch to continue with). */
  epoch: number;
  /** Completed optimizer steps. */
  step: number;
  /** Named tensors to store; they are read, not disposed. */
  tensors: Record<string, tf.Tensor>;
  /** Any JSON state of the caller (the fit loop keeps its history and mid-epoch position here). */
  state?: JsonValue;
  /** The RNG state to store; default: the global generator's state now. */
  rng?: RngState;
  /** A checkpoint taken inside an epoch (on interrupt), not at its end. */
  partial?: boolean;
}

/** A checkpoint read back. The caller owns (and must dispose) `tensors`. */
export interface LoadedCheckpoint {
  epoch: number;
  step: number;
  tensors: Record<string, tf.Tensor>;
  state: JsonValue;
  rng: RngState;
  curves: Curves;
  savedAt: string;
  backend: string;
  file: string;
}

/** Who a checkpoint belongs to. */
export interface CheckpointIdentity {
  id: string;
  tier: string;
  seed: number;
  config: unknown;
  backend: string;
}

interface TensorEntry {
  name: string;
  dtype: 'float32' | 'int32' | 'bool';
  shape: number[];
  offset: number;
  byteLength: number;
}

interface Header {
  format: 'paperzoo-checkpoint';
  version: 1;
  identity: CheckpointIdentity;
  savedAt: string;
  epoch: number;
  step: number;
  rng: RngState;
  curves: Curves;
  state: JsonValue;
  tensors: TensorEntry[];
}

const MAGIC = 'PZCKPT01';

/** Canonical JSON (sorted keys) for comparing configs. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => {
    if (val && typeof val === 'object' && !Array.isArray(val)) {
      return Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return val;
  });
}

/** The folder name of one run identity: `<seed>-<backend>-<12 hex digits of sha256(identity)>`. */
export function runKey(identity: CheckpointIdentity): string {
  const hash = createHash('sha256')
    .update(canonicalJson({ id: identity.id, tier: identity.tier, seed: identity.seed, config: identity.config ?? null, backend: identity.backend }))
    .digest('hex')
    .slice(0, 12);
  const safeBackend = identity.backend.replace(/[^A-Za-z0-9_.-]/g, '_');
  return `${identity.seed}-${safeBackend}-${hash}`;
}

/** Why a checkpoint of `theirs` cannot continue a run of `mine` (empty: it can; the backend only warns). */
export function identityDifferences(theirs: CheckpointIdentity, mine: CheckpointIdentity): string[] {
  const differences: string[] = [];
  if (theirs.id !== mine.id) differences.push(`it belongs to '${theirs.id}', not '${mine.id}'`);
  if (theirs.tier !== mine.tier) differences.push(`it is from the ${theirs.tier} tier`);
  if (theirs.seed !== mine.seed) differences.push(`it was made with seed ${theirs.seed}, this run uses ${mine.seed}`);
  if (canonicalJson(theirs.config) !== canonicalJson(mine.config)) {
    const a = (theirs.config ?? {}) as Record<string, unknown>;
    const b = (mine.config ?? {}) as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => canonicalJson(a[k]) !== canonicalJson(b[k]));
    differences.push(`its config differs in ${keys.map((k) => `${k} (${canonicalJson(a[k])} there, ${canonicalJson(b[k])} here)`).join(', ')}`);
  }
  return differences;
}

/** The header of a checkpoint file (identity, epoch, step, savedAt) without reading its tensors; null if unreadable. */
export async function readCheckpointHeader(file: string): Promise<{ identity: CheckpointIdentity; epoch: number; step: number; savedAt: string } | null> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, 'r');
    const head = Buffer.alloc(12);
    await handle.read(head, 0, 12, 0);
    if (head.subarray(0, 8).toString('latin1') !== MAGIC) return null;
    const length = head.readUInt32LE(8);
    const body = Buffer.alloc(length);
    const { bytesRead } = await handle.read(body, 0, length, 12);
    if (bytesRead !== length) return null;
    const h = JSON.parse(body.toString('utf8')) as Header;
    return { identity: h.identity, epoch: h.epoch, step: h.step, savedAt: h.savedAt };
  } catch {
    return null;
  } finally {
    await handle?.close();
  }
}

/** Serialise tensors + header into the checkpoint byte format. */
export async function encodeCheckpoint(header: Omit<Header, 'format' | 'version' | 'tensors'>, tensors: Record<string, tf.Tensor>): Promise<Uint8Array> {
  if (os.endianness() !== 'LE') throw new Error('checkpoints are little-endian; this machine is big-endian');
  const entries: TensorEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (t.dtype !== 'float32' && t.dtype !== 'int32' && t.dtype !== 'bool') throw new TypeError(`checkpoint: tensor '${name}' has dtype ${t.dtype}; only float32, int32 and bool are stored`);
    const data = await t.data();
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    entries.push({ name, dtype: t.dtype, shape: [...t.shape], offset, byteLength: bytes.byteLength });
    chunks.push(bytes);
    const padded = Math.ceil(bytes.byteLength / 8) * 8;
    if (padded > bytes.byteLength) chunks.push(new Uint8Array(padded - bytes.byteLength));
    offset += padded;
  }
  const full: Header = { format: 'paperzoo-checkpoint', version: 1, ...header, tensors: entries };
  const headerBytes = new TextEncoder().encode(JSON.stringify(full));
  const headerEnd = 12 + headerBytes.byteLength;
  const dataStart = Math.ceil(headerEnd / 8) * 8;
  const out = new Uint8Array(dataStart + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, headerBytes.byteLength, true);
  out.set(headerBytes, 12);
  let at = dataStart;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Parse the checkpoint byte format; tensors are created with tf and owned by the caller. */
export function decodeCheckpoint(bytes: Uint8Array, file = 'checkpoint'): { header: Header; tensors: Record<string, tf.Tensor> } {
  const bad = (why: string) => new CheckpointMismatchError(file, `the file is damaged or not a paperzoo checkpoint (${why})`);
  if (bytes.byteLength < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw bad('no PZCKPT01 magic');
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + headerLength > bytes.byteLength) throw bad('truncated header');
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as Header;
  } catch {
    throw bad('unreadable header');
  }
  if (header.format !== 'paperzoo-checkpoint' || header.version !== 1) throw bad(`format ${header.format} version ${header.version}`);
  const dataStart = Math.ceil((12 + headerLength) / 8) * 8;
  const tensors: Record<string, tf.Tensor> = {};
  for (const e of header.tensors) {
    const start = dataStart + e.offset;
    if (start + e.byteLength > bytes.byteLength) {
      tf.dispose(Object.values(tensors));
      throw bad(`tensor '${e.name}' runs past the end of the file`);
    }
    const copy = bytes.slice(start, start + e.byteLength); // aligned copy
    const values = e.dtype === 'float32' ? new Float32Array(copy.buffer) : e.dtype === 'int32' ? new Int32Array(copy.buffer) : new Uint8Array(copy.buffer);
    tensors[e.name] = tf.tensor(values, e.shape, e.dtype);
  }
  return { header, tensors };
}

/** Saves and loads the checkpoint of one run (`results/<tier>/runs/<run key>/checkpoint/checkpoint.pzck`). */
export interface CheckpointStore {
  /** Whether this run was asked to resume (`--resume`). */
  readonly resume: boolean;
  /** The checkpoint file. */
  readonly file: string;
  /** The epoch of the last checkpoint this run saved, or null. */
  readonly lastSavedEpoch: number | null;
  exists(): Promise<boolean>;
  /** Write a checkpoint atomically; the curves logged so far and the run identity are added. */
  save(snapshot: CheckpointSnapshot): Promise<void>;
  /**
   * When resuming and a checkpoint exists: check it belongs to this run, restore the curves and the
   * global RNG state from it, and return it (the caller disposes its tensors). Otherwise null.
   */
  load(): Promise<LoadedCheckpoint | null>;
  /** Delete the checkpoint (the harness does this after a completed run). */
  clear(): Promise<void>;
}

export interface CheckpointStoreOptions {
  dir: string;
  identity: CheckpointIdentity;
  curves: CurveLog;
  resume: boolean;
  onSave?: (info: { epoch: number; step: number; file: string; partial: boolean }) => void;
  onLoad?: (info: { epoch: number; step: number; file: string; savedAt: string }) => void;
  onWarn?: (text: string) => void;
}

/** The checkpoint store the harness gives each run context. */
export function createCheckpointStore(options: CheckpointStoreOptions): CheckpointStore {
  const file = path.join(options.dir, 'checkpoint.pzck');
  let lastSavedEpoch: number | null = null;
  return {
    resume: options.resume,
    file,
    get lastSavedEpoch() {
      return lastSavedEpoch;
    },
    exists: () => exists(file),
    async save(snapshot) {
      const bytes = await encodeCheckpoint(
        {
          identity: options.identity,
          savedAt: new Date().toISOString(),
          epoch: snapshot.epoch,
          step: snapshot.step,
          rng: snapshot.rng ?? getRngState(),
          curves: options.curves.snapshot(),
          state: snapshot.state ?? null,
        },
        snapshot.tensors,
      );
      await writeFileAtomic(file, bytes);
      lastSavedEpoch = snapshot.epoch;
      options.onSave?.({ epoch: snapshot.epoch, step: snapshot.step, file, partial: snapshot.partial ?? false });
    },
    async load() {
      if (!options.resume || !(await exists(file))) return null;
      const { header, tensors } = decodeCheckpoint(new Uint8Array(await fs.readFile(file)), file);
      const mine = options.identity;
      const theirs = header.identity;
      const differences = identityDifferences(theirs, mine);
      if (differences.length) {
        tf.dispose(Object.values(tensors));
        throw new CheckpointMismatchError(file, differences.join('; '));
      }
      if (theirs.backend !== mine.backend) {
        options.onWarn?.(`the checkpoint was made on the ${theirs.backend} backend and this run uses ${mine.backend}; the continued run will not be bit-identical`);
      }
      options.curves.restore(header.curves);
      setRngState(header.rng);
      lastSavedEpoch = header.epoch;
      options.onLoad?.({ epoch: header.epoch, step: header.step, file, savedAt: header.savedAt });
      return { epoch: header.epoch, step: header.step, tensors, state: header.state, rng: header.rng, curves: header.curves, savedAt: header.savedAt, backend: theirs.backend, file };
    },
    async clear() {
      await fs.rm(options.dir, { recursive: true, force: true });
    },
  };
}
