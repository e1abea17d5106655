/**
 * Line-oriented formats: TSV with a header (GLUE's SST-2), parallel text (Multi30k), and whitespace-separated
 * numeric tables (the NASA airfoil self-noise `.dat`).
 */
import { DatasetError } from './errors.js';
import { splitLines } from './text.js';

/** A parsed TSV file. */
export interface TsvTable {
  /** Header names. */
  columns: string[];
  /** Rows of fields, each with `columns.length` fields. */
  rows: string[][];
}

/**
 * Parses tab-separated values with a header line (no quoting, as GLUE's files).
 *
 * @param expectedColumns when given, the header must be exactly these names
 * @throws {@link DatasetError} `BAD_TSV` for a wrong header or a row with the wrong number of fields
 */
export function parseTsv(text: string, file = '<tsv>', expectedColumns?: readonly string[]): TsvTable {
  const lines = splitLines(text);
  if (lines.length === 0) throw new DatasetError('BAD_TSV', 'the file is empty', { file, expected: 'a header line', actual: 'nothing', remedy: `Delete ${file} and rerun.` });
  const columns = lines[0].replace(/^\uFEFF/, '').split('\t');
  if (expectedColumns && (columns.length !== expectedColumns.length || columns.some((c, i) => c !== expectedColumns[i]))) {
    throw new DatasetError('BAD_TSV', 'unexpected header', { file, expected: expectedColumns.join('\\t'), actual: columns.join('\\t'), remedy: `Check that ${file} is the right file; delete it and rerun.` });
  }
  const rows: string[][] = [];
  for (let i = 1; i < lines.length; i++) {
    const fields = lines[i].split('\t');
    if (fields.length !== columns.length) {
      throw new DatasetError('BAD_TSV', `line ${i + 1} has ${fields.length} fields`, { file, expected: `${columns.length} tab-separated fields`, actual: `${fields.length}: ${JSON.stringify(lines[i].slice(0, 80))}`, remedy: `Delete ${file} and rerun so a verified copy is fetched.` });
    }
    rows.push(fields);
  }
  return { columns, rows };
}

/** Line-aligned sentence pairs. */
export interface ParallelText {
  /** Source sentences. */
  source: string[];
  /** Target sentences; `target[i]` translates `source[i]`. */
  target: string[];
}

/**
 * Pairs the lines of two files (line i of one translates line i of the other).
 *
 * @throws {@link DatasetError} `COUNT_MISMATCH` when the line counts differ
 */
export function parseParallelText(sourceText: string, targetText: string, files: { source?: string; target?: string } = {}): ParallelText {
  const source = splitLines(sourceText);
  const target = splitLines(targetText);
  if (source.length !== target.length) {
    const s = files.source ?? '<source>';
    const t = files.target ?? '<target>';
    throw new DatasetError('COUNT_MISMATCH', `${s} and ${t} must have one line per sentence pair`, {
      file: `${s} / ${t}`,
      expected: `${source.length} lines in both`,
      actual: `${source.length} vs ${target.length}`,
      remedy: `Delete both files and rerun so verified copies are fetched.`,
    });
  }
  return { source, target };
}

/** A numeric table. */
export interface NumericTable {
  /** Number of rows. */
  rows: number;
  /** Number of columns. */
  cols: number;
  /** `[rows, cols]` row-major values. */
  data: Float64Array;
}

/**
 * Parses a whitespace-separated numeric table with a fixed number of columns (blank lines ignored).
 *
 * @throws {@link DatasetError} `BAD_FORMAT` for a row with the wrong number of fields or a non-number
 */
export function parseNumericTable(text: string, cols: number, file = '<table>'): NumericTable {
  const values: number[] = [];
  let rows = 0;
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const fields = line.split(/\s+/);
    if (fields.length !== cols) {
      throw new DatasetError('BAD_FORMAT', `line ${i + 1} has ${fields.length} fields`, { file, expected: `${cols} numbers`, actual: JSON.stringify(line.slice(0, 80)), remedy: `Delete ${file} and rerun so a verified copy is fetched.` });
    }
    for (const f of fields) {
      const v = Number(f);
      if (f === '' || !Number.isFinite(v)) {
        throw new DatasetError('BAD_FORMAT', `line ${i + 1} has a field that is not a number`, { file, expected: 'a finite number', actual: JSON.stringify(f), remedy: `Delete ${file} and rerun so a verified copy is fetched.` });
      }
      values.push(v);
    }
    rows++;
  }
  return { rows, cols, data: Float64Array.from(values) };
}

/**
 * Standardises each column to zero mean and unit (population) standard deviation, as d2l's airfoil loader:
 * `(data - data.mean(axis=0)) / data.std(axis=0)`. Returns float32.
 */
export function standardizeColumns(table: NumericTable): { data: Float32Array; mean: number[]; std: number[] } {
  const { rows, cols, data } = table;
  const mean = new Array<number>(cols).fill(0);
  const std = new Array<number>(cols).fill(0);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mean[c] += data[r * cols + c] / rows;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) std[c] += (data[r * cols + c] - mean[c]) ** 2 / rows;
  for (let c = 0; c < cols; c++) std[c] = Math.sqrt(std[c]);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = std[c] > 0 ? (data[r * cols + c] - mean[c]) / std[c] : 0;
  return { data: out, mean, std };
}
