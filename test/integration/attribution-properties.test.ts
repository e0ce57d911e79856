import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { Warehouse, sql } from '../../src/warehouse/index.js';
import { loadAttributionConfig, runAttribution } from '../../src/attribution/index.js';
import { dayAt, generatedOpp, load, tempDb, type Fixture } from './attribution-fixture.js';

// Random small warehouses: 1-4 accounts, up to 5 opportunities, up to 14 touches over all channels,
// touch types and partners (some via joint activities with declared or equal shares).
const CHANNELS = ['partner', 'paid', 'organic', 'email', 'events', 'outbound', 'direct'];
const TYPES = ['impression', 'click', 'visit', 'form_fill', 'meeting', 'referral', 'deal_registration'];

const fixtureArb = fc
  .record({
    touches: fc.array(
      fc.record({ acct: fc.integer({ min: 1, max: 4 }), d: fc.integer({ min: 0, max: 200 }), h: fc.integer({ min: 0, max: 23 }),
        ch: fc.constantFrom(...CHANNELS), ty: fc.constantFrom(...TYPES), p: fc.integer({ min: 0, max: 4 }) }),
      { maxLength: 14 },
    ),
    opps: fc.array(
      fc.record({ acct: fc.integer({ min: 1, max: 4 }), d: fc.integer({ min: 0, max: 200 }), len: fc.integer({ min: 0, max: 60 }),
        state: fc.constantFrom('won', 'lost', 'open'), cents: fc.integer({ min: 0, max: 10_000_000 }) }),
      { minLength: 1, maxLength: 5 },
    ),
  })
  .map(({ touches, opps }): Fixture => ({
    partners: [
      { id: 'P1', name: 'One', type: 'reseller' },
      { id: 'P2', name: 'Two', type: 'technology' },
      { id: 'P3', name: 'Three', type: 'referral' },
    ],
    activities: [
      { id: 'J1', partners: ['P1', 'P2'], name: 'Joint', type: 'event', shares: { P1: 2, P2: 1 } },
      { id: 'J2', partners: ['P2', 'P3'], name: 'Equal', type: 'webinar' },
    ],
    touches: touches.map((t, i) => ({
      id: `T${String(i).padStart(2, '0')}`, at: dayAt(t.d, t.h), account: `A${t.acct}`, channel: t.ch, type: t.ty,
      ...(t.p === 1 || t.p === 2 || t.p === 3 ? { partner: `P${t.p}` } : t.p === 4 ? { activity: i % 2 ? 'J1' : 'J2' } : {}),
    })),
    opps: opps.map((o, i) => generatedOpp(o, i, (o.cents / 100).toFixed(2))),
  }));

let wh: Warehouse;
beforeAll(async () => {
  wh = await Warehouse.open(tempDb());
});
afterAll(async () => {
  await wh.close();
});

async function reset(): Promise<void> {
  for (const t of ['partners', 'activities', 'touchpoints', 'opportunities', 'contacts', 'opportunity_contacts']) await wh.run(`delete from core.${t}`);
}

describe('every model keeps the contract on random data', () => {
  const models = Object.keys(loadAttributionConfig().models);

  test.each(models)('%s: weights sum to 1 and credits add up to each amount to the cent', async (model) => {
    await fc.assert(
      fc.asyncProperty(fixtureArb, async (f) => {
        await reset();
        await load(wh, f);
        const run = await runAttribution(wh, { model });
        // Independent check of the contract, per opportunity and purpose.
        const bad = await wh.all(sql`
          with due as (
            select opportunity_id, 'pipeline' as purpose, amount from core.opportunities
            union all select opportunity_id, 'revenue', amount from core.opportunities where is_won
          ),
          got as (
            select opportunity_id, purpose, sum(weight) as w, sum(pipeline_credit + revenue_credit) as credited,
              bool_and(weight >= 0) as non_negative
            from model.credits where run_id = ${run.run_id} group by all
          )
          select d.opportunity_id from due d left join got g using (opportunity_id, purpose)
          where g.w is null or abs(g.w - 1) > 1e-9 or g.credited <> d.amount or not g.non_negative`);
        expect(bad).toEqual([]);
        const expectTotals = await wh.all<{ p: string; r: string }>(`select sum(amount)::VARCHAR as p, coalesce(sum(amount) filter (where is_won), 0)::VARCHAR as r from core.opportunities`);
        expect([run.credited_pipeline_total, run.credited_revenue_total]).toEqual([expectTotals[0]?.p, expectTotals[0]?.r]);
      }),
      { numRuns: 4, seed: 20250101 },
    );
  });
});
