/**
 * row_hash is a UBIGINT since migration 005 (md5_number_upper of the row text); warehouses that
 * stored the 32-character md5 hex before are converted exactly, so their rows stay duplicates of
 * the same content and updates are still seen.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ingestPaths } from '../../src/ingest/index.js';
import { TABLE_NAMES, Warehouse } from '../../src/warehouse/index.js';
import { NOW, tempDir, writeFiles } from './ingest-fixtures.js';

const PARTNERS = 'partner_id,name,partner_type,tier,aliases\n' + 'p1,Acme Partners,reseller,gold,ACME|acme-sf\n' + 'p2,Beta Referrals,referral,silver,\n';

/** The hex md5 that ingest stored before migration 005, computed here independently of SQL. */
function oldHexHash(fields: (string | null)[]): string {
  const text = fields.map((f) => (f === null || f === '' ? '\u0001' : f)).join('\u001f');
  return createHash('md5').update(text, 'utf8').digest('hex');
}

describe('row_hash as a number', () => {
  test('every core table and its history store row_hash as UBIGINT', async () => {
    const wh = await Warehouse.open(join(tempDir('jointly-rowhash-'), 'w.duckdb'));
    const types = await wh.all<{ t: string; n: number }>(
      `select data_type as t, count(*)::integer as n from information_schema.columns
       where table_schema = 'core' and column_name = 'row_hash' group by all`,
    );
    expect(types).toEqual([{ t: 'UBIGINT', n: TABLE_NAMES.length * 2 }]);
    await wh.close();
  });

  test('hex hashes of an older warehouse are converted: the same rows are duplicates, a changed row an update', async () => {
    const path = join(tempDir('jointly-rowhash-'), 'w.duckdb');
    let wh = await Warehouse.open(path);
    const first = await ingestPaths(wh, [writeFiles({ 'partners.csv': PARTNERS })], { now: NOW });
    expect(first.files[0]).toMatchObject({ loaded: 2 });
    // Make it the warehouse the earlier code left: hex md5 of the trimmed texts (columns in spec
    // order: partner_id, name, partner_type, tier, region, aliases, joined_at; then attributes).
    const hex: Record<string, string> = {
      p1: oldHexHash(['p1', 'Acme Partners', 'reseller', 'gold', null, 'ACME|acme-sf', null, null]),
      p2: oldHexHash(['p2', 'Beta Referrals', 'referral', 'silver', null, null, null, null]),
    };
    await wh.run(`alter table core.partners alter column row_hash set data type varchar using null`);
    await wh.run(`alter table core.partners_history alter column row_hash set data type varchar`);
    for (const [id, h] of Object.entries(hex)) await wh.run(`update core.partners set row_hash = '${h}' where partner_id = '${id}'`);
    await wh.run(`delete from meta.migrations where version = 5`);
    await wh.close();

    wh = await Warehouse.open(path); // runs migration 005 again
    const converted = await wh.all(
      `select row_hash = md5_number_upper(concat_ws(chr(31), 'p1', 'Acme Partners', 'reseller', 'gold', chr(1), 'ACME|acme-sf', chr(1), chr(1))) as ok
       from core.partners where partner_id = 'p1'`,
    );
    expect(converted).toEqual([{ ok: true }]);
    // Other bytes (spaces that trimming removes), so the fast reload of identical files does not apply.
    const again = 'partner_id,name,partner_type,tier,aliases\n' + 'p1, Acme Partners ,reseller,gold,ACME|acme-sf\n' + 'p2,Beta Referrals,referral,platinum,\n';
    const second = await ingestPaths(wh, [writeFiles({ 'partners.csv': again })], { now: NOW });
    expect(second.files[0]).toMatchObject({ rows_in: 2, loaded: 0, duplicates: 1, updated: 1, quarantined: 0 });
    expect(await wh.all(`select partner_id, tier from core.partners_history`)).toEqual([{ partner_id: 'p2', tier: 'silver' }]);
    expect(await wh.all(`select typeof(row_hash) as t from core.partners_history`)).toEqual([{ t: 'UBIGINT' }]);
    await wh.close();
  });
});
