/**
 * Reads an aggregated paths table (as web analytics tools and ChannelAttribution export them):
 * columns `path` (channels joined by ` > `), `total_conversions`, `total_conversion_value`,
 * `total_null`, in any order, extra columns ignored. The delimiter is `,`, `;` or a tab, taken from
 * the header line; fields may be double-quoted. Every bad cell fails with file, line and column.
 */
import { readFileSync } from 'node:fs';
import { JointlyError, messageOf } from '../../core/errors.js';
import type { PathRow } from './types.js';

const REQUIRED = ['path', 'total_conversions', 'total_conversion_value', 'total_null'] as const;

/** CSV text with a name for messages, or a file to read. A bare string is CSV text. */
export type PathsCsvInput = string | { file: string } | { text: string; name: string };

/**
 * Parses a paths CSV into path rows.
 *
 * @example
 * parsePathsCsv('path,total_conversions,total_conversion_value,total_null\npaid > partner,2,150.5,8\n');
 * // [{ path: ['paid', 'partner'], conversions: 2, value: 150.5, nulls: 8 }]
 * parsePathsCsv({ file: 'paths.csv' });
 */
export function parsePathsCsv(input: PathsCsvInput): PathRow[] {
  const { text, name } = readInput(input);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerLine = lines[0] ?? '';
  if (headerLine.trim() === '') {
    throw new JointlyError('INPUT_UNREADABLE', `${name}: line 1: no header; expected columns ${REQUIRED.join(', ')}.`);
  }
  const delimiter = pickDelimiter(headerLine);
  const header = splitLine(headerLine, delimiter, name, 1).map((h) => h.trim().toLowerCase());
  const at = new Map<string, number>();
  header.forEach((h, i) => at.set(h, i));
  const missing = REQUIRED.filter((c) => !at.has(c));
  if (missing.length > 0) {
    throw new JointlyError(
      'INPUT_UNREADABLE',
      `${name}: line 1: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; ` +
        `expected ${REQUIRED.join(', ')} (found ${header.join(', ')}).`,
    );
  }
  const col = (c: (typeof REQUIRED)[number]): number => at.get(c) ?? -1;
  const rows: PathRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (raw.trim() === '') continue;
    const line = i + 1;
    const cells = splitLine(raw, delimiter, name, line);
    const cell = (c: (typeof REQUIRED)[number]): string => (cells[col(c)] ?? '').trim();
    const fail = (c: string, why: string): never => {
      throw new JointlyError('INPUT_UNREADABLE', `${name}: line ${line}, column ${c}: ${why}`);
    };
    const pathText = cell('path');
    if (pathText === '') fail('path', 'empty path; list the channels joined by " > ".');
    const path = pathText.split('>').map((c) => c.trim());
    const blank = path.findIndex((c) => c === '');
    if (blank >= 0) fail('path', `channel ${blank + 1} of "${pathText}" is empty.`);
    const count = (c: 'total_conversions' | 'total_null'): number => {
      const v = cell(c);
      const n = Number(v);
      if (v === '' || !Number.isFinite(n) || n < 0) fail(c, `expected a number >= 0, got "${v}".`);
      return n;
    };
    const conversions = count('total_conversions');
    const nulls = count('total_null');
    const valueText = cell('total_conversion_value');
    const value = Number(valueText);
    if (valueText === '' || !Number.isFinite(value)) {
      fail('total_conversion_value', `expected a number, got "${valueText}".`);
    }
    rows.push({ path, conversions, value, nulls });
  }
  if (rows.length === 0) {
    throw new JointlyError('NO_DATA', `${name}: no path rows after the header.`);
  }
  return rows;
}

function readInput(input: PathsCsvInput): { text: string; name: string } {
  if (typeof input === 'string') return { text: input, name: 'paths CSV' };
  if ('text' in input) return input;
  try {
    return { text: readFileSync(input.file, 'utf8'), name: input.file };
  } catch (error) {
    const notFound = error instanceof Error && 'code' in error && error.code === 'ENOENT';
    throw new JointlyError(
      notFound ? 'INPUT_NOT_FOUND' : 'INPUT_UNREADABLE',
      notFound ? `No such file: ${input.file}. Check the path and try again.` : `Cannot read ${input.file}: ${messageOf(error)}`,
      { cause: error },
    );
  }
}

function pickDelimiter(header: string): string {
  for (const d of [',', ';', '\t']) if (header.includes(d)) return d;
  return ',';
}

/** Splits one CSV line, honouring double quotes ("" inside quotes is a quote). */
function splitLine(line: string, delimiter: string, name: string, lineNo: number): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"' && cur.trim() === '') {
      quoted = true;
      cur = '';
    } else if (ch === delimiter) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (quoted) {
    throw new JointlyError('INPUT_UNREADABLE', `${name}: line ${lineNo}: unterminated quoted field.`);
  }
  out.push(cur);
  return out;
}
