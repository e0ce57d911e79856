import { afterAll, beforeAll, expect, test } from 'vitest';
import fc from 'fast-check';
import { Warehouse } from '../../src/warehouse/index.js';
import { buildEligibility, dropEligibility } from '../../src/attribution/eligibility.js';
import { dayAt, generatedOpp, load, tempDb, type Fixture } from './attribution-fixture.js';

// Positions (first, last, lead creation, opportunity creation) come from arg_min/arg_max over
// (occurred_at, touchpoint_id). Touches here tie often (a few distinct hours) and their ids are not
// in load order, so positions taken by time alone, or ties broken by load order, show. The
// reference is independent: ordered aggregates (a sort of each opportunity's candidates).

const fixtureArb = fc
  .record({
    touches: fc.array(
      fc.record({ acct: fc.integer({ min: 1, max: 2 }), d: fc.integer({ min: 0, max: 6 }), h: fc.constantFrom(0, 12),
        ty: fc.constantFrom('click', 'form_fill', 'meeting'), id: fc.integer({ min: 0, max: 9999 }) }),
      { maxLength: 16 },
    ),
    opps: fc.array(
      fc.record({ acct: fc.integer({ min: 1, max: 2 }), d: fc.integer({ min: 0, max: 6 }), len: fc.integer({ min: 0, max: 4 }),
        state: fc.constantFrom('won', 'lost', 'open') }),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map(({ touches, opps }): Fixture => ({
    touches: touches.map((t, i) => ({
      // A random id prefix, then the index to keep ids unique: id order is not load order.
      id: `T${String(t.id).padStart(4, '0')}-${i}`, at: dayAt(t.d, t.h), account: `A${t.acct}`, channel: 'paid', type: t.ty,
    })),
    opps: opps.map((o, i) => generatedOpp(o, i, '100.00')),
  }));

let wh: Warehouse;
beforeAll(async () => {
  wh = await Warehouse.open(tempDb());
});
afterAll(async () => {
  await wh.close();
});

test('positions follow (occurred_at, touchpoint_id) when touches share a time', async () => {
  await fc.assert(
    fc.asyncProperty(fixtureArb, async (f) => {
      for (const t of ['touchpoints', 'opportunities']) await wh.run(`delete from core.${t}`);
      await load(wh, f);
      await buildEligibility(wh, { windows: { defaultDays: 365, byPartnerType: {} } });
      try {
        const diff = await wh.all(`
          with ref as (
            select opp_key, bool_or(in_revenue) as in_revenue, count(*) filter (where in_pipeline) as n_pipe,
              first(touch_key order by occurred_at, touchpoint_id) as first_key,
              last(touch_key order by occurred_at, touchpoint_id) as last_key,
              last(touch_key order by occurred_at, touchpoint_id) filter (where in_pipeline) as oppc_key,
              first(touch_key order by occurred_at, touchpoint_id) filter (where touch_type = 'form_fill') as lead_all,
              first(touch_key order by occurred_at, touchpoint_id) filter (where touch_type = 'form_fill' and in_pipeline) as lead_pipe
            from att_cand
            where in_pipeline or in_revenue
            group by opp_key
          ),
          want as (
            select opp_key, 0::UTINYINT as purpose, first_key, oppc_key as last_key, lead_pipe as lead_key, oppc_key, null::BIGINT as close_key
            from ref where n_pipe > 0
            union all
            select opp_key, 1::UTINYINT, first_key, last_key, lead_all, oppc_key, last_key from ref where in_revenue
          )
          (select * from want except select opp_key, purpose, first_key, last_key, lead_key, oppc_key, close_key from att_pos)
          union all
          (select opp_key, purpose, first_key, last_key, lead_key, oppc_key, close_key from att_pos except select * from want)`);
        expect(diff).toEqual([]);
      } finally {
        await dropEligibility(wh);
      }
    }),
    { numRuns: 40, seed: 20261125 },
  );
});

test('two touches at one time: the smaller touchpoint_id is first, not the one loaded first', async () => {
  // Two touches at the same time; the later id was loaded first, so load order would pick it.
  await wh.run('delete from core.touchpoints');
  await wh.run('delete from core.opportunities');
  await load(wh, {
    touches: [
      { id: 'T2', at: '2025-01-02 09:00:00', account: 'A1', channel: 'paid', type: 'click' },
      { id: 'T1', at: '2025-01-02 09:00:00', account: 'A1', channel: 'paid', type: 'click' },
    ],
    opps: [{ id: 'O1', account: 'A1', created: '2025-02-01 00:00:00', amount: '10.00' }],
  });
  await buildEligibility(wh, { windows: { defaultDays: 365, byPartnerType: {} } });
  try {
    const got = await wh.all<{ first: string; last: string }>(`
      select f.touchpoint_id as first, l.touchpoint_id as last
      from att_pos p
      join core.touchpoints f on f.row_key = p.first_key
      join core.touchpoints l on l.row_key = p.last_key`);
    expect(got).toEqual([{ first: 'T1', last: 'T2' }]);
  } finally {
    await dropEligibility(wh);
  }
});
