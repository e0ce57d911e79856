import { describe, expect, test } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingestPaths } from '../../src/ingest/index.js';
import type { Warehouse } from '../../src/warehouse/index.js';
import { ACCOUNTS, FX, NOW, PARTNERS, freshWarehouse, writeFiles } from './ingest-fixtures.js';

const OPPS =
  'opportunity_id,account_id,type,created_at,stage,is_closed,is_won,amount,currency\n' +
  'o1,a1,new_business,2024-02-01,open,false,false,100.00,USD\n' +
  'o2,a2,expansion,2024-02-02,open,false,false,200.00,EUR\n';

async function dataCounts(wh: Warehouse): Promise<Record<string, unknown>> {
  const row = await wh.get(
    `select (select count(*) from core.partners)::integer as partners,
            (select count(*) from core.accounts)::integer as accounts,
            (select count(*) from core.opportunities)::integer as opportunities,
            (select count(*) from core.opportunities_history)::integer as history,
            (select count(*) from core.account_aliases)::integer as aliases,
            (select count(*) from meta.quarantine)::integer as quarantine,
            (select count(*) from meta.batch_files)::integer as batch_files`,
    'no counts',
  );
  return row;
}

describe('ingest batches', () => {
  test('reloading the same files changes nothing: every row is a duplicate', async () => {
    const dir = writeFiles({ 'fx_rates.csv': FX, 'partners.csv': PARTNERS, 'accounts.csv': ACCOUNTS, 'opportunities.csv': OPPS });
    const wh = await freshWarehouse();
    const first = await ingestPaths(wh, [dir], { now: NOW });
    const before = await dataCounts(wh);
    const second = await ingestPaths(wh, [dir], { now: NOW });
    expect(second.batch_id).toBeGreaterThan(first.batch_id);
    expect(second.files.map((f) => [f.table, f.loaded, f.updated, f.duplicates, f.quarantined])).toEqual([
      ['fx_rates', 0, 0, 2, 0],
      ['partners', 0, 0, 2, 0],
      ['accounts', 0, 0, 2, 0],
      ['opportunities', 0, 0, 2, 0],
    ]);
    const after = await dataCounts(wh);
    expect(after).toEqual({ ...before, batch_files: 8 });
    // Nothing in core was rewritten by the second batch.
    expect(await wh.all(`select count(*)::integer as n from core.opportunities where batch_id = ${second.batch_id}`)).toEqual([{ n: 0 }]);
    await wh.close();
  });

  test('the same key with new content updates the row and keeps the old version in history', async () => {
    const dir = writeFiles({ 'fx_rates.csv': FX, 'accounts.csv': ACCOUNTS, 'opportunities.csv': OPPS });
    const wh = await freshWarehouse();
    const first = await ingestPaths(wh, [dir], { now: NOW });
    writeFileSync(join(dir, 'opportunities.csv'), OPPS.replace('o1,a1,new_business,2024-02-01,open,false,false,100.00', 'o1,a1,new_business,2024-02-01,won,true,true,150.00'));
    const second = await ingestPaths(wh, [join(dir, 'opportunities.csv')], { now: NOW });
    expect(second.files).toEqual([
      { file: join(dir, 'opportunities.csv'), table: 'opportunities', rows_in: 2, loaded: 0, updated: 1, duplicates: 1, quarantined: 0 },
    ]);
    expect(await wh.all(`select opportunity_id, stage, amount, batch_id from core.opportunities order by 1`)).toEqual([
      { opportunity_id: 'o1', stage: 'won', amount: '150.00', batch_id: second.batch_id },
      { opportunity_id: 'o2', stage: 'open', amount: '200.00', batch_id: first.batch_id },
    ]);
    expect(await wh.all(`select opportunity_id, stage, amount, batch_id, replaced_by_batch from core.opportunities_history`)).toEqual([
      { opportunity_id: 'o1', stage: 'open', amount: '100.00', batch_id: first.batch_id, replaced_by_batch: second.batch_id },
    ]);
    await wh.close();
  });

  test('within one file an identical copy is a duplicate and a contradicting copy is quarantined', async () => {
    const dir = writeFiles({
      'partners.csv': PARTNERS + 'p1,Acme Partners,reseller,gold,ACME|acme-sf\np2,Beta Renamed,referral,silver,\n',
    });
    const wh = await freshWarehouse();
    const r = await ingestPaths(wh, [dir], { now: NOW });
    expect(r.files[0]).toMatchObject({ rows_in: 4, loaded: 2, duplicates: 1, quarantined: 1 });
    expect(await wh.all(`select line::integer as line, reason_code, reason from meta.quarantine`)).toEqual([
      { line: 5, reason_code: 'duplicate_key', reason: 'partner_id: the key appears earlier in this file (row 2) with different content' },
    ]);
    await wh.close();
  });
});

describe('failures', () => {
  test('a file with a wrong header fails the batch, names the file and the missing columns, and changes nothing', async () => {
    const dir = writeFiles({ 'partners.csv': PARTNERS, 'accounts.csv': 'account_id,title\na1,x\n' });
    const wh = await freshWarehouse();
    await expect(ingestPaths(wh, [dir], { now: NOW })).rejects.toThrow(/accounts\.csv \(table accounts\): the header lacks required column name/);
    expect(await dataCounts(wh)).toEqual({ partners: 0, accounts: 0, opportunities: 0, history: 0, aliases: 0, quarantine: 0, batch_files: 0 });
    await wh.close();
  });

  test('a file that is not UTF-8 fails the whole batch and leaves no rows of earlier files', async () => {
    const dir = writeFiles({
      'partners.csv': PARTNERS,
      'accounts.csv': Buffer.concat([Buffer.from('account_id,name\na1,Caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
    });
    const wh = await freshWarehouse();
    const err = await ingestPaths(wh, [dir], { now: NOW }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INPUT_UNREADABLE' });
    expect(String((err as Error).message)).toMatch(/accounts\.csv.*utf-8/i);
    expect(await dataCounts(wh)).toEqual({ partners: 0, accounts: 0, opportunities: 0, history: 0, aliases: 0, quarantine: 0, batch_files: 0 });
    expect(await wh.all(`select status from meta.batches`)).toEqual([{ status: 'failed' }]);
    await wh.close();
  });

  test('an error thrown midway, after files were written, leaves no partial rows', async () => {
    const dir = writeFiles({ 'fx_rates.csv': FX, 'partners.csv': PARTNERS + 'p3,Bad,nope,,\n', 'accounts.csv': ACCOUNTS });
    const wh = await freshWarehouse();
    let seen = 0;
    await expect(
      ingestPaths(wh, [dir], {
        now: NOW,
        onFileLoaded: () => {
          seen += 1;
          if (seen === 2) throw new Error('injected crash after partners');
        },
      }),
    ).rejects.toThrow('injected crash');
    expect(seen).toBe(2);
    const counts = await wh.get(
      `select (select count(*) from core.fx_rates)::integer as fx, (select count(*) from core.partners)::integer as partners,
              (select count(*) from meta.quarantine)::integer as quarantine, (select count(*) from meta.batch_files)::integer as files`,
      'none',
    );
    expect(counts).toEqual({ fx: 0, partners: 0, quarantine: 0, files: 0 });
    // The warehouse still works: the same files load afterwards.
    const ok = await ingestPaths(wh, [dir], { now: NOW });
    expect(ok.files.map((f) => f.loaded)).toEqual([2, 2, 2]);
    await wh.close();
  });

  test('a missing path and a file named after no table are clear user errors', async () => {
    const wh = await freshWarehouse();
    await expect(ingestPaths(wh, ['/nonexistent/partners.csv'])).rejects.toMatchObject({ code: 'INPUT_NOT_FOUND' });
    const dir = writeFiles({ 'deals.csv': 'id\n1\n' });
    await expect(ingestPaths(wh, [join(dir, 'deals.csv')])).rejects.toMatchObject({ code: 'UNKNOWN_TABLE' });
    await wh.close();
  });
});
