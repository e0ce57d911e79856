import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program.js';
import { ACCOUNTS, PARTNERS, tempDir, writeFiles } from '../integration/ingest-fixtures.js';

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('jointly ingest / quarantine', () => {
  test('ingest --json prints exactly the batch id and the per-file counts; quarantine --json lists the bad row', async () => {
    const dir = writeFiles({ 'partners.csv': PARTNERS + 'p3,Gamma,notatype,,\n', 'accounts.csv': ACCOUNTS });
    const db = join(tempDir(), 'cli.duckdb');
    expect(await runCli(['ingest', dir, '--db', db, '--json'])).toBe(0);
    const result = JSON.parse(out) as { batch_id: number; files: Record<string, unknown>[] };
    expect(result).toEqual({
      batch_id: 1,
      files: [
        { file: join(dir, 'partners.csv'), table: 'partners', rows_in: 3, loaded: 2, updated: 0, duplicates: 0, quarantined: 1 },
        { file: join(dir, 'accounts.csv'), table: 'accounts', rows_in: 2, loaded: 2, updated: 0, duplicates: 0, quarantined: 0 },
      ],
    });
    out = '';
    expect(await runCli(['quarantine', '--db', db, '--batch', '1', '--json'])).toBe(0);
    const rows = JSON.parse(out) as Record<string, unknown>[];
    expect(rows.map((r) => [r['file'], r['line'], r['column'], r['reason_code']])).toEqual([
      [join(dir, 'partners.csv'), 4, 'partner_type', 'bad_enum'],
    ]);
  });

  test('the table output shows the counts and a failure is one line with a non-zero exit code', async () => {
    const dir = writeFiles({ 'partners.csv': PARTNERS });
    const db = join(tempDir(), 'cli.duckdb');
    expect(await runCli(['ingest', join(dir, 'partners.csv'), '--db', db])).toBe(0);
    expect(out).toMatch(/batch 1\nfile\s+table\s+rows in\s+loaded\s+updated\s+duplicates\s+quarantined/);
    expect(out).toMatch(/partners\.csv\s+partners\s+2\s+2\s+0\s+0\s+0/);
    const bad = writeFiles({ 'accounts.csv': 'account_id\na1\n' });
    const code = await runCli(['ingest', bad, '--db', db]);
    expect(code).toBe(65);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(/^jointly: Cannot read .*accounts\.csv \(table accounts\): the header lacks required column name/);
  });
});
