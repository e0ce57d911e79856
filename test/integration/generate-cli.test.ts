import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program.js';

let out: string[];
let err: string[];

beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err.push(String(chunk));
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

describe('jointly generate', () => {
  test('--json prints the files, rows and seconds, and the files exist', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jointly-gen-cli-'));
    const code = await runCli(['generate', '--seed', '3', '--scale', 'small', '--out', dir, '--json']);
    expect(code).toBe(0);
    const summary = JSON.parse(out.join('')) as {
      seed: number;
      scale: string;
      seconds: number;
      dirty_rows: number;
      files: { file: string; table: string; rows: number }[];
    };
    expect(summary.seed).toBe(3);
    expect(summary.scale).toBe('small');
    expect(summary.files).toHaveLength(13);
    const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as { dirty_rows: unknown[]; files: Record<string, { rows: number }> };
    expect(summary.dirty_rows).toBe(truth.dirty_rows.length);
    for (const f of summary.files) {
      expect(existsSync(join(dir, f.file)), f.file).toBe(true);
      expect(f.rows).toBe(truth.files[f.table]?.rows);
    }
  });

  test('without --json it prints a table and one summary line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jointly-gen-cli-'));
    const code = await runCli(['generate', '--seed', '3', '--scale', 'small', '--out', dir, '--dirty', '0']);
    expect(code).toBe(0);
    const text = out.join('');
    expect(text).toMatch(/touchpoints\.csv\s+\d+\s+0\n/);
    expect(text).toMatch(/Wrote 13 files and truth\.json to .* \(seed 3, scale small, 0 dirty rows planted\)\./);
  });

  describe('failures', () => {
    test('an unknown scale is one line on stderr and exit code 2', async () => {
      const code = await runCli(['generate', '--scale', 'huge', '--out', tmpdir()]);
      expect(code).toBe(2);
      expect(err.join('')).toBe('jointly: --scale expects one of small, medium, large, ci, got "huge".\n');
    });

    test('a fractional seed or a dirty share above 0.2 is refused', async () => {
      expect(await runCli(['generate', '--seed', '1.5', '--out', tmpdir()])).toBe(2);
      expect(await runCli(['generate', '--dirty', '0.5', '--out', tmpdir()])).toBe(2);
      expect(err.join('')).toMatch(/--seed expects a whole number/);
      expect(err.join('')).toMatch(/dirtyFraction 0\.\.0\.2/);
    });
  });
});
