/**
 * The HTTP API against a real DuckDB file: every route answers, validates its parameters,
 * refuses other partners' data for partner tokens, and renders CSV and OpenAPI.
 */
import { describe, expect, test } from 'vitest';
import { ROUTES } from '../../src/api/index.js';
import { runAttribution } from '../../src/attribution/index.js';
import { useApiServer } from './api-fixture.js';

const api = useApiServer();
const { get } = api;

describe('session and partners', () => {
  test('me names the caller and its partner', async () => {
    expect((await get('/api/v1/me', api.tokens.partnerA)).json()).toEqual({
      userId: expect.any(String),
      name: 'Acme portal',
      role: 'partner',
      partnerId: 'p_a',
    });
  });

  test('partners are listed with total and pages', async () => {
    const res = await get('/api/v1/partners?limit=2&offset=1');
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      items: [
        { partner_id: 'p_b', name: 'Bolt Referrals', partner_type: 'referral', tier: null, region: 'NA', joined_at: '2023-06-01T00:00:00Z' },
        { partner_id: 'p_c', name: 'Cloud Tech', partner_type: 'technology', tier: 'silver', region: null, joined_at: null },
      ],
      total: 3,
      limit: 2,
      offset: 1,
    });
  });

  test('a partner token lists only its own partner', async () => {
    const body = (await get('/api/v1/partners', api.tokens.partnerB)).json();
    expect(body['total']).toBe(1);
    expect((body['items'] as { partner_id: string }[]).map((p) => p.partner_id)).toEqual(['p_b']);
  });

  test('filters by partner type', async () => {
    const body = (await get('/api/v1/partners?partnerType=technology')).json();
    expect((body['items'] as { partner_id: string }[]).map((p) => p.partner_id)).toEqual(['p_c']);
  });

  test('one partner by id', async () => {
    expect((await get('/api/v1/partners/p_a', api.tokens.partnerA)).json()).toMatchObject({ partner_id: 'p_a', name: 'Acme Resellers' });
  });
});

describe('attribution', () => {
  test('models lists the latest run of each model, newest first', async () => {
    const body = (await get('/api/v1/models', api.tokens.partnerA)).json();
    // No position_based run yet: the newest model is the default.
    expect((body['items'] as { model: string; is_default: boolean }[]).map((m) => [m.model, m.is_default])).toEqual([
      ['linear', true],
      ['first_touch', false],
    ]);
  });

  // o1: touches t1 (p_a) and t2 (paid) -> 12000.00 / 2. o2: one touch of the joint activity
  // act2 (p_a and p_b) -> 8000.50 split equally between the two partners.
  test('deals of a partner carry its linear credit, joint activities split between partners', async () => {
    expect((await get('/api/v1/deals', api.tokens.partnerA)).json()).toEqual({
      items: [
        {
          opportunity_id: 'o2', name: 'Beta expansion', account_name: 'Beta', created_date: '2024-02-15',
          close_date: null, stage: 'Proposal', is_won: false, amount: '8000.50',
          partner_credit: '4000.25', is_sourced: false,
        },
        {
          opportunity_id: 'o1', name: 'Alpha platform', account_name: 'Alpha', created_date: '2024-02-01',
          close_date: '2024-04-01', stage: 'Closed Won', is_won: true, amount: '12000.00',
          partner_credit: '6000.00', is_sourced: true,
        },
      ],
      total: 2,
      limit: 50,
      offset: 0,
    });
  });

  test('first touch gives the whole pipeline to the first touch', async () => {
    const body = (await get('/api/v1/deals?model=first_touch&partnerId=p_a')).json();
    expect((body['items'] as { partner_credit: string }[]).map((d) => d.partner_credit)).toEqual(['4000.25', '12000.00']);
  });

  test('deals without a scope are those with any partner, newest first', async () => {
    const body = (await get('/api/v1/deals')).json();
    expect((body['items'] as { opportunity_id: string }[]).map((d) => d.opportunity_id)).toEqual(['o3', 'o2', 'o1']);
  });

  test('deals filter by period', async () => {
    const body = (await get('/api/v1/deals?from=2024-02-10&to=2024-02-28')).json();
    expect((body['items'] as { opportunity_id: string }[]).map((d) => d.opportunity_id)).toEqual(['o2']);
  });
});

describe('reports', () => {
  // Linear: p_a gets o1's t1 (12000.00 / 2) and half of o2's one touch, which belongs to a
  // joint activity of p_a and p_b (8000.50 / 2 = 4000.25 each).
  test('attribution by partner, sorted by attributed revenue', async () => {
    const body = (await get('/api/v1/attribution?by=partner')).json();
    const rows = body['items'] as { key: string; attributed_pipeline: string; attributed_revenue: string; activity_cost: string | null; partner_id: string | null }[];
    expect(rows.map((r) => [r.key, r.attributed_pipeline, r.attributed_revenue, r.partner_id])).toEqual([
      ['p_a', '10000.25', '6000.00', 'p_a'],
      ['p_b', '4000.25', '0.00', 'p_b'],
      ['p_c', '5000.00', '0.00', 'p_c'],
    ]);
    expect(body['total']).toBe(3);
  });

  test('attribution by activity filtered by program', async () => {
    const body = (await get('/api/v1/attribution?by=activity&program=events')).json();
    expect((body['items'] as { key: string; activity_cost: string }[]).map((r) => [r.key, r.activity_cost])).toEqual([['act2', '3000.00']]);
  });

  test('attribution by partner filtered by partner type', async () => {
    const body = (await get('/api/v1/attribution?partnerType=technology')).json();
    expect((body['items'] as { key: string }[]).map((r) => r.key)).toEqual(['p_c']);
  });

  test('a partner token sees only its own attribution row', async () => {
    const body = (await get('/api/v1/attribution', api.tokens.partnerB)).json();
    expect((body['items'] as { key: string }[]).map((r) => r.key)).toEqual(['p_b']);
  });

  test('sourced and influenced per partner', async () => {
    const body = (await get('/api/v1/sourced-influenced?partnerId=p_a')).json();
    expect(body['items']).toEqual([
      {
        partner_id: 'p_a', name: 'Acme Resellers', partner_type: 'reseller',
        sourced_opportunities: 1, sourced_pipeline: '12000.00', sourced_revenue: '12000.00',
        influenced_opportunities: 2, influenced_pipeline: '20000.50', influenced_revenue: '12000.00',
      },
    ]);
  });

  test('model comparison side by side (first touch gives o1 wholly to p_a)', async () => {
    const body = (await get('/api/v1/compare?models=linear,first_touch&partnerId=p_a')).json();
    expect(body).toEqual({
      models: ['linear', 'first_touch'],
      rows: [
        {
          key: 'p_a',
          name: 'Acme Resellers',
          values: {
            linear: { attributed_pipeline: '10000.25', attributed_revenue: '6000.00' },
            first_touch: { attributed_pipeline: '16000.25', attributed_revenue: '12000.00' },
          },
        },
      ],
    });
  });

  // Totals: pipeline 12000.00 + 8000.50 + 5000.00 + 7000.00; revenue o1 + o4; spend 1000 + 3000 + 500.
  test('overview totals, spend and return', async () => {
    const body = (await get('/api/v1/overview')).json() as { model: string; totals: Record<string, unknown>; top_partners: { key: string }[]; trend: { month: string }[] };
    expect(body.model).toBe('linear');
    expect(body.totals).toMatchObject({
      opportunities: 4, pipeline: '32000.50', revenue: '19000.00', attributed_revenue_partner: '6000.00',
      sourced_pipeline: '12000.00', partner_spend: '4500.00', incremental_revenue: null,
      // o1 is the only won deal with a partner; o2 (shared by p_a and p_b) is open.
      sourced_revenue: '12000.00', influenced_revenue: '12000.00', influenced_pipeline: '25000.50',
    });
    expect(body.totals['return_on_partner_spend']).toBeCloseTo((6000 - 4500) / 4500, 12);
    expect(body.top_partners.map((r) => r.key)).toEqual(['p_a', 'p_b', 'p_c']);
    expect(body.trend.map((t) => t.month)).toEqual(['2024-02', '2024-03', '2024-04', '2024-06']);
  });

  test('a partner overview counts only its deals and its own sourced revenue', async () => {
    const body = (await get('/api/v1/overview', api.tokens.partnerA)).json() as { totals: Record<string, unknown>; top_partners: { key: string }[] };
    expect(body.totals).toMatchObject({ opportunities: 2, pipeline: '20000.50', sourced_revenue: '12000.00' });
    // Spend is not in the default sharing agreement (config/sharing.yaml).
    expect(body.totals).not.toHaveProperty('partner_spend');
    expect(body.top_partners.map((r) => r.key)).toEqual(['p_a']);
  });

  test('a deal explanation gives each touch its weight, credit and a narrative', async () => {
    const body = (await get('/api/v1/deals/o1/explanation', api.tokens.partnerA)).json() as {
      opportunity: { stage: string };
      purposes: { purpose: string; touches: { touchpoint_id: string; weight: number; credit: string }[] }[];
      narrative: string[];
    };
    expect(body.opportunity.stage).toBe('Closed Won');
    expect(body.purposes.map((p) => [p.purpose, p.touches.map((t) => [t.touchpoint_id, t.weight, t.credit])])).toEqual([
      ['pipeline', [['t1', 0.5, '6000.00'], ['t2', 0.5, '6000.00']]],
      ['revenue', [['t1', 0.5, '6000.00'], ['t2', 0.5, '6000.00']]],
    ]);
    expect(body.narrative.length).toBeGreaterThan(0);
  });

  test('csv of a comparison has one column per model and figure', async () => {
    const res = await get('/api/v1/compare?models=linear,first_touch&format=csv&partnerId=p_c');
    expect(res.body).toBe(
      'key,name,linear_attributed_pipeline,linear_attributed_revenue,first_touch_attributed_pipeline,first_touch_attributed_revenue\r\n' +
        'p_c,Cloud Tech,5000.00,0.00,5000.00,0.00\r\n',
    );
  });
});

describe('incrementality and customers', () => {
  test('incrementality before any run is a 404 that says what to run', async () => {
    expect((await get('/api/v1/incrementality')).json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'No incrementality run yet. Run `jointly incrementality` first.' },
    });
  });

  // Won new-business deals: o1 (sourced by p_a) and o4 (no partner, organic touch).
  test('new customers by partner, each counted once', async () => {
    const body = (await get('/api/v1/customers')).json() as { total: number; partner_total: number; groups: { key: string; customers: number; first_deal_amount: string }[] };
    expect([body.total, body.partner_total]).toEqual([2, 1]);
    expect(body.groups.map((g) => [g.key, g.customers, g.first_deal_amount])).toEqual([
      ['direct', 1, '7000.00'],
      ['p_a', 1, '12000.00'],
    ]);
  });

  test('a partner sees only its own new customers, not the totals', async () => {
    const body = (await get('/api/v1/customers', api.tokens.partnerA)).json() as { total: number | null; groups: { key: string }[] };
    expect(body.total).toBeNull();
    expect(body.groups.map((g) => g.key)).toEqual(['p_a']);
    const other = (await get('/api/v1/customers', api.tokens.partnerB)).json() as { groups: unknown[] };
    expect(other.groups).toEqual([]);
  });

  test('the overview counts new customers from partners', async () => {
    const body = (await get('/api/v1/overview')).json() as { totals: { new_customers_from_partners: number } };
    expect(body.totals.new_customers_from_partners).toBe(1);
  });

  test('cohorts by acquisition source kind', async () => {
    const body = (await get('/api/v1/cohorts')).json() as { cohorts: { cohort: string; segment: string; customers: number }[] };
    expect(body.cohorts.map((c) => [c.cohort, c.segment, c.customers])).toEqual([
      ['2024-Q2', 'direct', 1],
      ['2024-Q2', 'partner', 1],
    ]);
  });

  test('a partner sees only its own cohort segment', async () => {
    const body = (await get('/api/v1/cohorts', api.tokens.partnerA)).json() as { cohorts: { segment: string }[] };
    expect([...new Set(body.cohorts.map((c) => c.segment))]).toEqual(['p_a']);
  });
});

describe('payouts', () => {
  test('before any payouts run the statement is a 404 that says what to run', async () => {
    const res = await get('/api/v1/payouts?period=2024-Q2');
    expect(res.status).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No payout statement for 2024-Q2. Run `jointly payouts --period 2024-Q2` first.' } });
  });

  test('a malformed period names the parameter', async () => {
    const res = await get('/api/v1/payouts?period=Q2-2024');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json())).toContain('query parameter \\"period\\"');
  });
});

describe('governance', () => {
  test('the metric dictionary is readable by a partner and defines the headline metrics', async () => {
    const body = (await get('/api/v1/metrics?limit=1000', api.tokens.partnerA)).json();
    const names = (body['items'] as { name: string; owner: string }[]).map((m) => m.name);
    expect(names).toContain('attributed_revenue');
    expect((body['items'] as { owner: string }[]).every((m) => m.owner.length > 0)).toBe(true);
  });

  test('data quality before any check run is empty but answers', async () => {
    expect((await get('/api/v1/data-quality')).json()).toEqual({ report_status: [], latest_run: null, checks: [] });
  });

  test('discrepancies list is paginated', async () => {
    expect((await get('/api/v1/discrepancies', api.tokens.analyst)).json()).toEqual({ items: [], total: 0, limit: 50, offset: 0 });
  });

  test('a partner cannot read data quality or discrepancies', async () => {
    expect((await get('/api/v1/data-quality', api.tokens.partnerA)).status).toBe(403);
    expect((await get('/api/v1/discrepancies', api.tokens.partnerA)).status).toBe(403);
  });
});

describe('data operations', () => {
  test('batches report their row counts', async () => {
    expect((await get('/api/v1/batches')).json()).toMatchObject({
      items: [{ batch_id: 1, status: 'done', files: 1, rows_in: 4, loaded: 3, quarantined: 1 }],
      total: 1,
    });
  });

  test('quarantine names file, line, column and reason', async () => {
    expect((await get('/api/v1/quarantine?batchId=1')).json()).toMatchObject({
      items: [{ file: 'partners.csv', line: 5, column_name: 'partner_type', reason_code: 'BAD_ENUM' }],
      total: 1,
    });
  });
});

describe('formats', () => {
  test('csv export by parameter', async () => {
    const res = await get('/api/v1/partners?format=csv&partnerType=reseller');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/text\/csv/);
    expect(res.body).toBe('partner_id,name,partner_type,tier,region,joined_at\r\np_a,Acme Resellers,reseller,gold,EMEA,2023-01-01T00:00:00Z\r\n');
  });

  test('csv export by Accept header', async () => {
    const res = await get('/api/v1/partners?partnerType=technology', api.tokens.admin, { accept: 'text/csv' });
    expect(res.body.split('\r\n')[1]).toBe('p_c,Cloud Tech,technology,silver,,');
  });

  test('OpenAPI document lists every route with its parameters', async () => {
    const res = await get('/api/docs', null);
    expect(res.status).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, { get: { parameters: { name: string }[] } }> };
    expect(doc.openapi).toBe('3.1.0');
    for (const r of ROUTES) expect(doc.paths[r.path.replace(/:(\w+)/g, '{$1}')]).toBeDefined();
    expect(doc.paths['/api/v1/partners']?.get.parameters.map((p) => p.name)).toEqual(['partnerType', 'q', 'limit', 'offset', 'format']);
  });

  test('favicon is served', async () => {
    const res = await get('/favicon.ico', null);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/svg/);
  });
});

describe('answer cache', () => {
  test('answers are reused until a new model run appears', async () => {
    const before = (await get('/api/v1/overview?model=first_touch')).json() as { run_id: number };
    expect((await get('/api/v1/overview?model=first_touch')).json()).toMatchObject({ run_id: before.run_id });
    const next = await runAttribution(api.wh, { model: 'first_touch' });
    await new Promise((r) => setTimeout(r, 1100)); // the data version is read at most once a second
    expect((await get('/api/v1/overview?model=first_touch')).json()).toMatchObject({ run_id: next.run_id });
    expect(next.run_id).toBeGreaterThan(before.run_id);
  });
});

describe('failures', () => {
  test('no token is 401', async () => {
    expect((await get('/api/v1/partners', null)).json()).toEqual({
      error: { code: 'UNAUTHENTICATED', message: 'Missing bearer token: send the header "Authorization: Bearer <token>".' },
    });
  });

  test('unknown token is 401', async () => {
    expect((await get('/api/v1/partners', 'nope')).status).toBe(401);
  });

  test('bad limit names the parameter', async () => {
    const res = await get('/api/v1/partners?limit=abc');
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'BAD_ARGUMENT' } });
    expect(JSON.stringify(res.json())).toContain('query parameter \\"limit\\"');
  });

  test('unknown parameter is refused with the allowed list', async () => {
    const res = await get('/api/v1/partners?color=red');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json())).toContain('unknown query parameter \\"color\\"');
  });

  test('bad format is refused', async () => {
    expect((await get('/api/v1/partners?format=xml')).status).toBe(400);
  });

  test('missing partner is 404', async () => {
    expect((await get('/api/v1/partners/p_zzz')).json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No partner with id "p_zzz".' } });
  });

  test('unknown api route is a JSON 404', async () => {
    const res = await get('/api/v1/nothing');
    expect(res.status).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  test('a partner token cannot read another partner', async () => {
    expect((await get('/api/v1/partners/p_b', api.tokens.partnerA)).json()).toEqual({
      error: { code: 'FORBIDDEN', message: "This token may only access partner p_a's data." },
    });
  });

  test('a partner token cannot read another partner\'s deals', async () => {
    expect((await get('/api/v1/deals?partnerId=p_b', api.tokens.partnerA)).status).toBe(403);
  });

  test('an unknown model is 404 NO_DATA with a hint', async () => {
    expect((await get('/api/v1/deals?model=nosuch')).json()).toEqual({
      error: { code: 'NO_DATA', message: 'No successful run of the attribution model "nosuch". Run `jointly attribute --model nosuch` first.' },
    });
  });

  test('a bad date names the parameter', async () => {
    const res = await get('/api/v1/deals?from=2024-13-01');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json())).toContain('query parameter \\"from\\"');
  });

  test('from after to is refused', async () => {
    expect((await get('/api/v1/deals?from=2024-05-01&to=2024-01-01')).status).toBe(400);
  });

  test('a partner cannot read a deal it had no part in', async () => {
    expect((await get('/api/v1/deals/o3/explanation', api.tokens.partnerA)).status).toBe(404);
  });

  test('a grouping the filters cannot apply to is refused', async () => {
    expect((await get('/api/v1/attribution?by=channel&partnerType=reseller')).status).toBe(400);
  });

  test('a bad model list is refused', async () => {
    expect((await get('/api/v1/compare?models=Linear;drop')).status).toBe(400);
    expect((await get('/api/v1/compare')).status).toBe(400);
  });

  test('every route that takes a partner refuses another partner for a partner token', async () => {
    const scoped = ROUTES.filter((r) => 'partnerId' in r.query.shape || 'partnerId' in r.params.shape);
    expect(scoped.length).toBeGreaterThanOrEqual(7);
    for (const r of scoped) {
      const path = r.path.replace(':partnerId', 'p_b').replace(':opportunityId', 'o2');
      const extra = r.path.includes('/compare') ? '&models=linear' : '';
      const url = 'partnerId' in r.query.shape ? `${path}?partnerId=p_b${extra}` : path;
      const res = await get(url, api.tokens.partnerA);
      expect({ url, status: res.status, code: (res.json()['error'] as { code: string }).code }).toEqual({ url, status: 403, code: 'FORBIDDEN' });
    }
  });

  test('an analyst reads all partners but a partner route still needs a valid id', async () => {
    expect((await get('/api/v1/attribution?partnerId=p_b', api.tokens.analyst)).status).toBe(200);
  });

  test('a partner token cannot read data operations', async () => {
    expect((await get('/api/v1/batches', api.tokens.partnerA)).status).toBe(403);
    expect((await get('/api/v1/quarantine', api.tokens.partnerA)).status).toBe(403);
  });
});

// Runs more models: keep it last, earlier tests read the fixture's two runs.
describe('default model', () => {
  test('position_based is the default once it has a run, even when another model ran later', async () => {
    await runAttribution(api.wh, { model: 'position_based' });
    await runAttribution(api.wh, { model: 'linear' });
    await new Promise((r) => setTimeout(r, 1100)); // the data version is read at most once a second
    expect((await get('/api/v1/overview')).json()).toMatchObject({ model: 'position_based' });
    const models = (await get('/api/v1/models')).json()['items'] as { model: string; is_default: boolean }[];
    expect(models.filter((m) => m.is_default).map((m) => m.model)).toEqual(['position_based']);
    expect(models[0]?.model).toBe('linear');
    // The model parameter still wins.
    expect((await get('/api/v1/overview?model=linear')).json()).toMatchObject({ model: 'linear' });
  });
});
