/**
 * Reading members out of archives: a streaming tar(.gz) reader (CIFAR-10's 170 MB archive is never held in
 * memory) and zip member access through fflate.
 */
import { createReadStream } from 'node:fs';
import zlib from 'node:zlib';
import { unzipSync } from 'fflate';
import { DatasetError } from './errors.js';

/** A regular file inside a tar archive. */
export interface TarEntry {
  /** Member path, with any leading `./` removed. */
  name: string;
  /** Size in bytes. */
  size: number;
}

/** Receives the body of one tar member. */
export interface TarSink {
  write(chunk: Uint8Array): Promise<void> | void;
  end(): Promise<void> | void;
}

/** Normalises a member path: no leading `./` or `/`. */
export function normaliseMemberName(name: string): string {
  let n = name.replace(/\\/g, '/');
  while (n.startsWith('./')) n = n.slice(2);
  while (n.startsWith('/')) n = n.slice(1);
  return n;
}

function readString(block: Uint8Array, offset: number, length: number): string {
  let end = offset;
  while (end < offset + length && block[end] !== 0) end++;
  return Buffer.from(block.buffer, block.byteOffset + offset, end - offset).toString('utf8');
}

function readSize(block: Uint8Array, offset: number, length: number, file: string): number {
  if (block[offset] & 0x80) {
    // GNU base-256 encoding for sizes of 8 GiB and more.
    let v = 0;
    for (let i = offset + 1; i < offset + length; i++) v = v * 256 + block[i];
    return v;
  }
  const s = readString(block, offset, length).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) {
    throw new DatasetError('BAD_TAR', 'a tar header has a non-octal size field', { file, actual: JSON.stringify(s), remedy: `Delete ${file} and rerun.` });
  }
  return parseInt(s, 8);
}

function headerChecksumOk(block: Uint8Array): boolean {
  const stored = parseInt(readString(block, 148, 8).trim() || 'NaN', 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : block[i];
  return stored === sum;
}

/**
 * A push parser for the tar format (ustar, GNU long names, pax `path` records). Feed it chunks of any size;
 * for every regular file it asks `select` for a sink and streams the member's body into it.
 */
export class TarParser {
  private header = new Uint8Array(512);
  private headerFill = 0;
  private remaining = 0;
  private padding = 0;
  private sink: TarSink | null = null;
  private meta: Uint8Array[] | null = null;
  private metaType = '';
  private longName: string | null = null;
  private done = false;
  private sawHeader = false;

  constructor(
    private readonly select: (entry: TarEntry) => TarSink | null,
    private readonly file: string,
  ) {}

  /** True once the end-of-archive marker was read. */
  get finished(): boolean {
    return this.done;
  }

  /** Feeds the next chunk of the (decompressed) tar stream. */
  async push(chunk: Uint8Array): Promise<void> {
    let off = 0;
    while (off < chunk.length && !this.done) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - off);
        const part = chunk.subarray(off, off + take);
        if (this.sink) await this.sink.write(part);
        else if (this.meta) this.meta.push(part.slice());
        this.remaining -= take;
        off += take;
        if (this.remaining === 0) await this.endEntry();
      } else if (this.padding > 0) {
        const take = Math.min(this.padding, chunk.length - off);
        this.padding -= take;
        off += take;
      } else {
        const take = Math.min(512 - this.headerFill, chunk.length - off);
        this.header.set(chunk.subarray(off, off + take), this.headerFill);
        this.headerFill += take;
        off += take;
        if (this.headerFill === 512) {
          this.headerFill = 0;
          await this.startEntry();
        }
      }
    }
  }

  /** Checks that the stream ended at an entry boundary. */
  finish(): void {
    if (this.remaining > 0 || this.headerFill > 0 || this.padding > 0) {
      const where = this.remaining > 0 ? `inside an entry (${this.remaining} body bytes missing)` : this.headerFill > 0 ? `inside a header (${this.headerFill} of 512 bytes)` : `inside the padding of an entry (${this.padding} bytes missing)`;
      throw new DatasetError('TRUNCATED_FILE', `the tar stream ends ${where}`, {
        file: this.file,
        remedy: `Delete ${this.file} and rerun so it is downloaded again.`,
      });
    }
    if (!this.sawHeader) {
      throw new DatasetError('BAD_TAR', 'the archive holds no tar entries', { file: this.file, remedy: `Delete ${this.file} and rerun.` });
    }
  }

  private async startEntry(): Promise<void> {
    const h = this.header;
    if (h.every((b) => b === 0)) {
      this.done = true;
      return;
    }
    if (!headerChecksumOk(h)) {
      throw new DatasetError('BAD_TAR', 'a tar header has a wrong checksum (not a tar archive, or corrupt)', {
        file: this.file,
        remedy: `Delete ${this.file} and rerun so it is downloaded again.`,
      });
    }
    this.sawHeader = true;
    const size = readSize(h, 124, 12, this.file);
    const type = String.fromCharCode(h[156] || 0x30);
    let name = readString(h, 0, 100);
    if (readString(h, 257, 5) === 'ustar') {
      const prefix = readString(h, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    if (this.longName !== null) {
      name = this.longName;
      this.longName = null;
    }
    this.remaining = size;
    this.padding = (512 - (size % 512)) % 512;
    this.sink = null;
    this.meta = null;
    if (type === 'L' || type === 'x') {
      this.meta = [];
      this.metaType = type;
    } else if (type === '0' || type === '\0' || type === '7') {
      this.sink = this.select({ name: normaliseMemberName(name), size });
    }
    if (size === 0) await this.endEntry();
  }

  private async endEntry(): Promise<void> {
    if (this.sink) {
      await this.sink.end();
      this.sink = null;
    }
    if (this.meta) {
      const text = Buffer.concat(this.meta).toString('utf8');
      if (this.metaType === 'L') this.longName = text.replace(/\0+$/, '');
      else {
        const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(text);
        if (m) this.longName = m[1];
      }
      this.meta = null;
    }
  }
}

/**
 * Streams a `.tar.gz` file from disk and hands each regular member to `select`.
 *
 * @throws {@link DatasetError} `BAD_GZIP` / `TRUNCATED_GZIP` / `BAD_TAR` / `TRUNCATED_FILE`
 */
export async function walkTarGz(path: string, select: (entry: TarEntry) => TarSink | null): Promise<void> {
  const parser = new TarParser(select, path);
  const gunzip = zlib.createGunzip();
  const source = createReadStream(path);
  source.on('error', (e) => gunzip.destroy(e));
  source.pipe(gunzip);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      await parser.push(chunk);
      if (parser.finished) break;
    }
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    const code = (e as { code?: string }).code;
    if (code === 'Z_BUF_ERROR') {
      throw new DatasetError('TRUNCATED_GZIP', 'the gzip stream ends before its end marker', { file: path, remedy: `Delete ${path} and rerun.`, cause: e });
    }
    throw new DatasetError('BAD_GZIP', `cannot decompress (${(e as Error).message})`, { file: path, remedy: `Delete ${path} and rerun.`, cause: e });
  } finally {
    source.destroy();
    gunzip.destroy();
  }
  parser.finish();
}

/**
 * Reads the named members of an in-memory tar archive (not compressed).
 *
 * @returns member name → bytes, for the names that were found (all regular files when `names` is omitted)
 */
export async function readTarMembers(tar: Uint8Array, names?: readonly string[], file = '<tar>'): Promise<Map<string, Uint8Array>> {
  const want = names ? new Set(names.map(normaliseMemberName)) : null;
  const out = new Map<string, Uint8Array>();
  const parser = new TarParser((entry) => {
    if (want && !want.has(entry.name)) return null;
    const parts: Uint8Array[] = [];
    return { write: (c) => void parts.push(c.slice()), end: () => void out.set(entry.name, Buffer.concat(parts)) };
  }, file);
  await parser.push(tar);
  parser.finish();
  return out;
}

/**
 * Decompresses the members of a zip archive that `filter` accepts (all when omitted).
 *
 * @throws {@link DatasetError} `BAD_ZIP` when the bytes are not a readable zip
 */
export function unzipMembers(zip: Uint8Array, file: string, filter?: (name: string) => boolean): Record<string, Uint8Array> {
  try {
    return unzipSync(zip, filter ? { filter: (f) => filter(f.name) } : undefined);
  } catch (e) {
    throw new DatasetError('BAD_ZIP', `not a readable zip archive (${(e as Error).message})`, {
      file,
      remedy: `Delete ${file} and rerun so it is fetched again.`,
      cause: e,
    });
  }
}

/**
 * Reads one member of a zip archive.
 *
 * @throws {@link DatasetError} `MISSING_ZIP_MEMBER` (naming the members that are there) or `BAD_ZIP`
 */
export function readZipMember(zip: Uint8Array, member: string, file = '<zip>'): Uint8Array {
  const want = normaliseMemberName(member);
  const names: string[] = [];
  const got = unzipMembers(zip, file, (name) => {
    names.push(name);
    return normaliseMemberName(name) === want;
  });
  const key = Object.keys(got)[0];
  if (key === undefined) {
    const shown = names.filter((n) => !n.endsWith('/')).slice(0, 8);
    throw new DatasetError('MISSING_ZIP_MEMBER', `the archive has no member '${member}'`, {
      file,
      expected: member,
      actual: shown.length ? `members ${shown.join(', ')}${names.length > shown.length ? ', ...' : ''}` : 'no members',
      remedy: `Check that ${file} is the right archive; delete it and rerun to fetch it again.`,
    });
  }
  return got[key];
}
