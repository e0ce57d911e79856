/**
 * Batched access logging (what the API uses): the same flags as one-at-a-time logging, one row
 * per read, and one audit entry per user, token and partner read in the batch.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flagUnusualAccessBatch, listAudit, verifyAuditChain, type Principal } from '../../src/governance/index.js';
import { Warehouse } from '../../src/warehouse/index.js';

const partnerP1: Principal = { userId: 'u1', name: 'Acme portal', role: 'partner', partnerId: 'P001', tokenId: 't1' };
const analyst: Principal = { userId: 'u2', name: 'Ana', role: 'analyst', tokenId: 't2' };

let dir: string;
let wh: Warehouse;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jointly-access-batch-'));
  wh = await Warehouse.open(join(dir, 'g.duckdb'));
});

afterAll(async () => {
  await wh.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('batched access log', () => {
  test('usual reads are logged unflagged; partner reads are audited once per batch with counts', async () => {
    const reads = [
      ...Array.from({ length: 6 }, () => ({ principal: partnerP1, rowsRead: 100, partnerId: 'P001' })),
      { principal: analyst, rowsRead: 40 },
    ];
    expect(await flagUnusualAccessBatch(wh, reads)).toEqual({ flagged: 0 });
    const logged = await wh.all<{ token_id: string; n: number; rows: number }>(
      `select token_id, count(*)::integer as n, sum(rows_read)::integer as rows from meta.access_log group by 1 order by 1`,
    );
    expect(logged).toEqual([{ token_id: 't1', n: 6, rows: 600 }, { token_id: 't2', n: 1, rows: 40 }]);
    const audits = (await listAudit(wh, { action: 'access.partner_data' }));
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actor: 'user:u1', target: 'partner:P001' });
    expect(audits[0]?.details).toEqual({ reads: 6, rows: 600, token_id: "t1" });
  });

  test('a read far above the token\'s median and a foreign partner scope are flagged and audited', async () => {
    const res = await flagUnusualAccessBatch(wh, [
      { principal: partnerP1, rowsRead: 5000, partnerId: 'P001' },
      { principal: partnerP1, rowsRead: 10, partnerId: 'P002' },
      { principal: partnerP1, rowsRead: 120, partnerId: 'P001' },
    ]);
    expect(res).toEqual({ flagged: 2 });
    const flagged = await wh.all<{ rows_read: number; reasons: string }>(
      `select rows_read::integer as rows_read, array_to_string(reasons, ',') as reasons from meta.access_log where is_flagged order by rows_read`,
    );
    expect(flagged).toEqual([{ rows_read: 10, reasons: 'scope' }, { rows_read: 5000, reasons: 'volume' }]);
    expect(await listAudit(wh, { action: 'access.flagged' })).toHaveLength(2);
    expect((await verifyAuditChain(wh)).ok).toBe(true);
  });
});
