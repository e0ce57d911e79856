/**
 * `jointly ingest PATH...`: load files and folders as one batch; prints per-file counts.
 * `jointly quarantine`: list the rows ingest set aside, with file, line, column and reason.
 */
import type { Command } from 'commander';
import { ingestPaths, listQuarantine } from '../../ingest/index.js';
import { Warehouse } from '../../warehouse/index.js';
import { parseNumberOption, printJson, printTable, showProgress, withDb } from '../output.js';

export const order = 20;

/** Ingest keeps DuckDB under this much memory unless JOINTLY_MEMORY_LIMIT says otherwise. */
const MEMORY_LIMIT = process.env['JOINTLY_MEMORY_LIMIT'] ?? '1500MB';

export function register(program: Command): void {
  withDb(
    program
      .command('ingest')
      .description('Load CSV, NDJSON or Parquet files (named after their table) as one transactional batch.')
      .argument('<paths...>', 'files or folders, e.g. demo/ or data/opportunities.csv')
      .option('--base-currency <code>', 'ISO 4217 base currency (default USD; fixed by the first load)')
      .option('--json', 'machine-readable output'),
  ).action(async (paths: string[], flags: { db: string; baseCurrency?: string; json?: boolean }) => {
    const wh = await Warehouse.open(flags.db, { settings: { memory_limit: MEMORY_LIMIT } });
    try {
      const progress = showProgress(flags.json);
      const result = await ingestPaths(wh, paths, {
        ...(flags.baseCurrency ? { baseCurrency: flags.baseCurrency } : {}),
        ...(process.env['USER'] ? { actor: process.env['USER'] } : {}),
        onFileLoaded: (c, i, n) => {
          if (progress) process.stderr.write(`[${i + 1}/${n}] ${c.file}: ${c.rows_in} rows\n`);
        },
      });
      if (flags.json) {
        printJson({
          batch_id: result.batch_id,
          files: result.files.map((f) => ({
            file: f.file,
            table: f.table,
            rows_in: f.rows_in,
            loaded: f.loaded,
            updated: f.updated,
            duplicates: f.duplicates,
            quarantined: f.quarantined,
          })),
        });
        return;
      }
      process.stdout.write(`batch ${result.batch_id}\n`);
      printTable(result.files, [
        { header: 'file', value: (f) => f.file },
        { header: 'table', value: (f) => f.table },
        { header: 'rows in', value: (f) => f.rows_in, align: 'right' },
        { header: 'loaded', value: (f) => f.loaded, align: 'right' },
        { header: 'updated', value: (f) => f.updated, align: 'right' },
        { header: 'duplicates', value: (f) => f.duplicates, align: 'right' },
        { header: 'quarantined', value: (f) => f.quarantined, align: 'right' },
      ]);
      const q = result.files.reduce((a, f) => a + f.quarantined, 0);
      if (q > 0) process.stdout.write(`${q} rows quarantined: see \`jointly quarantine --batch ${result.batch_id}\`\n`);
    } finally {
      await wh.close();
    }
  });

  withDb(
    program
      .command('quarantine')
      .description('List rows that ingest quarantined, with file, line, column and reason.')
      .option('--batch <n>', 'only this batch')
      .option('--limit <n>', 'at most this many rows (default 100; all with --json)')
      .option('--json', 'machine-readable output'),
  ).action(async (flags: { db: string; batch?: string; limit?: string; json?: boolean }) => {
    const wh = await Warehouse.open(flags.db, { readOnly: true });
    try {
      const batchId = parseNumberOption('batch', flags.batch);
      const limit = parseNumberOption('limit', flags.limit) ?? (flags.json ? undefined : 100);
      const rows = await listQuarantine(wh, {
        ...(batchId !== undefined ? { batchId } : {}),
        ...(limit !== undefined ? { limit } : {}),
      });
      if (flags.json) {
        printJson(rows);
        return;
      }
      if (rows.length === 0) {
        process.stdout.write('No quarantined rows.\n');
        return;
      }
      printTable(rows, [
        { header: 'batch', value: (r) => r.batch_id, align: 'right' },
        { header: 'file', value: (r) => r.file },
        { header: 'line', value: (r) => r.line, align: 'right' },
        { header: 'column', value: (r) => r.column },
        { header: 'reason', value: (r) => r.reason_code },
        { header: 'detail', value: (r) => r.reason.replace(/\s+/g, ' ').slice(0, 100) },
      ]);
    } finally {
      await wh.close();
    }
  });
}
