/** Test fixtures: temporary folders, a loopback HTTP server, and tiny tar / PNG writers. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { resolveFetchConfig } from '../src/index.js';

const created: string[] = [];

/** Removes the folders made by {@link tmpDir}; test files call it in `afterAll`. */
export function removeTmpDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** A fresh temporary folder (removed by {@link removeTmpDirs}). */
export function tmpDir(prefix = 'pz-datasets-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
export const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');

/** Deterministic pseudo-random bytes. */
export function bytesOf(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, hit: number) => void;

/** A loopback HTTP server with per-path handlers; counts hits per path. */
export interface TestServer {
  url(p: string): string;
  hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startServer(routes: Record<string, Handler>): Promise<TestServer> {
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    const n = (hits.get(p) ?? 0) + 1;
    hits.set(p, n);
    const h = routes[p];
    if (!h) {
      res.writeHead(404).end('not found');
      return;
    }
    h(req, res, n);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (p) => `http://127.0.0.1:${port}${p}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Serves `body` in full. */
export const serve =
  (body: Uint8Array): Handler =>
  (_req, res) => {
    res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
    res.end(body);
  };

/** Sends half of `body` (with the full content-length), then destroys the socket. */
export const cutOff =
  (body: Uint8Array): Handler =>
  (_req, res) => {
    res.writeHead(200, { 'content-length': body.length });
    res.write(body.subarray(0, body.length >> 1), () => setTimeout(() => res.socket?.destroy(), 5));
  };

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A ustar archive of the given files (uncompressed). */
export function makeTar(files: Record<string, Uint8Array>): Uint8Array {
  const blocks: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const [name, body] of Object.entries(files)) {
    const h = new Uint8Array(512);
    const put = (s: string, off: number): void => h.set(enc.encode(s), off);
    put(name, 0);
    put('0000644\0', 100);
    put('0000000\0', 108);
    put('0000000\0', 116);
    put(body.length.toString(8).padStart(11, '0') + '\0', 124);
    put('00000000000\0', 136);
    put('        ', 148);
    put('0', 156);
    put('ustar\0', 257);
    put('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    put(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    blocks.push(h);
    const padded = new Uint8Array(Math.ceil(body.length / 512) * 512);
    padded.set(body);
    blocks.push(padded);
  }
  blocks.push(new Uint8Array(1024));
  return Buffer.concat(blocks);
}

/** A grayscale PNG (pngjs writer) of `gray` pixels. */
export function makeGrayPng(width: number, height: number, gray: Uint8Array): Uint8Array {
  const png = new PNG({ width, height, colorType: 0, bitDepth: 8, inputColorType: 0, inputHasAlpha: false });
  png.data = Buffer.from(gray);
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
}

/** The dataset mirror configured for this run (PAPERZOO_DATA_MIRROR), or null when absent. */
export function configuredMirror(): string | null {
  const m = resolveFetchConfig().mirror;
  return m !== null && fs.existsSync(m) ? m : null;
}
