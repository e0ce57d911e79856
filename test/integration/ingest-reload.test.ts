import { describe, expect, test } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingestPaths } from '../../src/ingest/index.js';
import { ACCOUNTS, NOW, PARTNERS, freshWarehouse, writeFiles } from './ingest-fixtures.js';

const TOUCHES =
  'touchpoint_id,occurred_at,account_id,partner_id,channel,touch_type\n' +
  't1,2024-03-01,a1,p1,email,click\n' +
  't2,2024-03-02,a2,p9,email,click\n' +
  't3,2024-03-03,a2,ACME,webinar,click\n';

describe('fast reload of identical files', () => {
  test('records the sha256 of every file; an identical reload counts duplicates and repeats the quarantine without revalidating', async () => {
    const dir = writeFiles({ 'partners.csv': PARTNERS, 'accounts.csv': ACCOUNTS, 'touchpoints.csv': TOUCHES });
    const wh = await freshWarehouse();
    const first = await ingestPaths(wh, [dir], { now: NOW });
    expect(first.files.map((f) => [f.table, f.loaded, f.duplicates, f.quarantined])).toEqual([
      ['partners', 2, 0, 0],
      ['accounts', 2, 0, 0],
      ['touchpoints', 2, 0, 1],
    ]);
    const expectedSha = createHash('sha256').update(readFileSync(join(dir, 'touchpoints.csv'))).digest('hex');
    expect(await wh.all(`select file_sha256 from meta.batch_files where table_name = 'touchpoints'`)).toEqual([{ file_sha256: expectedSha }]);

    // A "now" before the data would quarantine every touch as future on a full validation; the
    // identical bytes keep the earlier verdicts instead (the documented shortcut rule).
    const second = await ingestPaths(wh, [dir], { now: new Date('2024-01-01T00:00:00Z') });
    expect(second.files.map((f) => [f.table, f.rows_in, f.loaded, f.updated, f.duplicates, f.quarantined])).toEqual([
      ['partners', 2, 0, 0, 2, 0],
      ['accounts', 2, 0, 0, 2, 0],
      ['touchpoints', 3, 0, 0, 2, 1],
    ]);
    expect(
      await wh.all(`select batch_id, line::integer as line, reason_code from meta.quarantine order by batch_id`),
    ).toEqual([
      { batch_id: first.batch_id, line: 3, reason_code: 'unknown_partner' },
      { batch_id: second.batch_id, line: 3, reason_code: 'unknown_partner' },
    ]);
    expect(await wh.all(`select count(*)::integer as n from core.touchpoints`)).toEqual([{ n: 2 }]);
    await wh.close();
  });

  test('a change to a referenced table since the earlier load makes the reload validate again', async () => {
    const dir = writeFiles({ 'partners.csv': PARTNERS, 'accounts.csv': ACCOUNTS, 'touchpoints.csv': TOUCHES });
    const wh = await freshWarehouse();
    await ingestPaths(wh, [dir], { now: NOW });
    const more = writeFiles({ 'partners.csv': PARTNERS + 'p9,Nine,referral,silver,\n' });
    await ingestPaths(wh, [more], { now: NOW });
    const again = await ingestPaths(wh, [join(dir, 'touchpoints.csv')], { now: NOW });
    expect(again.files[0]).toMatchObject({ rows_in: 3, loaded: 1, updated: 0, duplicates: 2, quarantined: 0 });
    await wh.close();
  });

  test('rows of the file removed from core since (replaced by another file) make the reload validate again', async () => {
    const dir = writeFiles({ 'partners.csv': PARTNERS });
    const wh = await freshWarehouse();
    await ingestPaths(wh, [dir], { now: NOW });
    const renamed = writeFiles({ 'partners.csv': PARTNERS.replace('Beta Referrals', 'Beta Renamed') });
    await ingestPaths(wh, [renamed], { now: NOW });
    const back = await ingestPaths(wh, [dir], { now: NOW });
    expect(back.files[0]).toMatchObject({ rows_in: 2, loaded: 0, updated: 1, duplicates: 1, quarantined: 0 });
    expect(await wh.all(`select name from core.partners order by partner_id`)).toEqual([{ name: 'Acme Partners' }, { name: 'Beta Referrals' }]);
    await wh.close();
  });

  test('a row quarantined as future keeps its verdict while it is still future, and is validated again once it is not', async () => {
    const dir = writeFiles({ 'touchpoints.csv': 'touchpoint_id,occurred_at,account_id,channel,touch_type\nt1,2024-03-01,a1,email,click\nt2,2025-06-01,a1,email,click\n' });
    const wh = await freshWarehouse();
    await ingestPaths(wh, [dir], { now: NOW });
    const same = await ingestPaths(wh, [dir], { now: NOW });
    expect(same.files[0]).toMatchObject({ rows_in: 2, loaded: 0, duplicates: 1, quarantined: 1 });
    const later = await ingestPaths(wh, [dir], { now: new Date('2025-07-01T00:00:00Z') });
    expect(later.files[0]).toMatchObject({ rows_in: 2, loaded: 1, duplicates: 1, quarantined: 0 });
    await wh.close();
  });
});
