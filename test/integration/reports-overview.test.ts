/**
 * The overview's sourced and influenced totals count each deal once, however many partners
 * touched it: a won deal worked through a joint activity of two partners is influenced by both,
 * and the per-partner report shows it under each, but the headline total has it once. Also the
 * deals behind a partner's numbers (listDeals).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAttribution } from '../../src/attribution/index.js';
import { getOverview, getSourcedInfluenced, listDeals } from '../../src/reports/index.js';
import { Warehouse } from '../../src/warehouse/index.js';

let dir: string;
let wh: Warehouse;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jointly-overview-'));
  wh = await Warehouse.open(join(dir, 'o.duckdb'));
  await wh.run(`
    insert into meta.batches values (1, '2025-01-01 00:00:00', '2025-01-01 00:00:05', 'done', 'test', null);
    insert into core.partners (partner_id, name, partner_type, batch_id)
      values ('p1', 'One', 'reseller', 1), ('p2', 'Two', 'referral', 1);
    insert into core.accounts (account_id, name, domain, batch_id)
      values ('a1', 'A1', 'a1.com', 1), ('a2', 'A2', 'a2.com', 1), ('a3', 'A3', 'a3.com', 1);
    insert into core.activities (activity_id, partner_ids, program, activity_type, name, start_at, cost, cost_base, currency, batch_id)
      values ('j1', ['p1', 'p2'], 'events', 'event', 'Joint summit', '2024-01-05', 100.00, 100.00, 'USD', 1),
             ('s2', ['p2'], 'webinars', 'webinar', 'Two webinar', '2024-01-06', 50.00, 50.00, 'USD', 1);
    insert into core.touchpoints (touchpoint_id, occurred_at, account_id, activity_id, partner_id, channel, touch_type, batch_id)
      values ('t1', '2024-01-10', 'a1', 'j1', 'p1', 'partner', 'attended', 1),
             ('t2', '2024-01-11', 'a3', 's2', 'p2', 'partner', 'attended', 1);
    insert into core.opportunities (opportunity_id, account_id, name, type, created_at, close_date, stage, is_closed, is_won, amount, amount_base, currency, sourced_partner_id, batch_id)
      values ('o1', 'a1', 'Shared win', 'new_business', '2024-02-01', '2024-03-01', 'Closed Won', true, true, 10000.00, 10000.00, 'USD', 'p1', 1),
             ('o2', 'a2', 'Direct win', 'new_business', '2024-02-02', '2024-03-02', 'Closed Won', true, true, 2500.00, 2500.00, 'USD', null, 1),
             ('o3', 'a3', 'Open deal', 'new_business', '2024-02-03', null, 'Proposal', false, false, 4000.00, 4000.00, 'USD', null, 1);
  `);
  await runAttribution(wh, { model: 'linear' });
});

afterAll(async () => {
  await wh.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('overview totals', () => {
  test('per partner, the shared won deal counts under both partners', async () => {
    const rows = await getSourcedInfluenced(wh, { model: 'linear' });
    // Dollars: o1 (10000.00) is influenced by p1 and p2 through the joint activity.
    expect(rows.map((r) => [r.partner_id, r.influenced_revenue, r.influenced_pipeline])).toEqual([
      ['p1', '10000.00', '10000.00'],
      ['p2', '10000.00', '14000.00'],
    ]);
  });

  test('across partners, sourced and influenced revenue count each deal once', async () => {
    const o = await getOverview(wh, { model: 'linear' });
    // Dollars: revenue o1 + o2; sourced/influenced revenue o1 once; influenced pipeline o1 + o3.
    expect(o.totals).toMatchObject({
      revenue: '12500.00',
      sourced_revenue: '10000.00',
      influenced_revenue: '10000.00',
      sourced_pipeline: '10000.00',
      influenced_pipeline: '14000.00',
    });
    expect(o.trend.map((t) => [t.month, t.sourced_revenue, t.influenced_revenue])).toEqual([
      ['2024-02', '0.00', '0.00'],
      ['2024-03', '10000.00', '10000.00'],
    ]);
  });

  test('scoped to one partner, the totals are that partner\'s own', async () => {
    const o = await getOverview(wh, { model: 'linear', partnerId: 'p2' });
    expect(o.totals).toMatchObject({ sourced_revenue: '0.00', influenced_revenue: '10000.00', influenced_pipeline: '14000.00' });
  });
});

describe('deals behind the numbers', () => {
  test('a partner\'s deals, newest first, with its own pipeline credit', async () => {
    const p = await listDeals(wh, { model: 'linear', partnerId: 'p2', limit: 10, offset: 0 });
    // Dollars: o3's only touch is p2's (4000.00); o1's only touch is a joint activity of p1 and p2 (10000.00 / 2).
    expect(p.items.map((d) => [d.opportunity_id, d.account_name, d.amount, d.partner_credit, d.is_sourced, d.is_won])).toEqual([
      ['o3', 'A3', '4000.00', '4000.00', false, false],
      ['o1', 'A1', '10000.00', '5000.00', false, true],
    ]);
    expect(p.total).toBe(2);
  });

  test('without a scope, deals with any partner and all partners\' credit; pages keep the total', async () => {
    const all = await listDeals(wh, { model: 'linear', limit: 1, offset: 1 });
    expect(all.items.map((d) => [d.opportunity_id, d.partner_credit, d.is_sourced])).toEqual([['o1', '10000.00', true]]);
    expect(all.total).toBe(2);
    const past = await listDeals(wh, { model: 'linear', limit: 10, offset: 5 });
    expect(past).toMatchObject({ items: [], total: 2 });
  });

  test('a period filters on the creation date', async () => {
    const p = await listDeals(wh, { model: 'linear', from: '2024-02-02', to: '2024-02-28', limit: 10, offset: 0 });
    expect(p.items.map((d) => d.opportunity_id)).toEqual(['o3']);
  });
});
