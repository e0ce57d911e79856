/**
 * Ingest checked against the generator's planted truth: every bad row the generator listed in
 * truth.json is quarantined at the file and line it names (or counted as a duplicate), and no
 * row the generator wrote as good is quarantined. Two modules written separately must agree.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { generateDemoData } from '../../src/generate/index.js';
import { ingestPaths, listQuarantine } from '../../src/ingest/index.js';
import { Warehouse } from '../../src/warehouse/index.js';

interface DirtyRow {
  table: string;
  file: string;
  line: number;
  column: string;
  kind: string;
}

const dir = mkdtempSync(join(tmpdir(), 'jointly-truth-'));
let truth: { dirty_rows: DirtyRow[] };
let quarantined: { file: string; line: number | null; column: string | null; reason_code: string }[];
let files: { file: string; table: string; duplicates: number; rows_in: number; loaded: number; updated: number; quarantined: number }[];

beforeAll(async () => {
  const gen = await generateDemoData({ seed: 11, scale: 'small', outDir: join(dir, 'data') });
  truth = JSON.parse(readFileSync(gen.truthFile, 'utf8')) as typeof truth;
  const wh = await Warehouse.open(join(dir, 'w.duckdb'));
  try {
    const result = await ingestPaths(wh, [join(dir, 'data')], { now: new Date('2026-11-01T00:00:00Z') });
    files = result.files.map((f) => ({ ...f, file: basename(f.file) }));
    quarantined = (await listQuarantine(wh, {})).map((q) => ({ ...q, file: basename(q.file) }));
  } finally {
    await wh.close();
  }
});

describe('ingest against the planted truth', () => {
  test('every planted bad row (other than duplicates) is quarantined at its file and line', () => {
    const planted = truth.dirty_rows.filter((d) => d.kind !== 'duplicate');
    expect(planted.length).toBeGreaterThan(10);
    const found = new Set(quarantined.map((q) => `${q.file}:${q.line}`));
    const missing = planted.filter((d) => !found.has(`${d.file}:${d.line}`));
    expect(missing).toEqual([]);
  });

  test('nothing the generator wrote as good is quarantined', () => {
    const planted = new Set(truth.dirty_rows.map((d) => `${d.file}:${d.line}`));
    const extra = quarantined.filter((q) => !planted.has(`${q.file}:${q.line}`));
    expect(extra).toEqual([]);
  });

  test('planted exact duplicates are counted as duplicates and every file reconciles', () => {
    const plantedDup = new Map<string, number>();
    for (const d of truth.dirty_rows.filter((r) => r.kind === 'duplicate')) {
      plantedDup.set(d.file, (plantedDup.get(d.file) ?? 0) + 1);
    }
    for (const f of files) {
      expect(f.rows_in).toBe(f.loaded + f.updated + f.duplicates + f.quarantined);
      expect(f.duplicates).toBeGreaterThanOrEqual(plantedDup.get(f.file) ?? 0);
    }
  });
});
