/**
 * Streams the rows of one table to a CSV or NDJSON file with large buffered writes, counts the
 * physical lines, and plants dirty rows (see dirty-rules.ts) at the configured fraction, recording
 * each one with its exact 1-based physical line (CSV header = line 1; NDJSON record 1 = line 1).
 *
 * Fields arrive as strings, already CSV-quoted by the caller where they may hold commas, quotes or
 * newlines (`csvField`), so the hot path is a plain join.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { TableName } from '../warehouse/index.js';
import { tsStr, AS_OF_DAY } from './calendar.js';
import {
  BAD_DATES,
  BAD_NUMBERS,
  NEGATIVE_OK_KINDS,
  WRONG_ENUMS,
  type DirtyKind,
  type DirtyRule,
} from './dirty-rules.js';
import { Rng } from './prng.js';

export interface DirtyRow {
  table: TableName;
  file: string;
  /** 1-based physical line in the file (CSV header = line 1). */
  line: number;
  column: string;
  kind: DirtyKind;
  /** The bad value as written (empty string for a missing id; the key for duplicates). */
  value: string;
  /** For duplicates: the line of the identical row before it. */
  duplicate_of_line?: number;
}

export interface FileSummary {
  table: TableName;
  file: string;
  format: 'csv' | 'ndjson' | 'parquet';
  /** Data records (clean + dirty), excluding the header. */
  rows: number;
  /** Physical lines, including the header and the extra lines of quoted newlines. */
  lines: number;
  dirty_rows: number;
  bytes: number;
}

export interface TableWriterOptions {
  dir: string;
  table: TableName;
  format: 'csv' | 'ndjson';
  columns: readonly string[];
  rules: readonly DirtyRule[];
  dirtyFraction: number;
  seed: number;
  /** Index of the table (stream of its dirty-row randomness). */
  streamIndex: number;
  /** The single id column that dirty copies get a fresh value in (absent: composite key). */
  idColumn?: string;
  /** Write a UTF-8 byte order mark first. */
  bom?: boolean;
  /** Rows may contain quoted newlines: count physical lines per row. */
  multiline?: boolean;
  /** NDJSON: columns written as JSON numbers when they parse as one. */
  numericColumns?: readonly string[];
  /** Shared sink for the dirty-row list. */
  dirtySink: DirtyRow[];
  /** Tables with at least this many clean rows get every applicable defect at least once. */
  minRowsForAllKinds?: number;
}

const BUFFER_BYTES = 1 << 22;
const PENDING_CHARS = 1 << 16;

/** Quotes a CSV field when it holds a comma, quote, CR or LF. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export class TableWriter {
  readonly file: string;
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(BUFFER_BYTES);
  private pos = 0;
  private pending = '';
  private bytes = 0;
  private nextLine: number;
  private rows = 0;
  private cleanRows = 0;
  private dirtyCount = 0;
  private readonly rng: Rng;
  private ruleCursor: number;
  private readonly kindsSeen = new Set<string>();
  private lastClean: { fields: string[]; line: number } | undefined;
  private readonly colIndex = new Map<string, number>();

  constructor(private readonly o: TableWriterOptions) {
    this.file = `${o.table}.${o.format}`;
    this.fd = openSync(join(o.dir, this.file), 'w');
    this.rng = new Rng(o.seed, 3, o.streamIndex);
    this.ruleCursor = o.rules.length ? this.rng.int(o.rules.length) : 0;
    o.columns.forEach((c, i) => this.colIndex.set(c, i));
    this.nextLine = 1;
    if (o.format === 'csv') {
      this.push(`${o.bom ? '\ufeff' : ''}${o.columns.join(',')}\n`, 1);
    }
  }

  /** Writes one clean row; returns its physical line. May add a dirty copy after it. */
  row(fields: string[]): number {
    const line = this.write(fields);
    this.cleanRows++;
    if (this.nextLine === line + 1) this.lastClean = { fields, line };
    if (this.o.dirtyFraction > 0 && this.o.rules.length && this.rng.next() < this.o.dirtyFraction) {
      this.plant(fields, line, undefined);
    }
    return line;
  }

  /** Flushes, plants any defect kind not yet seen (large tables only) and closes the file. */
  close(): FileSummary {
    const min = this.o.minRowsForAllKinds ?? 1000;
    if (this.o.dirtyFraction > 0 && this.cleanRows >= min && this.lastClean) {
      for (const rule of this.o.rules) {
        const key = `${rule.kind}:${rule.column}`;
        if (!this.kindsSeen.has(key)) this.plant(this.lastClean.fields, this.lastClean.line, rule);
      }
    }
    this.flush();
    closeSync(this.fd);
    return {
      table: this.o.table,
      file: this.file,
      format: this.o.format,
      rows: this.rows,
      lines: this.nextLine - 1,
      dirty_rows: this.dirtyCount,
      bytes: this.bytes,
    };
  }

  private write(fields: string[]): number {
    const line = this.nextLine;
    let text: string;
    let lines = 1;
    if (this.o.format === 'csv') {
      text = fields.join(',');
      if (this.o.multiline) lines += countNewlines(text);
    } else {
      text = this.json(fields);
    }
    this.push(text + '\n', lines);
    this.rows++;
    return line;
  }

  private push(text: string, lines: number): void {
    this.nextLine += lines;
    // Small strings are concatenated (cheap ropes) and copied into the buffer in 64 KB pieces.
    this.pending += text;
    if (this.pending.length >= PENDING_CHARS) this.drain();
  }

  private drain(): void {
    const text = this.pending;
    if (!text) return;
    this.pending = '';
    // A UTF-16 code unit is at most 3 UTF-8 bytes.
    if (this.pos + text.length * 3 > BUFFER_BYTES) {
      this.writeOut();
      if (text.length * 3 > BUFFER_BYTES) {
        const big = Buffer.from(text, 'utf8');
        writeSync(this.fd, big);
        this.bytes += big.length;
        return;
      }
    }
    this.pos += this.buf.write(text, this.pos, 'utf8');
  }

  private flush(): void {
    this.drain();
    this.writeOut();
  }

  private writeOut(): void {
    if (this.pos === 0) return;
    let off = 0;
    while (off < this.pos) off += writeSync(this.fd, this.buf, off, this.pos - off);
    this.bytes += this.pos;
    this.pos = 0;
  }

  private json(fields: string[]): string {
    const obj: Record<string, string | number | null> = {};
    const numeric = this.o.numericColumns ?? [];
    this.o.columns.forEach((c, i) => {
      const v = fields[i] ?? '';
      if (v === '') obj[c] = null;
      else if (numeric.includes(c) && /^-?\d+(\.\d+)?$/.test(v)) obj[c] = Number(v);
      else obj[c] = v;
    });
    return JSON.stringify(obj);
  }

  /** Writes a corrupted copy of `fields` (written at `line`) by the next applicable rule. */
  private plant(fields: string[], line: number, forced: DirtyRule | undefined): void {
    if (fields.some((f) => f.includes('\n'))) return;
    const rules = this.o.rules;
    for (let attempt = 0; attempt < rules.length; attempt++) {
      const rule = forced ?? rules[(this.ruleCursor + attempt) % rules.length];
      if (!rule) return;
      const bad = this.corrupt(fields, rule);
      if (bad) {
        if (!forced) this.ruleCursor = (this.ruleCursor + attempt + 1) % rules.length;
        const badLine = this.write(bad.fields);
        this.dirtyCount++;
        this.kindsSeen.add(`${rule.kind}:${rule.column}`);
        const entry: DirtyRow = {
          table: this.o.table,
          file: this.file,
          line: badLine,
          column: rule.column,
          kind: rule.kind,
          value: bad.value,
        };
        if (rule.kind === 'duplicate') entry.duplicate_of_line = line;
        this.o.dirtySink.push(entry);
        return;
      }
      if (forced) return;
    }
  }

  private corrupt(fields: string[], rule: DirtyRule): { fields: string[]; value: string } | undefined {
    const col = this.colIndex.get(rule.column);
    if (col === undefined) throw new Error(`dirty rule on unknown column ${this.o.table}.${rule.column}`);
    if (rule.kind === 'duplicate') return { fields: [...fields], value: fields[col] ?? '' };
    const out = [...fields];
    const n = this.dirtyCount + 1;
    const idCol = this.o.idColumn === undefined ? undefined : this.colIndex.get(this.o.idColumn);
    if (idCol !== undefined && !(rule.kind === 'missing_id' && idCol === col)) {
      out[idCol] = `${fields[idCol] ?? ''}-X${n}`;
    }
    const current = fields[col] ?? '';
    let value: string;
    switch (rule.kind) {
      case 'missing_id':
        value = '';
        break;
      case 'bad_date':
        value = this.rng.pick(BAD_DATES);
        break;
      case 'unparseable_number':
        value = this.rng.pick(BAD_NUMBERS);
        break;
      case 'unknown_partner':
        value = `P-GHOST-${String(n).padStart(4, '0')}`;
        break;
      case 'wrong_enum':
        value = this.rng.pick(WRONG_ENUMS[rule.column] ?? ['bogus']);
        break;
      case 'future_timestamp':
        value = tsStr(AS_OF_DAY + 1100 + this.rng.int(900), 36_000 + this.rng.int(3600));
        break;
      case 'negative_amount': {
        const kindCol = this.colIndex.get('kind');
        if (kindCol !== undefined && NEGATIVE_OK_KINDS.includes(fields[kindCol] ?? '')) return undefined;
        if (current === '' || current.startsWith('-') || Number(current) === 0) return undefined;
        value = `-${current}`;
        break;
      }
    }
    out[col] = value;
    return { fields: out, value };
  }
}

function countNewlines(s: string): number {
  let n = 0;
  let i = s.indexOf('\n');
  while (i !== -1) {
    n++;
    i = s.indexOf('\n', i + 1);
  }
  return n;
}
