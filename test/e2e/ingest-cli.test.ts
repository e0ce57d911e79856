import { describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program.js';
import { captureOutput } from './capture-output.js';
import { ACCOUNTS, PARTNERS, tempDir, writeFiles } from '../integration/ingest-fixtures.js';

const io = captureOutput();

describe('jointly ingest / quarantine', () => {
  test('ingest --json prints exactly the batch id and the per-file counts; quarantine --json lists the bad row', async () => {
    const dir = writeFiles({ 'partners.csv': PARTNERS + 'p3,Gamma,notatype,,\n', 'accounts.csv': ACCOUNTS });
    const db = join(tempDir(), 'cli.duckdb');
    expect(await runCli(['ingest', dir, '--db', db, '--json'])).toBe(0);
    const result = JSON.parse(io.out) as { batch_id: number; files: Record<string, unknown>[] };
    expect(result).toEqual({
      batch_id: 1,
      files: [
        { file: join(dir, 'partners.csv'), table: 'partners', rows_in: 3, loaded: 2, updated: 0, duplicates: 0, quarantined: 1 },
        { file: join(dir, 'accounts.csv'), table: 'accounts', rows_in: 2, loaded: 2, updated: 0, duplicates: 0, quarantined: 0 },
      ],
    });
    io.out = '';
    expect(await runCli(['quarantine', '--db', db, '--batch', '1', '--json'])).toBe(0);
    const rows = JSON.parse(io.out) as Record<string, unknown>[];
    expect(rows.map((r) => [r['file'], r['line'], r['column'], r['reason_code']])).toEqual([
      [join(dir, 'partners.csv'), 4, 'partner_type', 'bad_enum'],
    ]);
  });

  test('the table output shows the counts and a failure is one line with a non-zero exit code', async () => {
    const dir = writeFiles({ 'partners.csv': PARTNERS });
    const db = join(tempDir(), 'cli.duckdb');
    expect(await runCli(['ingest', join(dir, 'partners.csv'), '--db', db])).toBe(0);
    expect(io.out).toMatch(/batch 1\nfile\s+table\s+rows in\s+loaded\s+updated\s+duplicates\s+quarantined/);
    expect(io.out).toMatch(/partners\.csv\s+partners\s+2\s+2\s+0\s+0\s+0/);
    const bad = writeFiles({ 'accounts.csv': 'account_id\na1\n' });
    const code = await runCli(['ingest', bad, '--db', db]);
    expect(code).toBe(65);
    expect(io.err.trim().split('\n')).toHaveLength(1);
    expect(io.err).toMatch(/^jointly: Cannot read .*accounts\.csv \(table accounts\): the header lacks required column name/);
  });
});
