/**
 * The `paperzoo compare` table, sized to fit a terminal of {@link MAX_WIDTH} columns: one row of
 * numbers per claim (id · tier · paper · ours · verdict), then a full-width row below it with
 * the claim in words and where the paper says it, its provenance and any notes, wrapped at word boundaries. Cells that still do
 * not fit (a single word longer than its column) are cut with '…', so no line is ever wider.
 */
import Table from 'cli-table3';
import { measuredText, provenanceText, publishedText, type ComparisonRow, type Verdict } from '@paperzoo/repro';

/** The widest line the compare table prints. */
export const MAX_WIDTH = 120;

export const MARK: Record<Verdict, string> = { pass: '✓', fail: '✗', missing: '?' };

/** Column widths (each including its two padding spaces); with the 6 border characters they make 118. */
const WIDTHS = { id: 27, tier: 7, paper: 20, ours: 24, verdict: 34 } as const;
const COLUMNS = Object.keys(WIDTHS) as (keyof typeof WIDTHS)[];

/** The text width inside the full-width row: the table's 118 columns less two borders and two padding spaces. */
const DETAIL_WIDTH = Object.values(WIDTHS).reduce((a, b) => a + b, 0) + COLUMNS.length - 1 - 2;

/** Wrap `text` at word boundaries to `width`, the first line indented by `indent`, the others by two more. */
export function wrapIndented(text: string, width: number, indent = '  '): string[] {
  const lines: string[] = [];
  let line = indent;
  let empty = true;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = empty ? line + word : `${line} ${word}`;
    if (!empty && [...next].length > width) {
      lines.push(line);
      line = indent + '  ' + word;
    } else line = next;
    empty = false;
  }
  lines.push(line);
  return lines;
}

/** Render the rows of a comparison as the table `paperzoo compare` prints. */
export function compareTable(rows: readonly ComparisonRow[]): string {
  const t = new Table({
    head: ['id', 'tier', 'paper', 'ours', 'verdict'],
    colWidths: COLUMNS.map((c) => WIDTHS[c]),
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: [], border: [], compact: false },
  });
  for (const row of rows) {
    const tolerance = row.evaluated ? ` (${row.evaluated.tolerance})` : '';
    t.push([row.app.repro.id, row.tier, publishedText(row.claim), measuredText(row), `${MARK[row.verdict]} ${row.verdict}${tolerance}`]);
    const claim = `${row.claim.what}${row.claim.setting ? ` (${row.claim.setting})` : ''} — ${row.claim.source}`;
    const detail = wrapIndented(claim, DETAIL_WIDTH);
    if (row.provenance) detail.push(...wrapIndented(provenanceText(row.provenance).replace(/^(\w+) · /, ''), DETAIL_WIDTH));
    for (const n of row.notes) detail.push(...wrapIndented(n, DETAIL_WIDTH));
    t.push([{ colSpan: COLUMNS.length, content: detail.join('\n'), wordWrap: false }]);
  }
  return t.toString();
}
