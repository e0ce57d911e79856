import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AS_OF, generateDemoData, type DirtyKind } from '../../src/generate/index.js';
import { ingestPaths, type ReasonCode } from '../../src/ingest/index.js';
import { freshWarehouse, tempDir } from './ingest-fixtures.js';

/** The reason codes each planted defect of the generator may get. */
const EXPECTED: Record<DirtyKind, readonly ReasonCode[]> = {
  bad_date: ['bad_timestamp', 'bad_date'],
  unparseable_number: ['bad_amount', 'bad_number', 'bad_integer'],
  unknown_partner: ['unknown_partner'],
  duplicate: [],
  negative_amount: ['negative_amount'],
  missing_id: ['missing_value'],
  wrong_enum: ['bad_enum'],
  future_timestamp: ['future_timestamp'],
};

interface Dirty {
  file: string;
  line: number;
  kind: DirtyKind;
}

describe('ingest of the demo data set', () => {
  test('every planted bad row is quarantined at its file and line with a matching reason, and nothing else is', async () => {
    const dir = tempDir('jointly-demo-');
    await generateDemoData({ seed: 11, scale: 'small', outDir: dir });
    const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as { dirty_rows: Dirty[] };
    const wh = await freshWarehouse();
    const result = await ingestPaths(wh, [dir], { now: new Date(AS_OF) });
    for (const f of result.files) expect(f.rows_in).toBe(f.loaded + f.updated + f.duplicates + f.quarantined);

    const quarantined = await wh.all<{ file: string; line: number; reason_code: ReasonCode }>(
      `select regexp_extract(file, '[^/]+$') as file, line::integer as line, reason_code from meta.quarantine order by 1, 2`,
    );
    const planted = truth.dirty_rows.filter((d) => d.kind !== 'duplicate');
    const wrong = planted.filter((d) => {
      const q = quarantined.find((r) => r.file === d.file && r.line === d.line);
      return !q || !EXPECTED[d.kind].includes(q.reason_code);
    });
    expect(wrong).toEqual([]);
    expect(quarantined.length).toBe(planted.length);
    // Planted duplicates are exact copies: counted as duplicates, not lost and not quarantined.
    const dupes = truth.dirty_rows.filter((d) => d.kind === 'duplicate').length;
    const counted = result.files.reduce((a, f) => a + f.duplicates, 0);
    expect(counted).toBeGreaterThanOrEqual(dupes);
    await wh.close();
  });
});
