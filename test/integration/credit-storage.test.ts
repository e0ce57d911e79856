/**
 * Credits stored as keys (migration 011): a warehouse written before it keeps its credits through
 * the conversion, and a credit keeps naming the touch version it credited after that touch is
 * replaced by a later load (the old version lives on in core.touchpoints_history).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Warehouse, loadMigrations } from '../../src/warehouse/index.js';
import { writeCreditRows } from '../../src/attribution/index.js';

const COLS = `run_id, opportunity_id, purpose, touchpoint_id, partner_id, activity_id, channel, touch_type, occurred_at::VARCHAR as occurred_at,
  weight, pipeline_credit::VARCHAR as pipeline_credit, revenue_credit::VARCHAR as revenue_credit, rule`;

async function seedCore(wh: Warehouse): Promise<void> {
  await wh.run(`insert into core.partners (partner_id, name, partner_type) values ('P1', 'One', 'reseller');
    insert into core.opportunities (opportunity_id, account_id, type, created_at, close_date, stage, is_closed, is_won, amount, amount_base)
      values ('O1', 'A1', 'new_business', '2025-02-01', '2025-03-01', 'won', true, true, 100.01, 100.01);
    insert into core.touchpoints (touchpoint_id, occurred_at, account_id, partner_id, channel, touch_type, batch_id)
      values ('T1', '2025-01-05 10:00', 'A1', 'P1', 'partner', 'meeting', 1), ('T2', '2025-01-06 11:00', 'A1', null, 'paid', 'click', 1)`);
}

describe('credit storage', () => {
  test('a wide model.credits table from before migration 011 is converted row for row', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'jointly-cs-')), 'w.duckdb');
    // The warehouse as it was before 011: migrations up to 010 only.
    const old = await Warehouse.open(path, { skipMigrations: true });
    await old.run(`create schema if not exists meta;
      create table meta.migrations (version INTEGER primary key, name VARCHAR not null, applied_at TIMESTAMP not null)`);
    for (const m of (await loadMigrations()).filter((x) => x.version <= 10)) {
      await m.up(old);
      await old.run({ text: 'insert into meta.migrations values ($1, $2, now())', values: [m.version, m.name] });
    }
    await seedCore(old);
    await old.run(`insert into model.credits values
      (3, 'O1', 'pipeline', 'T1', 'P1', null, 'partner', 'meeting', '2025-01-05 10:00', 0.5, 50.01, 0, 'linear: 1 of 2 touches'),
      (3, 'O1', 'pipeline', 'T2', null, null, 'paid', 'click', '2025-01-06 11:00', 0.5, 50.00, 0, 'linear: 1 of 2 touches'),
      (3, 'O1', 'revenue', 'T1', 'P1', null, 'partner', 'meeting', '2025-01-05 10:00', 1, 0, 100.01, 'first touch')`);
    const before = await old.all(`select ${COLS} from model.credits order by all`);
    const columns = `select column_name from information_schema.columns where table_schema = 'model' and table_name = 'credits' order by ordinal_position`;
    const columnsBefore = await old.all(columns);
    await old.close();

    const wh = await Warehouse.open(path);
    const kind = await wh.all(`select table_type from information_schema.tables where table_schema = 'model' and table_name = 'credits'`);
    expect(kind).toEqual([{ table_type: 'VIEW' }]);
    expect(await wh.all(`select ${COLS} from model.credits order by all`)).toEqual(before);
    // Same columns in the same order, so `select *` readers see no difference.
    expect(await wh.all(columns)).toEqual(columnsBefore);
    expect(await wh.all(`select count(*)::INTEGER as n from model.credit_rows`)).toEqual([{ n: 3 }]);
    await wh.close();
  });

  test('a credit names the touch version it credited, also after a reload replaced the touch', async () => {
    const wh = await Warehouse.open(join(mkdtempSync(join(tmpdir(), 'jointly-cs-')), 'w.duckdb'));
    await seedCore(wh);
    await writeCreditRows(wh, `select * from (values (5, 'O1', 'pipeline', 'T1', 'P1', 1.0, 100.01, 0, 'first touch'))
      v(run_id, opportunity_id, purpose, touchpoint_id, partner_id, weight, pipeline_credit, revenue_credit, rule)`);
    // What ingest does with an updated row: the old version to history (with its key), the new one into core.
    await wh.run(`insert into core.touchpoints_history by name select t.*, now()::TIMESTAMP as replaced_at, 2 as replaced_by_batch from core.touchpoints t where touchpoint_id = 'T1';
      delete from core.touchpoints where touchpoint_id = 'T1';
      insert into core.touchpoints (touchpoint_id, occurred_at, account_id, partner_id, channel, touch_type, batch_id)
        values ('T1', '2025-01-05 10:00', 'A1', 'P1', 'events', 'attended', 2)`);
    expect(await wh.all(`select touchpoint_id, channel, touch_type, pipeline_credit::VARCHAR as credit from model.credits where run_id = 5`))
      .toEqual([{ touchpoint_id: 'T1', channel: 'partner', touch_type: 'meeting', credit: '100.01' }]);
    // A credit must point at a row: an id core does not hold is refused.
    await expect(writeCreditRows(wh, `select 6 as run_id, 'O9' as opportunity_id, 'pipeline' as purpose, null as touchpoint_id,
      null as partner_id, 1.0 as weight, 1 as pipeline_credit, 0 as revenue_credit, 'x' as rule`)).rejects.toThrow(/opportunity O9/);
    await wh.close();
  });
});
