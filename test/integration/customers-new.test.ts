import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../../src/warehouse/index.js';
import { CustomersConfigSchema, newCustomers } from '../../src/customers/index.js';
import { writeCreditRows } from '../../src/attribution/index.js';

let wh: Warehouse;

// Accounts and what the rules must make of them (priority sourced > registered > influenced >= 0.3 > top channel):
//   a1 sourced by p1 (reseller)             -> p1, sourced_partner
//   a2 registered by p2 (referral)          -> p2, registered_partner
//   a3 credit p1 0.5, paid 0.5              -> p1, influenced_partner
//   a4 credit p2 0.2, paid 0.5, organic 0.3 -> paid, top_channel
//   a5 no credit at all                     -> unattributed (direct)
//   a6 revenue before its first won deal    -> not new
//   a7 first won deal in 2023               -> outside the period
//   a8 won new_business in 2023 and 2024    -> first is 2023: outside
//   a9 only an expansion deal               -> not new
beforeAll(async () => {
  wh = await Warehouse.open(join(mkdtempSync(join(tmpdir(), 'jointly-nc-')), 'w.duckdb'));
  await wh.run(`insert into core.partners (partner_id, name, partner_type) values ('p1', 'P one', 'reseller'), ('p2', 'P two', 'referral')`);
  await wh.run(`insert into core.opportunities (opportunity_id, account_id, type, created_at, close_date, stage, is_closed, is_won, amount, amount_base, sourced_partner_id, registered_partner_id) values
    ('o1', 'a1', 'new_business', '2024-01-01', '2024-03-01', 'won', true, true, 1000, 1000, 'p1', null),
    ('o2', 'a2', 'new_business', '2024-01-01', '2024-03-02', 'won', true, true, 2000, 2000, null, 'p2'),
    ('o3', 'a3', 'new_business', '2024-01-01', '2024-03-03', 'won', true, true, 3000, 3000, null, null),
    ('o4', 'a4', 'new_business', '2024-01-01', '2024-03-04', 'won', true, true, 4000, 4000, null, null),
    ('o5', 'a5', 'new_business', '2024-01-01', '2024-03-05', 'won', true, true, 5000, 5000, null, null),
    ('o6', 'a6', 'new_business', '2024-01-01', '2024-03-06', 'won', true, true, 6000, 6000, 'p1', null),
    ('o7', 'a7', 'new_business', '2023-01-01', '2023-03-07', 'won', true, true, 7000, 7000, 'p1', null),
    ('o8a', 'a8', 'new_business', '2023-01-01', '2023-05-01', 'won', true, true, 800, 800, null, null),
    ('o8b', 'a8', 'new_business', '2024-01-01', '2024-04-01', 'won', true, true, 800, 800, 'p2', null),
    ('o9', 'a9', 'expansion', '2024-01-01', '2024-04-01', 'won', true, true, 900, 900, 'p2', null),
    ('o10', 'a5', 'new_business', '2024-01-01', '2024-06-01', 'lost', true, false, 100, 100, 'p1', null)`);
  await wh.run(`insert into core.revenue (revenue_id, account_id, period_start, period_end, amount, amount_base, kind) values
    ('r6', 'a6', '2023-12-01', '2023-12-31', 10, 10, 'new')`);
  await wh.run(`insert into meta.runs (run_id, kind, model, started_at, status) values (7, 'attribution', 'linear', now(), 'succeeded')`);
  await wh.run(`insert into core.touchpoints (touchpoint_id, occurred_at, account_id, partner_id, channel, touch_type) values
    ('t1', '2024-01-10', 'a3', 'p1', 'partner', 'meeting'), ('t2', '2024-01-11', 'a3', null, 'paid', 'click'),
    ('t3', '2024-01-10', 'a4', 'p2', 'partner', 'meeting'), ('t4', '2024-01-11', 'a4', null, 'paid', 'click'),
    ('t5', '2024-01-12', 'a4', null, 'organic', 'visit')`);
  // Credits as a run would store them (the channel comes from the touch).
  await writeCreditRows(wh, `select * from (values
    (7, 'o3', 'revenue', 't1', 'p1', 0.5, 0, 1500, 'linear'),
    (7, 'o3', 'revenue', 't2', null, 0.5, 0, 1500, 'linear'),
    (7, 'o4', 'revenue', 't3', 'p2', 0.2, 0, 800, 'linear'),
    (7, 'o4', 'revenue', 't4', null, 0.5, 0, 2000, 'linear'),
    (7, 'o4', 'revenue', 't5', null, 0.3, 0, 1200, 'linear'),
    (7, 'o5', 'revenue', null, null, 1, 0, 5000, 'unattributed')
  ) v(run_id, opportunity_id, purpose, touchpoint_id, partner_id, weight, pipeline_credit, revenue_credit, rule)`);
});

afterAll(async () => {
  await wh.close();
});

describe('new customers', () => {
  test('each new customer of 2024 gets exactly one source by the priority rules', async () => {
    const r = await newCustomers(wh, { from: '2024-01-01', to: '2024-12-31', by: 'source' });
    expect(r.attribution_run_id).toBe(7);
    expect({ total: r.total, partner: r.partner_total, direct: r.direct_total }).toEqual({ total: 5, partner: 3, direct: 2 });
    // first_deal_amount in USD, decimal strings.
    expect(r.groups).toEqual([
      { key: 'p1', source_kind: 'partner', customers: 2, first_deal_amount: '4000.00', by_rule: { influenced_partner: 1, sourced_partner: 1 } },
      { key: 'p2', source_kind: 'partner', customers: 1, first_deal_amount: '2000.00', by_rule: { registered_partner: 1 } },
      { key: 'paid', source_kind: 'direct', customers: 1, first_deal_amount: '4000.00', by_rule: { top_channel: 1 } },
      { key: 'unattributed', source_kind: 'direct', customers: 1, first_deal_amount: '5000.00', by_rule: { unattributed: 1 } },
    ]);
  });

  test('by partner type the counts still add up to the total', async () => {
    const r = await newCustomers(wh, { from: '2024-01-01', to: '2024-12-31', by: 'partner_type' });
    expect(r.groups.map((g) => [g.key, g.customers])).toEqual([['direct', 2], ['reseller', 2], ['referral', 1]]);
    expect(r.groups.reduce((s, g) => s + g.customers, 0)).toBe(r.total);
  });

  test('putting the channel rule first moves the influenced customer to its top channel', async () => {
    const config = CustomersConfigSchema.parse({ acquisition: { priority: ['top_channel', 'sourced_partner'] } });
    const r = await newCustomers(wh, { from: '2024-01-01', to: '2024-12-31', by: 'partner', config });
    expect(r.groups.map((g) => [g.key, g.customers])).toEqual([['direct', 4], ['p1', 1]]);
    expect(r.total).toBe(5);
  });

  test('without a period every first-time customer counts, including 2023', async () => {
    const r = await newCustomers(wh, { by: 'source' });
    expect(r.total).toBe(7);
  });

  describe('failures', () => {
    test('a malformed date names the flag', async () => {
      await expect(newCustomers(wh, { from: '2024-13-45' })).rejects.toThrow(/--from expects a date/);
    });
    test('a config rule that does not exist is rejected naming the key', () => {
      expect(() => CustomersConfigSchema.parse({ acquisition: { priority: ['psychic'] } })).toThrow();
    });
  });
});
