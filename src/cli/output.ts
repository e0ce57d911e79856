/**
 * CLI output helpers: aligned tables for people, JSON for machines, and whether to show
 * progress (only on a terminal and never with --json).
 */
import { JointlyError } from '../core/errors.js';
import { DEFAULT_DB_PATH } from '../warehouse/index.js';
import type { Command } from 'commander';

export function printJson(value: unknown): void {
  process.stdout.write(
    JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n',
  );
}

export interface TableColumn<R> {
  header: string;
  value: (row: R) => string | number | null | undefined;
  align?: 'left' | 'right';
}

/** Renders rows as an aligned text table. */
export function formatTable<R>(rows: readonly R[], columns: readonly TableColumn<R>[]): string {
  const cells = rows.map((r) => columns.map((c) => fmtCell(c.value(r))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => {
        const w = widths[i] ?? 0;
        return columns[i]?.align === 'right' ? v.padStart(w) : v.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export function printTable<R>(rows: readonly R[], columns: readonly TableColumn<R>[]): void {
  process.stdout.write(formatTable(rows, columns) + '\n');
}

function fmtCell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(4).replace(/\.?0+$/, '');
  return v;
}

/** True when progress bars may be drawn. */
export function showProgress(json: boolean | undefined): boolean {
  return !json && Boolean(process.stderr.isTTY);
}

/** Adds the `--db FILE` option every command has. */
export function withDb(cmd: Command): Command {
  return cmd.option('--db <file>', 'warehouse file', process.env['JOINTLY_DB'] ?? DEFAULT_DB_PATH);
}

/** Parses a CLI number option or fails with a clear message. */
export function parseNumberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) {
    throw new JointlyError('BAD_ARGUMENT', `--${name} expects a number, got "${value}".`);
  }
  return n;
}
