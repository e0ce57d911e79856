import { describe, expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse, raw, sql } from '../warehouse/index.js';
import { erfcSql, twoSidedZ } from './detect-alerts.js';

describe('alert p-values', () => {
  test('erfc in SQL keeps its relative precision far in the tail (reference values of erfc)', async () => {
    const wh = await Warehouse.open(join(mkdtempSync(join(tmpdir(), 'jointly-erfc-')), 'e.duckdb'));
    const [row] = await wh.allJS<{ e1: number; e3: number; e5: number }>(sql`
      select ${raw(erfcSql('1.0'))} as e1, ${raw(erfcSql('3.0'))} as e3, ${raw(erfcSql('5.0'))} as e5`);
    await wh.close();
    // erfc(1) = 0.157299207050285, erfc(3) = 2.20904969985854e-5, erfc(5) = 1.53745979442803e-12
    expect(Math.abs((row?.e1 ?? 0) / 0.157299207050285 - 1)).toBeLessThan(1.2e-7);
    expect(Math.abs((row?.e3 ?? 0) / 2.20904969985854e-5 - 1)).toBeLessThan(1.2e-7);
    expect(Math.abs((row?.e5 ?? 0) / 1.53745979442803e-12 - 1)).toBeLessThan(1.2e-7);
  });

  test('the critical |z| of a two-sided p-value matches the normal quantiles', () => {
    expect(twoSidedZ(0.05)).toBeCloseTo(1.959964, 5);
    expect(twoSidedZ(0.01 / 1919)).toBeCloseTo(4.5556, 2);
    expect(twoSidedZ(1e-6)).toBeCloseTo(4.891638, 4);
  });
});
