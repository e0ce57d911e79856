/**
 * Expands the paths given to `jointly ingest` into input files, each matched to its canonical
 * table by name, in load order (the order of TABLE_NAMES: fx_rates, partners, accounts, contacts,
 * activities, touchpoints, opportunities, ...) so that references resolve against rows loaded
 * earlier in the same batch. Folders are read one level deep; files in them whose names match
 * no table (truth.json, README.md) are skipped. A file named explicitly must match a table.
 *
 * @example
 * discoverFiles(['demo/']) // [{ path: 'demo/fx_rates.csv', table: 'fx_rates', format: 'csv', display: ... }, ...]
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { JointlyError } from '../core/errors.js';
import { TABLE_NAMES, tableForFile } from '../warehouse/index.js';
import type { FileFormat, SourceFile } from './source-relation.js';

export interface InputFile extends SourceFile {
  /** The path as the user named it (stored as source_file and shown in output). */
  display: string;
}

function formatOf(path: string): FileFormat | undefined {
  const p = path.toLowerCase().replace(/\.gz$/, '');
  if (p.endsWith('.csv')) return 'csv';
  if (p.endsWith('.tsv')) return 'tsv';
  if (p.endsWith('.ndjson') || p.endsWith('.jsonl') || p.endsWith('.json')) return 'ndjson';
  if (p.endsWith('.parquet')) return 'parquet';
  return undefined;
}

function toInput(display: string): InputFile | undefined {
  const table = tableForFile(display);
  const format = formatOf(display);
  if (!table || !format) return undefined;
  return { path: resolve(display), display, table, format };
}

/** Lists the input files of the given paths in load order; throws for missing or unmatched paths. */
export function discoverFiles(paths: readonly string[]): InputFile[] {
  if (paths.length === 0) {
    throw new JointlyError('BAD_ARGUMENT', 'Name at least one file or folder to ingest.');
  }
  const found = new Map<string, InputFile>();
  for (const p of paths) {
    if (!existsSync(p)) throw new JointlyError('INPUT_NOT_FOUND', `No such file or folder: ${p}.`);
    if (statSync(p).isDirectory()) {
      const inFolder = readdirSync(p)
        .sort()
        .map((name) => join(p, name))
        .filter((f) => statSync(f).isFile())
        .map(toInput)
        .filter((f): f is InputFile => f !== undefined);
      if (inFolder.length === 0) {
        throw new JointlyError(
          'NO_DATA',
          `The folder ${p} holds no input file. Name files after their table, e.g. partners.csv or touchpoints.ndjson.`,
        );
      }
      for (const f of inFolder) found.set(f.path, f);
    } else {
      const f = toInput(p);
      if (!f) {
        throw new JointlyError(
          'UNKNOWN_TABLE',
          `${p}: the file name matches no table. Name it <table>.csv, .tsv, .ndjson, .jsonl or .parquet, ` +
            `where <table> is one of ${TABLE_NAMES.join(', ')}.`,
        );
      }
      found.set(f.path, f);
    }
  }
  const order = (f: InputFile): number => TABLE_NAMES.indexOf(f.table);
  return [...found.values()].sort((a, b) => order(a) - order(b) || a.display.localeCompare(b.display));
}
