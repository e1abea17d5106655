/**
 * Getting a verified copy of a dataset file onto the local disk.
 *
 * Lookup order for `fetchFile(dataset, file)`:
 *
 * 1. the package's own folder (`datasets/<dataset>/<file>` in the repository; MNIST is committed there),
 * 2. the mirror folder (`PAPERZOO_DATA_MIRROR` or the `mirror` option; layout `<mirror>/<dataset>/<file>`),
 * 3. the cache (`PAPERZOO_CACHE` or the `cacheDir` option, default `~/.cache/paperzoo`; layout `<cache>/<dataset>/<file>`),
 * 4. a download into the cache: each of the file's URLs in turn (redirects followed, transient failures
 *    retried with exponential backoff), then the archives that contain it (downloaded, extracted, verified).
 *
 * Every copy is checked against the registry's size and sha256 before it is used. A bundled or mirror file
 * with the wrong bytes is an error (it is never used, and never silently skipped); a corrupt cached file is
 * deleted and fetched again. Downloads stream into a temporary file while being hashed and are renamed into
 * place only once verified, so a crash never leaves a half-written file under the final name.
 *
 * Verifying a large file costs a full read, so a verified file gets a small stamp (size, mtime, inode): a
 * `<file>.verified` file next to cached files, and `<cache>/.verified/<hash of path>.json` for read-only
 * mirror and bundled files. While the stamp matches the file's `stat`, the file is not hashed again.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { normaliseMemberName, unzipMembers, walkTarGz, type TarSink } from './archive.js';
import { DatasetError, type DatasetErrorCode } from './errors.js';
import { getDataset, getFileEntry, isDatasetName, registry, type AlternateEncoding, type ArchiveEntry, type DatasetEntry, type DatasetName, type FileEntry } from './registry.js';

/** Where a fetched file was found. */
export type FetchSource = 'bundled' | 'mirror' | 'cache' | 'download' | 'archive';

/** A progress report from {@link fetchFile}. Library code never prints; callers decide how to show these. */
export type FetchEvent =
  | { kind: 'found'; dataset: string; file: string; source: FetchSource; path: string }
  | { kind: 'verify'; dataset: string; file: string; path: string; bytesDone: number; bytesTotal: number }
  | { kind: 'corrupt'; dataset: string; file: string; path: string; reason: string }
  | { kind: 'download'; dataset: string; file: string; url: string; attempt: number; bytesDone: number; bytesTotal: number | null }
  | { kind: 'retry'; dataset: string; file: string; url: string; attempt: number; delayMs: number; reason: string }
  | { kind: 'extract'; dataset: string; file: string; archive: string; member: string };

/** Options of {@link fetchFile} (and of every loader). */
export interface FetchOptions {
  /**
   * Mirror folder laid out as `<mirror>/<dataset>/<file>`; relative paths resolve against `process.cwd()`.
   * Default: `PAPERZOO_DATA_MIRROR`. `null` disables the mirror even when the variable is set.
   */
  mirror?: string | null;
  /** Cache folder. Default: `PAPERZOO_CACHE`, else `~/.cache/paperzoo`. */
  cacheDir?: string;
  /** Search the package's own folder (`datasets/<dataset>/`, where MNIST is committed). Default true. */
  bundled?: boolean;
  /** Never download; fail with `OFFLINE` when the file is not local. Default: `PAPERZOO_OFFLINE=1`. */
  offline?: boolean;
  /** Attempts per URL for transient failures (cut-off transfers, timeouts, HTTP 5xx/429). Default 3. */
  retries?: number;
  /** Delay before the second attempt; doubles for each further attempt. Default 1000 ms. */
  backoffMs?: number;
  /** Abort an attempt when the connection is idle this long. Default 30000 ms. */
  timeoutMs?: number;
  /** Keep downloaded archives in the cache after extracting them. Default false. */
  keepArchives?: boolean;
  /** Progress reports (found / verify / download / retry / extract / corrupt). */
  onProgress?: (event: FetchEvent) => void;
  /** Cancels downloads. */
  signal?: AbortSignal;
}

/** What {@link fetchFileWithInfo} returns. */
export interface FetchResult {
  /** Absolute path of the verified file. */
  path: string;
  /** Where it was found. */
  source: FetchSource;
  /** Its size in bytes. */
  bytes: number;
  /** `canonical` when it matches the registry sha256, `alternate` when it is the entry's alternate encoding. */
  encoding: 'canonical' | 'alternate';
}

/** The effective locations {@link fetchFile} uses for a set of options. */
export interface FetchConfig {
  /** Absolute mirror folder, or null. */
  mirror: string | null;
  /** Absolute cache folder. */
  cacheDir: string;
  /** Absolute folder of the committed (bundled) files, or null when disabled. */
  bundledDir: string | null;
  /** Whether downloads are disabled. */
  offline: boolean;
}

/** The package folder (`datasets/`), which holds the committed MNIST files. Works from `src/` and `dist/`. */
export const BUNDLED_DIR = fileURLToPath(new URL('..', import.meta.url));

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}

/** Resolves options and environment variables into absolute locations (see {@link FetchConfig}). */
export function resolveFetchConfig(opts: FetchOptions = {}): FetchConfig {
  const envMirror = process.env.PAPERZOO_DATA_MIRROR;
  const mirrorRaw = opts.mirror === undefined ? (envMirror && envMirror.trim() !== '' ? envMirror : null) : opts.mirror;
  const envCache = process.env.PAPERZOO_CACHE;
  const cacheRaw = opts.cacheDir ?? (envCache && envCache.trim() !== '' ? envCache : path.join(os.homedir(), '.cache', 'paperzoo'));
  const envOffline = (process.env.PAPERZOO_OFFLINE ?? '').toLowerCase();
  return {
    mirror: mirrorRaw === null ? null : path.resolve(process.cwd(), expandHome(mirrorRaw)),
    cacheDir: path.resolve(process.cwd(), expandHome(cacheRaw)),
    bundledDir: opts.bundled === false ? null : BUNDLED_DIR,
    offline: opts.offline ?? (envOffline === '1' || envOffline === 'true' || envOffline === 'yes'),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Verification

interface Expectation {
  bytes?: number;
  sha256?: string;
  md5?: string;
  alternate?: AlternateEncoding;
}

interface Digests {
  size: number;
  sha256: string;
  md5: string | null;
}

type Verdict =
  | { ok: true; encoding: 'canonical' | 'alternate' }
  | { ok: false; code: DatasetErrorCode; what: string; expected: string | number; actual: string | number };

function sizeVerdict(size: number, exp: Expectation): Verdict | null {
  if (exp.bytes === undefined) return null;
  if (size === exp.bytes || (exp.alternate && size === exp.alternate.bytes)) return null;
  const expected = exp.alternate ? `${exp.bytes} bytes (or ${exp.alternate.bytes} for the ${exp.alternate.note})` : `${exp.bytes} bytes`;
  if (size < exp.bytes) return { ok: false, code: 'TRUNCATED_FILE', what: 'the file is shorter than the registry size', expected, actual: `${size} bytes` };
  return { ok: false, code: 'SIZE_MISMATCH', what: 'the file has a different size from the registry', expected, actual: `${size} bytes` };
}

function judge(d: Digests, exp: Expectation): Verdict {
  const bad = sizeVerdict(d.size, exp);
  if (bad) return bad;
  const canonicalSize = exp.bytes === undefined || d.size === exp.bytes;
  if (canonicalSize && (exp.sha256 === undefined || d.sha256 === exp.sha256) && (exp.md5 === undefined || d.md5 === exp.md5)) {
    return { ok: true, encoding: 'canonical' };
  }
  if (exp.alternate && d.size === exp.alternate.bytes && d.md5 === exp.alternate.md5) return { ok: true, encoding: 'alternate' };
  if (exp.alternate && d.size === exp.alternate.bytes && !canonicalSize) {
    return { ok: false, code: 'CHECKSUM_MISMATCH', what: `the file has the size of the ${exp.alternate.note} but not its md5`, expected: `md5 ${exp.alternate.md5}`, actual: `md5 ${d.md5 ?? '?'}` };
  }
  if (exp.sha256 !== undefined && d.sha256 !== exp.sha256) {
    return { ok: false, code: 'CHECKSUM_MISMATCH', what: 'the sha256 of the file is not the registry value', expected: `sha256 ${exp.sha256}`, actual: `sha256 ${d.sha256}` };
  }
  return { ok: false, code: 'CHECKSUM_MISMATCH', what: 'the md5 of the file is not the registry value', expected: `md5 ${exp.md5 ?? '?'}`, actual: `md5 ${d.md5 ?? '?'}` };
}

class Hasher {
  private readonly sha = createHash('sha256');
  private readonly md5h: ReturnType<typeof createHash> | null;
  size = 0;
  constructor(withMd5: boolean) {
    this.md5h = withMd5 ? createHash('md5') : null;
  }
  update(chunk: Uint8Array): void {
    this.sha.update(chunk);
    this.md5h?.update(chunk);
    this.size += chunk.length;
  }
  digest(): Digests {
    return { size: this.size, sha256: this.sha.digest('hex'), md5: this.md5h ? this.md5h.digest('hex') : null };
  }
}

const needsMd5 = (exp: Expectation): boolean => exp.md5 !== undefined || exp.alternate !== undefined;

async function hashFile(file: string, exp: Expectation, onChunk?: (done: number) => void): Promise<Digests> {
  const h = new Hasher(needsMd5(exp));
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    h.update(chunk);
    onChunk?.(h.size);
  }
  return h.digest();
}

interface Stamp {
  v: 1;
  path: string;
  size: number;
  mtimeMs: number;
  ino: number;
  sha256: string;
  encoding: 'canonical' | 'alternate';
}

/** In-process memo of verified files: path → stamp key. */
const verifiedMemo = new Map<string, string>();

const stampKey = (st: { size: number; mtimeMs: number; ino: number }, exp: Expectation): string =>
  `${st.size}:${st.mtimeMs}:${st.ino}:${exp.sha256 ?? ''}:${exp.md5 ?? ''}`;

function stampPathFor(file: string, kind: 'cache' | 'external', cacheDir: string): string {
  if (kind === 'cache') return `${file}.verified`;
  const id = createHash('sha1').update(file).digest('hex').slice(0, 20);
  return path.join(cacheDir, '.verified', `${id}.json`);
}

async function readStamp(stampPath: string): Promise<Stamp | null> {
  try {
    const s = JSON.parse(await fs.readFile(stampPath, 'utf8')) as Stamp;
    return s && s.v === 1 ? s : null;
  } catch {
    return null;
  }
}

async function writeStamp(stampPath: string, stamp: Stamp): Promise<void> {
  try {
    await fs.mkdir(path.dirname(stampPath), { recursive: true });
    const tmp = `${stampPath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(stamp));
    await fs.rename(tmp, stampPath);
  } catch {
    // A stamp is only an optimisation: a read-only cache just means the file is hashed again next time.
  }
}

async function statOrNull(file: string): Promise<import('node:fs').Stats | null> {
  try {
    const st = await fs.stat(file);
    return st.isFile() ? st : null;
  } catch {
    return null;
  }
}

interface VerifyContext {
  dataset: string;
  file: string;
  cacheDir: string;
  onProgress?: (e: FetchEvent) => void;
}

/** Verifies an existing file, using (and refreshing) its stamp. */
async function verifyExisting(file: string, exp: Expectation, kind: 'cache' | 'external', ctx: VerifyContext): Promise<Verdict> {
  const st = await fs.stat(file);
  const early = sizeVerdict(st.size, exp);
  if (early) return early;
  const key = stampKey(st, exp);
  if (verifiedMemo.get(file) === key) return { ok: true, encoding: st.size === exp.bytes ? 'canonical' : 'alternate' };
  const stampPath = stampPathFor(file, kind, ctx.cacheDir);
  const stamp = await readStamp(stampPath);
  if (stamp && stamp.path === file && stampKey(stamp, exp) === key && stamp.sha256 === (exp.sha256 ?? '')) {
    verifiedMemo.set(file, key);
    return { ok: true, encoding: stamp.encoding };
  }
  const digests = await hashFile(file, exp, (done) =>
    ctx.onProgress?.({ kind: 'verify', dataset: ctx.dataset, file: ctx.file, path: file, bytesDone: done, bytesTotal: st.size }),
  );
  const verdict = judge(digests, exp);
  if (verdict.ok) {
    verifiedMemo.set(file, key);
    await writeStamp(stampPath, { v: 1, path: file, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, sha256: exp.sha256 ?? '', encoding: verdict.encoding });
  } else {
    verifiedMemo.delete(file);
  }
  return verdict;
}

async function markVerified(file: string, exp: Expectation, encoding: 'canonical' | 'alternate'): Promise<void> {
  const st = await fs.stat(file);
  verifiedMemo.set(file, stampKey(st, exp));
  await writeStamp(`${file}.verified`, { v: 1, path: file, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, sha256: exp.sha256 ?? '', encoding });
}

async function removeQuietly(file: string): Promise<void> {
  await fs.rm(file, { force: true }).catch(() => undefined);
}

const fileExpectation = (fe: FileEntry): Expectation => ({ bytes: fe.bytes, sha256: fe.sha256, alternate: fe.alternate });

// ---------------------------------------------------------------------------------------------------------
// Download

type FailureKind = 'unreachable' | 'http' | 'transient' | 'checksum';

/** One failed download attempt. */
interface AttemptFailure {
  url: string;
  attempt: number;
  kind: FailureKind;
  detail: string;
  verdict?: Extract<Verdict, { ok: false }>;
}

class AttemptError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly retryable: boolean,
    readonly verdict?: Extract<Verdict, { ok: false }>,
  ) {
    super(message);
  }
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL', 'ENETDOWN']);

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

interface DownloadContext {
  dataset: string;
  file: string;
  opts: FetchOptions;
}

function get(url: URL, timeoutMs: number, signal?: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : null;
    if (!mod) return reject(new AttemptError('http', `unsupported protocol ${url.protocol}`, false));
    const req = mod.get(url, { headers: { 'user-agent': 'paperzoo-datasets/0.1', 'accept-encoding': 'identity' }, signal }, resolve);
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no data for ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
  });
}

function networkError(e: unknown, context: string): AttemptError {
  if (e instanceof AttemptError) return e;
  const code = (e as { code?: string }).code ?? '';
  const msg = (e as Error).message ?? String(e);
  if ((e as Error).name === 'AbortError') throw e;
  if (UNREACHABLE.has(code)) return new AttemptError('unreachable', `${code} (${msg})`, false);
  return new AttemptError('transient', `${context}: ${code ? `${code} ` : ''}${msg}`, true);
}

/** One attempt: GET `url` (following redirects) into `tmp`, hashing as it streams. */
async function downloadOnce(url: string, tmp: string, exp: Expectation, attempt: number, ctx: DownloadContext): Promise<'canonical' | 'alternate'> {
  const timeoutMs = ctx.opts.timeoutMs ?? 30_000;
  let current = new URL(url);
  let res: http.IncomingMessage;
  for (let redirects = 0; ; redirects++) {
    try {
      res = await get(current, timeoutMs, ctx.opts.signal);
    } catch (e) {
      throw networkError(e, 'request failed');
    }
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      if (redirects >= 10) throw new AttemptError('http', 'more than 10 redirects', false);
      current = new URL(res.headers.location, current);
      continue;
    }
    if (status !== 200) {
      res.resume();
      const retryable = status >= 500 || status === 429 || status === 408;
      throw new AttemptError('http', `HTTP ${status}${current.href !== url ? ` from ${current.href}` : ''}`, retryable);
    }
    break;
  }
  const lengthHeader = res.headers['content-length'];
  const announced = lengthHeader !== undefined ? Number(lengthHeader) : null;
  if (announced !== null && exp.bytes !== undefined && announced !== exp.bytes && announced !== exp.alternate?.bytes) {
    res.resume();
    const verdict = sizeVerdict(announced, exp) as Extract<Verdict, { ok: false }>;
    throw new AttemptError('checksum', `the server announces ${announced} bytes, expected ${exp.bytes}`, false, verdict);
  }
  const total = announced ?? exp.bytes ?? null;
  const hasher = new Hasher(needsMd5(exp));
  const fh = await fs.open(tmp, 'w');
  try {
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        if (exp.bytes !== undefined && hasher.size + chunk.length > Math.max(exp.bytes, exp.alternate?.bytes ?? 0)) {
          res.destroy();
          throw new AttemptError('checksum', `the server sent more than the expected ${exp.bytes} bytes`, false, {
            ok: false,
            code: 'SIZE_MISMATCH',
            what: 'the download is longer than the registry size',
            expected: `${exp.bytes} bytes`,
            actual: `more than ${hasher.size + chunk.length - 1} bytes`,
          });
        }
        hasher.update(chunk);
        await fh.write(chunk);
        ctx.opts.onProgress?.({ kind: 'download', dataset: ctx.dataset, file: ctx.file, url, attempt, bytesDone: hasher.size, bytesTotal: total });
      }
    } catch (e) {
      throw networkError(e, `connection lost after ${hasher.size}${total !== null ? ` of ${total}` : ''} bytes`);
    }
    await fh.sync().catch(() => undefined);
  } finally {
    await fh.close();
  }
  if (total !== null && hasher.size < total) {
    throw new AttemptError('transient', `transfer cut off after ${hasher.size} of ${total} bytes`, true);
  }
  const verdict = judge(hasher.digest(), exp);
  if (!verdict.ok) {
    const retryable = verdict.code === 'TRUNCATED_FILE';
    throw new AttemptError(retryable ? 'transient' : 'checksum', `${verdict.what}: expected ${verdict.expected}, got ${verdict.actual}`, retryable, verdict);
  }
  return verdict.encoding;
}

/**
 * Downloads to `dest` from the first URL that gives the expected bytes. Returns the encoding, or the list of
 * failures when no URL worked.
 */
async function downloadToFile(
  urls: readonly string[],
  dest: string,
  exp: Expectation,
  ctx: DownloadContext,
): Promise<{ ok: true; encoding: 'canonical' | 'alternate' } | { ok: false; failures: AttemptFailure[] }> {
  const failures: AttemptFailure[] = [];
  const attempts = Math.max(1, ctx.opts.retries ?? 3);
  const backoffMs = ctx.opts.backoffMs ?? 1000;
  await fs.mkdir(path.dirname(dest), { recursive: true });
  for (const url of urls) {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.${process.pid}.${randomBytes(4).toString('hex')}.part`);
      try {
        const encoding = await downloadOnce(url, tmp, exp, attempt, ctx);
        await fs.rename(tmp, dest);
        return { ok: true, encoding };
      } catch (e) {
        await removeQuietly(tmp);
        if (!(e instanceof AttemptError)) throw e;
        failures.push({ url, attempt, kind: e.kind, detail: e.message, verdict: e.verdict });
        if (!e.retryable || attempt === attempts) break;
        const delayMs = backoffMs * 2 ** (attempt - 1);
        ctx.opts.onProgress?.({ kind: 'retry', dataset: ctx.dataset, file: ctx.file, url, attempt: attempt + 1, delayMs, reason: e.message });
        await sleep(delayMs, ctx.opts.signal);
      }
    }
  }
  return { ok: false, failures };
}

// ---------------------------------------------------------------------------------------------------------
// Archives

/** Archives being fetched/extracted in this process (so parallel callers share one download). */
const archiveInflight = new Map<string, Promise<void>>();

async function extractArchive(entry: DatasetEntry, archive: ArchiveEntry, archivePath: string, cacheDir: string, ctx: DownloadContext): Promise<void> {
  const wanted = new Map<string, { file: string; fe: FileEntry }>();
  for (const [file, member] of Object.entries(archive.members)) {
    const fe = entry.files[file];
    if (!fe) continue;
    const dest = path.join(cacheDir, entry.name, file);
    if (await statOrNull(dest)) {
      const v = await verifyExisting(dest, fileExpectation(fe), 'cache', { dataset: entry.name, file, cacheDir, onProgress: ctx.opts.onProgress });
      if (v.ok) continue;
      await removeQuietly(dest);
    }
    wanted.set(normaliseMemberName(member), { file, fe });
  }
  if (wanted.size === 0) return;
  const done = new Set<string>();

  const finishMember = async (member: string, tmp: string, digests: Digests): Promise<void> => {
    const { file, fe } = wanted.get(member)!;
    const exp = fileExpectation(fe);
    const verdict = judge(digests, exp);
    if (!verdict.ok) {
      await removeQuietly(tmp);
      throw new DatasetError(verdict.code, `member '${member}' of ${archive.name}: ${verdict.what}`, {
        file: archivePath,
        expected: verdict.expected,
        actual: verdict.actual,
        remedy: `The archive does not hold the registered file ${entry.name}/${file}; delete ${archivePath} and rerun, or set PAPERZOO_DATA_MIRROR to a folder holding ${entry.name}/${file}.`,
      });
    }
    const dest = path.join(cacheDir, entry.name, file);
    await fs.rename(tmp, dest);
    await markVerified(dest, exp, verdict.encoding);
    done.add(member);
    ctx.opts.onProgress?.({ kind: 'extract', dataset: entry.name, file, archive: archive.name, member });
  };
  const tmpFor = (file: string): string => path.join(cacheDir, entry.name, `.${file}.${process.pid}.${randomBytes(4).toString('hex')}.part`);

  if (archive.format === 'zip') {
    const zip = await fs.readFile(archivePath);
    const members = unzipMembers(zip, archivePath, (name) => wanted.has(normaliseMemberName(name)));
    for (const [name, bytes] of Object.entries(members)) {
      const member = normaliseMemberName(name);
      const tmp = tmpFor(wanted.get(member)!.file);
      await fs.writeFile(tmp, bytes);
      const h = new Hasher(needsMd5(fileExpectation(wanted.get(member)!.fe)));
      h.update(bytes);
      await finishMember(member, tmp, h.digest());
    }
  } else {
    const open: { tmp: string; fh: fs.FileHandle }[] = [];
    try {
      await walkTarGz(archivePath, (tarEntry): TarSink | null => {
        const w = wanted.get(tarEntry.name);
        if (!w || done.has(tarEntry.name)) return null;
        const tmp = tmpFor(w.file);
        const hasher = new Hasher(needsMd5(fileExpectation(w.fe)));
        let fhPromise: Promise<fs.FileHandle> | null = null;
        const handle = (): Promise<fs.FileHandle> =>
          (fhPromise ??= fs.open(tmp, 'w').then((fh) => {
            open.push({ tmp, fh });
            return fh;
          }));
        return {
          write: async (chunk) => {
            hasher.update(chunk);
            await (await handle()).write(chunk);
          },
          end: async () => {
            const fh = await handle();
            await fh.close();
            open.splice(open.findIndex((o) => o.fh === fh), 1);
            await finishMember(tarEntry.name, tmp, hasher.digest());
          },
        };
      });
    } finally {
      for (const o of open) {
        await o.fh.close().catch(() => undefined);
        await removeQuietly(o.tmp);
      }
    }
  }
  const missing = [...wanted.keys()].filter((m) => !done.has(m));
  if (missing.length > 0) {
    throw new DatasetError(archive.format === 'zip' ? 'MISSING_ZIP_MEMBER' : 'MISSING_TAR_MEMBER', `the archive lacks ${missing.join(', ')}`, {
      file: archivePath,
      expected: missing.join(', '),
      actual: 'absent',
      remedy: `Delete ${archivePath} and rerun, or set PAPERZOO_DATA_MIRROR to a folder that holds ${entry.name}/<file>.`,
    });
  }
}

async function fetchViaArchive(entry: DatasetEntry, archive: ArchiveEntry, cacheDir: string, ctx: DownloadContext): Promise<AttemptFailure[]> {
  const archivePath = path.join(cacheDir, entry.name, archive.name);
  const exp: Expectation = { bytes: archive.bytes, sha256: archive.sha256, md5: archive.md5 };
  if (await statOrNull(archivePath)) {
    const v = await verifyExisting(archivePath, exp, 'cache', { dataset: entry.name, file: archive.name, cacheDir, onProgress: ctx.opts.onProgress });
    if (!v.ok) {
      ctx.opts.onProgress?.({ kind: 'corrupt', dataset: entry.name, file: archive.name, path: archivePath, reason: `${v.what}: expected ${v.expected}, got ${v.actual}` });
      await removeQuietly(archivePath);
    }
  }
  if (!(await statOrNull(archivePath))) {
    const r = await downloadToFile(archive.urls, archivePath, exp, { ...ctx, file: archive.name });
    if (!r.ok) return r.failures;
    await markVerified(archivePath, exp, 'canonical');
  }
  await extractArchive(entry, archive, archivePath, cacheDir, ctx);
  if (!ctx.opts.keepArchives) {
    await removeQuietly(archivePath);
    await removeQuietly(`${archivePath}.verified`);
  }
  return [];
}

// ---------------------------------------------------------------------------------------------------------
// fetchFile

function describeFailures(failures: AttemptFailure[]): string {
  return failures.map((f) => `${f.url} (attempt ${f.attempt}): ${f.detail}`).join('; ');
}

function localError(verdict: Extract<Verdict, { ok: false }>, file: string, remedy: string): DatasetError {
  return new DatasetError(verdict.code, verdict.what, { file, expected: verdict.expected, actual: verdict.actual, remedy });
}

const inflight = new Map<string, Promise<FetchResult>>();

/**
 * Fetches one file of a dataset and returns where it is, with its provenance (see the module comment for the
 * lookup order). Concurrent calls for the same file in one process share the work.
 *
 * @param dataset a registered name, or a {@link DatasetEntry} describing an unregistered dataset
 * @param file a file name of the entry
 * @throws {@link DatasetError} `UNKNOWN_DATASET`, `UNKNOWN_FILE`, `CHECKSUM_MISMATCH` / `TRUNCATED_FILE` /
 *   `SIZE_MISMATCH` (bad bundled or mirror copy, or every download had wrong bytes), `NO_NETWORK_NO_MIRROR`,
 *   `DOWNLOAD_FAILED`, `OFFLINE`, and archive errors (`MISSING_TAR_MEMBER`, `MISSING_ZIP_MEMBER`, `BAD_ZIP`, ...)
 */
export async function fetchFileWithInfo(dataset: DatasetName | DatasetEntry, file: string, opts: FetchOptions = {}): Promise<FetchResult> {
  const entry = getDataset(dataset);
  const fe = getFileEntry(entry, file);
  const config = resolveFetchConfig(opts);
  const key = `${config.cacheDir}\0${config.mirror ?? ''}\0${entry.name}\0${file}`;
  const running = inflight.get(key);
  if (running) return running;
  const p = fetchUncached(entry, file, fe, config, opts).finally(() => inflight.delete(key));
  inflight.set(key, p);
  return p;
}

/**
 * Fetches one file of a dataset and returns its absolute path. See {@link fetchFileWithInfo}.
 *
 * @example
 * ```ts
 * const p = await fetchFile('cifar-10', 'test_batch.bin', { onProgress: (e) => bar.update(e) });
 * ```
 */
export async function fetchFile(dataset: DatasetName | DatasetEntry, file: string, opts: FetchOptions = {}): Promise<string> {
  return (await fetchFileWithInfo(dataset, file, opts)).path;
}

/** Fetches the given files of a dataset (default: all), one after another; returns file name → path. */
export async function fetchDataset(dataset: DatasetName | DatasetEntry, files?: readonly string[], opts: FetchOptions = {}): Promise<Record<string, string>> {
  const entry = getDataset(dataset);
  const out: Record<string, string> = {};
  for (const file of files ?? Object.keys(entry.files)) out[file] = await fetchFile(entry, file, opts);
  return out;
}

/** Fetches a file and reads it into memory. */
export async function readDatasetFile(dataset: DatasetName | DatasetEntry, file: string, opts: FetchOptions = {}): Promise<Uint8Array> {
  const buf = await fs.readFile(await fetchFile(dataset, file, opts));
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

async function fetchUncached(entry: DatasetEntry, file: string, fe: FileEntry, config: FetchConfig, opts: FetchOptions): Promise<FetchResult> {
  const exp = fileExpectation(fe);
  const vctx: VerifyContext = { dataset: entry.name, file, cacheDir: config.cacheDir, onProgress: opts.onProgress };
  const found = (p: string, source: FetchSource, bytes: number, encoding: 'canonical' | 'alternate'): FetchResult => {
    opts.onProgress?.({ kind: 'found', dataset: entry.name, file, source, path: p });
    return { path: p, source, bytes, encoding };
  };
  const label = `${entry.name}/${file}`;

  // 1. The committed copy inside the package (registered datasets only).
  if (config.bundledDir && isDatasetName(entry.name) && registry[entry.name] === entry) {
    const p = path.join(config.bundledDir, entry.name, file);
    const st = await statOrNull(p);
    if (st) {
      const v = await verifyExisting(p, exp, 'external', vctx);
      if (!v.ok) {
        throw localError(v, p, `The committed copy is damaged: restore it with \`git checkout -- datasets/${entry.name}/${file}\` (or delete it to fetch it from the mirror/network).`);
      }
      return found(p, 'bundled', st.size, v.encoding);
    }
  }

  // 2. The mirror folder.
  let mirrorNote: string;
  if (config.mirror) {
    const p = path.join(config.mirror, entry.name, file);
    const st = await statOrNull(p);
    if (st) {
      const v = await verifyExisting(p, exp, 'external', vctx);
      if (!v.ok) {
        throw localError(v, p, `The mirror copy is not the registered file: replace ${p} with a good copy (sha256 ${fe.sha256}), or point PAPERZOO_DATA_MIRROR elsewhere / unset it to download.`);
      }
      return found(p, 'mirror', st.size, v.encoding);
    }
    const mirrorExists = await fs.stat(config.mirror).then((s) => s.isDirectory(), () => false);
    mirrorNote = mirrorExists ? `the mirror ${config.mirror} has no ${label}` : `the mirror folder ${config.mirror} does not exist`;
  } else {
    mirrorNote = 'PAPERZOO_DATA_MIRROR is not set';
  }

  // 3. The cache.
  const dest = path.join(config.cacheDir, entry.name, file);
  const cached = await statOrNull(dest);
  if (cached) {
    const v = await verifyExisting(dest, exp, 'cache', vctx);
    if (v.ok) return found(dest, 'cache', cached.size, v.encoding);
    opts.onProgress?.({ kind: 'corrupt', dataset: entry.name, file, path: dest, reason: `${v.what}: expected ${v.expected}, got ${v.actual}` });
    await removeQuietly(dest);
    await removeQuietly(`${dest}.verified`);
  }

  // 4. Download.
  const where = `${mirrorNote}, and it is not in the cache ${path.join(config.cacheDir, entry.name)}`;
  const remedyNet = `Set PAPERZOO_DATA_MIRROR=/path/to/datasets (a folder laid out as <mirror>/${label}) or connect to the network.`;
  if (config.offline) {
    throw new DatasetError('OFFLINE', `not available locally (${where}) and downloads are disabled`, {
      file: label,
      remedy: `${remedyNet.replace(' or connect to the network.', '')}, or unset PAPERZOO_OFFLINE / the offline option to download it.`,
    });
  }
  const ctx: DownloadContext = { dataset: entry.name, file, opts };
  const failures: AttemptFailure[] = [];
  if (fe.urls.length > 0) {
    const r = await downloadToFile(fe.urls, dest, exp, ctx);
    if (r.ok) {
      await markVerified(dest, exp, r.encoding);
      const st = await fs.stat(dest);
      return found(dest, 'download', st.size, r.encoding);
    }
    failures.push(...r.failures);
  }
  for (const archive of entry.archives ?? []) {
    if (!Object.prototype.hasOwnProperty.call(archive.members, file)) continue;
    const archiveKey = path.join(config.cacheDir, entry.name, archive.name);
    let job = archiveInflight.get(archiveKey);
    let archiveFailures: AttemptFailure[] = [];
    if (!job) {
      job = fetchViaArchive(entry, archive, config.cacheDir, ctx).then((f) => {
        archiveFailures = f;
      });
      archiveInflight.set(archiveKey, job);
      try {
        await job;
      } finally {
        archiveInflight.delete(archiveKey);
      }
    } else {
      await job;
    }
    const st = await statOrNull(dest);
    if (st) {
      const v = await verifyExisting(dest, exp, 'cache', vctx);
      if (v.ok) return found(dest, 'archive', st.size, v.encoding);
    }
    failures.push(...archiveFailures.map((f) => ({ ...f, detail: `archive ${archive.name}: ${f.detail}` })));
  }

  if (failures.length === 0) {
    throw new DatasetError('NO_NETWORK_NO_MIRROR', `not available locally (${where}) and the registry lists no URL for it`, { file: label, remedy: `Set PAPERZOO_DATA_MIRROR=/path/to/datasets (a folder laid out as <mirror>/${label}).` });
  }
  const tried = describeFailures(failures);
  if (failures.every((f) => f.kind === 'unreachable')) {
    throw new DatasetError('NO_NETWORK_NO_MIRROR', `not available locally (${where}), and no download URL could be reached: ${tried}`, { file: label, remedy: remedyNet });
  }
  const bad = failures.filter((f) => f.kind === 'checksum' && f.verdict);
  if (bad.length > 0) {
    const last = bad[bad.length - 1].verdict!;
    throw new DatasetError('CHECKSUM_MISMATCH', `every download had the wrong bytes (${tried})`, {
      file: label,
      expected: last.expected,
      actual: last.actual,
      remedy: `The servers no longer serve the registered file; nothing was kept. Set PAPERZOO_DATA_MIRROR to a folder holding a verified ${label}, or report the changed upstream file.`,
    });
  }
  throw new DatasetError('DOWNLOAD_FAILED', `not available locally (${where}), and every download attempt failed: ${tried}`, {
    file: label,
    remedy: `Rerun later (the failures look transient), or ${remedyNet.charAt(0).toLowerCase()}${remedyNet.slice(1)}`,
  });
}
