import fs from 'node:fs';
import path from 'node:path';
import { resolveFetchConfig } from '@paperzoo/datasets';

/** The WikiText-2 folder of the data mirror, or null (with a warning naming `what` is skipped) when absent. */
export function wikiText2Folder(what: string): string | null {
  const mirror = resolveFetchConfig().mirror;
  const folder = mirror === null ? null : path.join(mirror, 'wikitext-2');
  if (folder !== null && fs.existsSync(path.join(folder, 'train.txt'))) return folder;
  console.warn(`PAPERZOO_DATA_MIRROR is not set (or has no wikitext-2): ${what} is skipped.`);
  return null;
}

/** A WikiText-2 split's raw text (tokenised words with spaces, as the mirror stores it). */
export function readWikiText2(folder: string, split: 'train' | 'valid' | 'test'): string {
  return fs.readFileSync(path.join(folder, `${split}.txt`), 'utf8');
}
