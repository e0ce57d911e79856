/**
 * Partner data sharing through the API: every partner answer keeps only the fields and metrics
 * of its agreement (config/sharing.yaml), disputes open discrepancies only for the caller's own
 * partner, and the report status tells the dashboard which reports are not current.
 */
import { describe, expect, test } from 'vitest';
import { getSharingAgreement, listDiscrepancies, listReportStatus, runChecks } from '../../src/governance/index.js';
import { useApiServer } from './api-fixture.js';

const api = useApiServer();
const { get } = api;

async function dispute(token: string | null, body: unknown) {
  const res = await api.app.inject({
    method: 'POST',
    url: '/api/v1/disputes',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
  return { status: res.statusCode, json: () => JSON.parse(res.body) as Record<string, unknown> };
}

/** Every scalar key anywhere in an answer. */
function keysOf(v: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(v)) for (const x of v) keysOf(x, into);
  else if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === 'object' && x !== null) keysOf(x, into);
      else into.add(k);
    }
  }
  return into;
}

describe('fields outside the agreement are absent', () => {
  test('a partner\'s attribution rows keep agreed metrics and lose costs and returns', async () => {
    const staff = (await get('/api/v1/attribution?partnerId=p_a', api.tokens.analyst)).json()['items'] as Record<string, unknown>[];
    const mine = (await get('/api/v1/attribution', api.tokens.partnerA)).json()['items'] as Record<string, unknown>[];
    expect(staff[0]).toHaveProperty('activity_cost', '2500.00');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ key: 'p_a', attributed_pipeline: '10000.25', attributed_revenue: '6000.00' });
    for (const k of ['activity_cost', 'return_on_activity_cost', 'cost_per_attributed_dollar', 'win_rate_without_partner', 'pipeline_velocity']) {
      expect(mine[0]).not.toHaveProperty(k);
    }
  });

  test('every scalar field of every partner answer is in its agreement', async () => {
    const a = getSharingAgreement('p_a');
    const allowed = new Set([...a.fields, ...a.metrics, 'items', 'total', 'limit', 'offset']);
    const urls = ['/api/v1/overview', '/api/v1/attribution?by=activity_type', '/api/v1/sourced-influenced', '/api/v1/deals',
      '/api/v1/deals/o1/explanation', '/api/v1/partners/p_a', '/api/v1/compare?models=linear,first_touch', '/api/v1/customers'];
    for (const url of urls) {
      const res = await get(url, api.tokens.partnerA);
      expect(res.status, url).toBe(200);
      const outside = [...keysOf(res.json())].filter((k) => !allowed.has(k));
      expect(outside, url).toEqual([]);
    }
  });

  test('the overview of a partner hides company spend and return', async () => {
    const totals = (await get('/api/v1/overview', api.tokens.partnerA)).json()['totals'] as Record<string, unknown>;
    expect(totals).toMatchObject({ sourced_revenue: '12000.00', influenced_pipeline: '20000.50' });
    expect(totals).not.toHaveProperty('partner_spend');
    expect(totals).not.toHaveProperty('return_on_partner_spend');
  });

  test('csv exports of a partner are filtered the same way', async () => {
    const res = await get('/api/v1/attribution?format=csv', api.tokens.partnerA);
    const header = res.body.split(/\r?\n/)[0] ?? '';
    expect(header).toContain('attributed_revenue');
    expect(header).not.toContain('activity_cost');
  });
});

describe('disputes', () => {
  test('a partner opens a dispute on its own deal; it becomes a discrepancy with an owner and a due time', async () => {
    const res = await dispute(api.tokens.partnerA, { title: 'Alpha platform should be sourced by us', opportunityId: 'o1', metric: 'sourced_revenue' });
    expect(res.status).toBe(201);
    const body = res.json();
    expect(body).toEqual({ discrepancy_id: expect.any(Number), partner_id: 'p_a', status: 'open' });
    const open = await listDiscrepancies(api.wh, { partnerId: 'p_a' });
    expect(open.find((d) => Number(d.discrepancy_id) === body['discrepancy_id'])).toMatchObject({
      source: 'dispute', partner_id: 'p_a', title: 'Alpha platform should be sourced by us', status: 'open',
    });
  });

  test('a partner cannot dispute for another partner', async () => {
    const before = (await listDiscrepancies(api.wh, { partnerId: 'p_b' })).length;
    const res = await dispute(api.tokens.partnerA, { partnerId: 'p_b', title: 'Bolt is overpaid' });
    expect(res.status).toBe(403);
    expect(res.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect(await listDiscrepancies(api.wh, { partnerId: 'p_b' })).toHaveLength(before);
  });

  test('an analyst disputes on a partner\'s behalf; an unknown deal is a 404', async () => {
    expect((await dispute(api.tokens.analyst, { partnerId: 'p_b', title: 'Summit attendance list incomplete' })).status).toBe(201);
    expect((await dispute(api.tokens.analyst, { partnerId: 'p_b', title: 'Wrong deal', opportunityId: 'nope' })).status).toBe(404);
  });

  test('bad bodies and missing tokens are refused', async () => {
    expect((await dispute(api.tokens.partnerA, { title: '' })).json()).toMatchObject({ error: { code: 'BAD_ARGUMENT', message: expect.stringMatching(/title/) } });
    expect((await dispute(api.tokens.partnerA, { title: 'ok title', extra: 1 })).status).toBe(400);
    expect((await dispute(null, { title: 'no token' })).status).toBe(401);
  });
});

describe('report status', () => {
  test('after a check run the dashboard reads which reports are current; partners get no internal reasons', async () => {
    expect((await get('/api/v1/report-status', api.tokens.analyst)).json()).toEqual({ items: [] });
    await runChecks(api.wh, { actor: 'test' });
    await new Promise((r) => setTimeout(r, 1100)); // the data version is read at most once a second
    const stored = await listReportStatus(api.wh);
    expect(stored.length).toBeGreaterThan(0);
    const staff = (await get('/api/v1/report-status', api.tokens.analyst)).json()['items'] as { report: string; is_current: boolean; reason: string | null }[];
    expect(staff.map((r) => [r.report, r.is_current, r.reason])).toEqual(stored.map((r) => [r.report, r.is_current, r.reason]));
    const partner = (await get('/api/v1/report-status', api.tokens.partnerA)).json()['items'] as { reason: string | null }[];
    expect(partner.every((r) => r.reason === null)).toBe(true);
  });
});

describe('access log', () => {
  test('partner reads are logged in batches after answering, with the partner they read', async () => {
    await new Promise((r) => setTimeout(r, 600)); // earlier tests' reads are written first
    const before = await api.wh.get<{ n: number }>(`select count(*)::integer as n from meta.access_log where role = 'partner'`, 'count');
    await get('/api/v1/deals', api.tokens.partnerB);
    await get('/api/v1/overview', api.tokens.partnerB);
    await new Promise((r) => setTimeout(r, 600)); // the buffer is written every 250 ms
    const rows = await api.wh.all<{ partner_id: string }>(
      `select partner_id from meta.access_log where role = 'partner' order by accessed_at desc limit 2`,
    );
    expect(rows).toEqual([{ partner_id: 'p_b' }, { partner_id: 'p_b' }]);
    const after = await api.wh.get<{ n: number }>(`select count(*)::integer as n from meta.access_log where role = 'partner'`, 'count');
    expect(after.n - before.n).toBe(2);
  });
});
