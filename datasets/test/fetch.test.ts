/**
 * fetchFile against a real HTTP server on 127.0.0.1: downloads, redirects, a 404 falling through to the next
 * mirror, transfers cut off half-way (retried; or a clear error when they keep failing), wrong bytes,
 * no network, the mirror folder, the cache (corrupt copies replaced), stamps, archives, and the bundled MNIST.
 * Nothing here touches the internet.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_DIR, DatasetError, fetchFile, fetchFileWithInfo, registry, type DatasetEntry, type FetchEvent, type FetchOptions } from '../src/index.js';
import { bytesOf, closedPort, cutOff, makeTar, md5, removeTmpDirs, serve, sha256, startServer, tmpDir, type TestServer } from './helpers.js';

const body = bytesOf(200_000, 3);
const wrong = bytesOf(200_000, 4);
let server: TestServer;
let deadPort: number;

/** Paths served by the test server. */
const routes = {
  '/good.bin': serve(body),
  '/wrong.bin': serve(wrong),
  '/short.bin': serve(body.subarray(0, 1000)),
  '/redirect': (_req, res) => {
    res.writeHead(302, { location: '/good.bin' });
    res.end();
  },
  // Cut off half-way on the first attempt, then served in full.
  '/flaky.bin': (req, res, hit) => (hit === 1 ? cutOff(body)(req, res, hit) : serve(body)(req, res, hit)),
  // Always cut off.
  '/broken.bin': cutOff(body),
  '/busy.bin': (req, res, hit) => (hit === 1 ? void res.writeHead(503).end() : serve(body)(req, res, hit)),
} satisfies Record<string, Parameters<typeof startServer>[0][string]>;

beforeAll(async () => {
  server = await startServer(routes);
  deadPort = await closedPort();
});
afterAll(async () => {
  await server.close();
  removeTmpDirs();
});

/** A one-file dataset served from the given paths (full URLs allowed). */
function toy(name: string, urls: string[], extra: Partial<DatasetEntry['files'][string]> = {}): DatasetEntry {
  return {
    name,
    title: 'toy',
    citation: '',
    homepage: '',
    license: '',
    files: { 'a.bin': { bytes: body.length, sha256: sha256(body), urls: urls.map((u) => (u.startsWith('http') ? u : server.url(u))), ...extra } },
  };
}

/** Options with a fresh cache, no mirror, quick retries, and an event log. */
function options(extra: FetchOptions = {}): FetchOptions & { events: FetchEvent[] } {
  const events: FetchEvent[] = [];
  return { cacheDir: tmpDir(), mirror: null, backoffMs: 5, retries: 3, timeoutMs: 5000, onProgress: (e) => events.push(e), events, ...extra };
}

const partFiles = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.part')) : []);

async function rejection(p: Promise<unknown>): Promise<DatasetError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    return e as DatasetError;
  }
  throw new Error('expected a rejection');
}

describe('download', () => {
  it('downloads, verifies, reports progress, writes atomically and stamps; the next call uses the cache', async () => {
    const opts = options();
    const r = await fetchFileWithInfo(toy('t1', ['/good.bin']), 'a.bin', opts);
    expect(r.source).toBe('download');
    expect(r.path).toBe(path.join(opts.cacheDir!, 't1', 'a.bin'));
    expect(sha256(fs.readFileSync(r.path))).toBe(sha256(body));
    expect(fs.existsSync(`${r.path}.verified`)).toBe(true);
    expect(partFiles(path.dirname(r.path))).toEqual([]);
    const progress = opts.events.filter((e) => e.kind === 'download');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ bytesDone: body.length, bytesTotal: body.length });
    const again = await fetchFileWithInfo(toy('t1', ['/good.bin']), 'a.bin', opts);
    expect(again.source).toBe('cache');
    expect(server.hits.get('/good.bin')).toBeGreaterThanOrEqual(1);
  });

  it('follows redirects', async () => {
    expect((await fetchFileWithInfo(toy('t2', ['/redirect']), 'a.bin', options())).source).toBe('download');
  });

  it('a 404 falls through to the next mirror', async () => {
    const before = server.hits.get('/missing.bin') ?? 0;
    const opts = options();
    const r = await fetchFileWithInfo(toy('t3', ['/missing.bin', '/good.bin']), 'a.bin', opts);
    expect(r.source).toBe('download');
    expect(server.hits.get('/missing.bin')).toBe(before + 1); // 404 is not retried
    expect(opts.events.some((e) => e.kind === 'retry')).toBe(false);
  });

  it('a transfer cut off half-way is retried and the second attempt succeeds', async () => {
    const opts = options();
    const r = await fetchFileWithInfo(toy('t4', ['/flaky.bin']), 'a.bin', opts);
    expect(r.source).toBe('download');
    expect(sha256(fs.readFileSync(r.path))).toBe(sha256(body));
    const retries = opts.events.filter((e) => e.kind === 'retry');
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ attempt: 2, delayMs: 5 });
    expect(server.hits.get('/flaky.bin')).toBe(2);
    expect(partFiles(path.dirname(r.path))).toEqual([]);
  });

  it('HTTP 503 is retried', async () => {
    expect((await fetchFileWithInfo(toy('t5', ['/busy.bin']), 'a.bin', options())).source).toBe('download');
  });

  it('a transfer that keeps being cut off fails with DOWNLOAD_FAILED naming the attempts, and leaves nothing behind', async () => {
    const opts = options();
    const e = await rejection(fetchFileWithInfo(toy('t6', ['/broken.bin']), 'a.bin', opts));
    expect(e.code).toBe('DOWNLOAD_FAILED');
    expect(e.message).toContain('t6/a.bin');
    expect(e.message).toContain('/broken.bin (attempt 3)');
    expect(e.message).toMatch(/connection lost after \d+ of 200000 bytes|cut off after \d+ of 200000 bytes/);
    expect(e.message).toContain('PAPERZOO_DATA_MIRROR');
    expect(opts.events.filter((x) => x.kind === 'retry').map((x) => (x as { delayMs: number }).delayMs)).toEqual([5, 10]);
    expect(fs.existsSync(path.join(opts.cacheDir!, 't6', 'a.bin'))).toBe(false);
    expect(partFiles(path.join(opts.cacheDir!, 't6'))).toEqual([]);
  });

  it('a download with the wrong bytes is CHECKSUM_MISMATCH (expected vs actual sha256) and is not kept', async () => {
    const opts = options();
    const e = await rejection(fetchFileWithInfo(toy('t7', ['/wrong.bin']), 'a.bin', opts));
    expect(e.code).toBe('CHECKSUM_MISMATCH');
    expect(e.expected).toBe(`sha256 ${sha256(body)}`);
    expect(e.actual).toBe(`sha256 ${sha256(wrong)}`);
    expect(e.message).toContain('t7/a.bin');
    expect(fs.existsSync(path.join(opts.cacheDir!, 't7', 'a.bin'))).toBe(false);
    // ...and a wrong mirror is skipped for a good one.
    expect((await fetchFileWithInfo(toy('t7b', ['/wrong.bin', '/good.bin']), 'a.bin', options())).source).toBe('download');
  });

  it('a short download (complete response, too few bytes) is not accepted', async () => {
    const e = await rejection(fetchFileWithInfo(toy('t8', ['/short.bin']), 'a.bin', options({ retries: 1 })));
    expect(e.code).toBe('CHECKSUM_MISMATCH');
    expect(e.actual).toBe('1000 bytes');
  });

  it('no network and no mirror: NO_NETWORK_NO_MIRROR tells to set PAPERZOO_DATA_MIRROR or connect', async () => {
    const opts = options();
    const e = await rejection(fetchFileWithInfo(toy('t9', [`http://127.0.0.1:${deadPort}/a.bin`, `http://127.0.0.1:${deadPort}/b.bin`]), 'a.bin', opts));
    expect(e.code).toBe('NO_NETWORK_NO_MIRROR');
    expect(e.message).toContain('t9/a.bin');
    expect(e.message).toContain('ECONNREFUSED');
    expect(e.message).toContain('PAPERZOO_DATA_MIRROR is not set');
    expect(e.message).toMatch(/Set PAPERZOO_DATA_MIRROR=.* or connect to the network/);
    expect(opts.events.some((x) => x.kind === 'retry')).toBe(false);
  });

  it('offline mode refuses to download', async () => {
    const e = await rejection(fetchFileWithInfo(toy('t10', ['/good.bin']), 'a.bin', options({ offline: true })));
    expect(e.code).toBe('OFFLINE');
    expect(e.message).toContain('PAPERZOO_OFFLINE');
  });

  it('accepts an alternate encoding through its size and md5', async () => {
    const entry = toy('t11', ['/wrong.bin'], { alternate: { bytes: wrong.length, md5: md5(wrong), note: 'upstream zip' } });
    const r = await fetchFileWithInfo(entry, 'a.bin', options());
    expect(r.encoding).toBe('alternate');
  });

  it('concurrent calls for one file share one download', async () => {
    const before = server.hits.get('/good.bin') ?? 0;
    const opts = options();
    const entry = toy('t12', ['/good.bin']);
    const [a, b] = await Promise.all([fetchFile(entry, 'a.bin', opts), fetchFile(entry, 'a.bin', opts)]);
    expect(a).toBe(b);
    expect(server.hits.get('/good.bin')).toBe(before + 1);
  });
});

describe('mirror and cache', () => {
  function mirrorWith(dataset: string, file: string, bytes: Uint8Array): string {
    const dir = tmpDir('pz-mirror-');
    fs.mkdirSync(path.join(dir, dataset));
    fs.writeFileSync(path.join(dir, dataset, file), bytes);
    return dir;
  }

  it('the mirror comes first (no network used); a relative mirror path resolves against the working directory', async () => {
    const mirror = mirrorWith('m1', 'a.bin', body);
    const entry = toy('m1', [`http://127.0.0.1:${deadPort}/a.bin`]);
    const r = await fetchFileWithInfo(entry, 'a.bin', options({ mirror }));
    expect(r).toMatchObject({ source: 'mirror', path: path.join(mirror, 'm1', 'a.bin') });
    const rel = path.relative(process.cwd(), mirror);
    expect(path.isAbsolute(rel)).toBe(false);
    expect((await fetchFileWithInfo(entry, 'a.bin', options({ mirror: rel }))).path).toBe(path.join(mirror, 'm1', 'a.bin'));
    const saved = process.env.PAPERZOO_DATA_MIRROR;
    process.env.PAPERZOO_DATA_MIRROR = rel;
    try {
      expect((await fetchFileWithInfo(entry, 'a.bin', { ...options(), mirror: undefined })).source).toBe('mirror');
    } finally {
      if (saved === undefined) delete process.env.PAPERZOO_DATA_MIRROR;
      else process.env.PAPERZOO_DATA_MIRROR = saved;
    }
  });

  it('a mirror file with a wrong hash is an error, not silently used or skipped', async () => {
    const mirror = mirrorWith('m2', 'a.bin', wrong);
    const e = await rejection(fetchFileWithInfo(toy('m2', ['/good.bin']), 'a.bin', options({ mirror })));
    expect(e.code).toBe('CHECKSUM_MISMATCH');
    expect(e.file).toBe(path.join(mirror, 'm2', 'a.bin'));
    expect(e.message).toContain(`sha256 ${sha256(body)}`);
    expect(e.message).toContain(`sha256 ${sha256(wrong)}`);
    expect(e.message).toMatch(/replace .*a.bin with a good copy/);
    const short = mirrorWith('m3', 'a.bin', body.subarray(0, 10));
    expect((await rejection(fetchFileWithInfo(toy('m3', ['/good.bin']), 'a.bin', options({ mirror: short })))).code).toBe('TRUNCATED_FILE');
  });

  it('a mirror without the file falls through to the cache and the network', async () => {
    const mirror = tmpDir('pz-empty-mirror-');
    const opts = options({ mirror });
    expect((await fetchFileWithInfo(toy('m4', ['/good.bin']), 'a.bin', opts)).source).toBe('download');
    const e = await rejection(fetchFileWithInfo(toy('m5', [`http://127.0.0.1:${deadPort}/x`]), 'a.bin', options({ mirror })));
    expect(e.message).toContain(`the mirror ${mirror} has no m5/a.bin`);
  });

  it('a verified mirror file is stamped and not hashed again; a modified one is detected', async () => {
    const mirror = mirrorWith('m6', 'a.bin', body);
    const opts = options({ mirror });
    await fetchFile(toy('m6', []), 'a.bin', opts);
    expect(opts.events.filter((e) => e.kind === 'verify').length).toBeGreaterThan(0);
    expect(fs.readdirSync(path.join(opts.cacheDir!, '.verified'))).toHaveLength(1);
    const opts2 = options({ mirror, cacheDir: opts.cacheDir });
    await fetchFile(toy('m6', []), 'a.bin', opts2);
    expect(opts2.events.filter((e) => e.kind === 'verify')).toEqual([]);
    fs.writeFileSync(path.join(mirror, 'm6', 'a.bin'), wrong); // same size, other bytes
    expect((await rejection(fetchFile(toy('m6', []), 'a.bin', opts2))).code).toBe('CHECKSUM_MISMATCH');
  });

  it('a corrupt cached file is detected, reported, deleted and downloaded again', async () => {
    const opts = options();
    const cached = path.join(opts.cacheDir!, 'c1', 'a.bin');
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    fs.writeFileSync(cached, wrong);
    const r = await fetchFileWithInfo(toy('c1', ['/good.bin']), 'a.bin', opts);
    expect(r.source).toBe('download');
    expect(sha256(fs.readFileSync(cached))).toBe(sha256(body));
    expect(opts.events.find((e) => e.kind === 'corrupt')).toMatchObject({ path: cached });
    // A stamped cache file that is later damaged is caught too (mtime changes).
    fs.writeFileSync(cached, body.subarray(0, 5));
    const r2 = await fetchFileWithInfo(toy('c1', ['/good.bin']), 'a.bin', options({ cacheDir: opts.cacheDir }));
    expect(r2.source).toBe('download');
  });
});

describe('archives', () => {
  const f1 = new TextEncoder().encode(' the cat \n');
  const f2 = bytesOf(5000, 9);
  const files = { 'x.txt': f1, 'y.bin': f2 };
  let archiveServer: TestServer;
  const tgz = zlib.gzipSync(makeTar({ './pkg/data/x.txt': f1, './pkg/data/y.bin': f2, './pkg/README': new Uint8Array(3) }));
  const zip = zipSync({ 'pkg/x.txt': f1, 'pkg/y.bin': f2 });
  const badTgz = zlib.gzipSync(makeTar({ 'pkg/data/x.txt': f1, 'pkg/data/y.bin': bytesOf(5000, 10) }));
  const partialTgz = zlib.gzipSync(makeTar({ 'pkg/data/x.txt': f1 }));
  beforeAll(async () => {
    archiveServer = await startServer({ '/a.tgz': serve(tgz), '/a.zip': serve(zip), '/bad.tgz': serve(badTgz), '/partial.tgz': serve(partialTgz) });
  });
  afterAll(async () => archiveServer.close());

  function archived(name: string, url: string, format: 'tar.gz' | 'zip', members: Record<string, string>, checksum = true): DatasetEntry {
    const bytes = format === 'zip' ? zip : url.includes('bad') ? badTgz : url.includes('partial') ? partialTgz : tgz;
    return {
      name,
      title: 'archived toy',
      citation: '',
      homepage: '',
      license: '',
      files: Object.fromEntries(Object.entries(files).map(([f, b]) => [f, { bytes: b.length, sha256: sha256(b), urls: [] }])),
      archives: [{ name: `archive.${format}`, format, urls: [archiveServer.url(url)], ...(checksum ? { bytes: bytes.length, sha256: sha256(bytes) } : {}), members }],
    };
  }

  it('downloads a .tar.gz, extracts and verifies every member, then drops the archive', async () => {
    const opts = options();
    const entry = archived('a1', '/a.tgz', 'tar.gz', { 'x.txt': 'pkg/data/x.txt', 'y.bin': 'pkg/data/y.bin' });
    const r = await fetchFileWithInfo(entry, 'y.bin', opts);
    expect(r.source).toBe('archive');
    expect(sha256(fs.readFileSync(r.path))).toBe(sha256(f2));
    expect(opts.events.filter((e) => e.kind === 'extract').map((e) => (e as { file: string }).file).sort()).toEqual(['x.txt', 'y.bin']);
    expect((await fetchFileWithInfo(entry, 'x.txt', opts)).source).toBe('cache');
    expect(fs.existsSync(path.join(opts.cacheDir!, 'a1', 'archive.tar.gz'))).toBe(false);
    expect(partFiles(path.join(opts.cacheDir!, 'a1'))).toEqual([]);
  });

  it('extracts from a zip archive', async () => {
    const entry = archived('a2', '/a.zip', 'zip', { 'x.txt': 'pkg/x.txt', 'y.bin': 'pkg/y.bin' });
    const r = await fetchFileWithInfo(entry, 'x.txt', options());
    expect(r.source).toBe('archive');
    expect(fs.readFileSync(r.path, 'utf8')).toBe(' the cat \n');
  });

  it('a member with the wrong bytes is CHECKSUM_MISMATCH; a missing member is MISSING_TAR_MEMBER / MISSING_ZIP_MEMBER', async () => {
    const bad = await rejection(fetchFileWithInfo(archived('a3', '/bad.tgz', 'tar.gz', { 'x.txt': 'pkg/data/x.txt', 'y.bin': 'pkg/data/y.bin' }, false), 'y.bin', options()));
    expect(bad.code).toBe('CHECKSUM_MISMATCH');
    expect(bad.message).toContain("member 'pkg/data/y.bin'");
    const missing = await rejection(fetchFileWithInfo(archived('a4', '/partial.tgz', 'tar.gz', { 'x.txt': 'pkg/data/x.txt', 'y.bin': 'pkg/data/y.bin' }, false), 'y.bin', options()));
    expect(missing.code).toBe('MISSING_TAR_MEMBER');
    expect(missing.message).toContain('pkg/data/y.bin');
    const zipMissing = await rejection(fetchFileWithInfo(archived('a5', '/a.zip', 'zip', { 'x.txt': 'pkg/x.txt', 'y.bin': 'pkg/nope.bin' }), 'y.bin', options()));
    expect(zipMissing.code).toBe('MISSING_ZIP_MEMBER');
  });
});

describe('the registry and the committed MNIST', () => {
  it('MNIST is found in the package folder first, with no mirror, cache or network', async () => {
    const opts = options({ offline: true });
    for (const file of Object.keys(registry.mnist.files)) {
      const r = await fetchFileWithInfo('mnist', file, opts);
      expect(r.source).toBe('bundled');
      expect(r.path).toBe(path.join(BUNDLED_DIR, 'mnist', file));
      expect(r.bytes).toBe(registry.mnist.files[file].bytes);
    }
  });

  it('unknown datasets and files are named errors', async () => {
    expect((await rejection(fetchFile('imagenet' as 'mnist', 'x'))).code).toBe('UNKNOWN_DATASET');
    const e = await rejection(fetchFile('mnist', 'train-images.gz'));
    expect(e.code).toBe('UNKNOWN_FILE');
    expect(e.message).toContain('train-images-idx3-ubyte.gz');
  });
});
