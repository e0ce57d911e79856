import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Warehouse, sql } from '../../src/warehouse/index.js';
import { buildEligibility, runAllModels, runAttribution } from '../../src/attribution/index.js';
import { checkCreditInvariants } from '../../src/attribution/invariants.js';
import { explainOpportunity, getAttributionReport, getSourcedInfluenced, compareModels, getOverview } from '../../src/reports/index.js';
import { FOUR_TOUCH, creditsOf, load, tempDb, type Fixture } from './attribution-fixture.js';

let wh: Warehouse;
let dbPath: string;
beforeEach(async () => {
  dbPath = tempDb();
  wh = await Warehouse.open(dbPath);
});
afterEach(async () => {
  await wh.close();
});

const pick = (rows: Awaited<ReturnType<typeof creditsOf>>) => rows.map((r) => [r.touchpoint_id, r.credit]);

describe('rule-based models on a four-touch path (amount 1000.00, money in decimal strings)', () => {
  beforeEach(async () => {
    await load(wh, FOUR_TOUCH);
  });

  test('first and last touch give everything to the earliest and to the last touch before creation', async () => {
    expect(pick(await creditsOf(wh, (await runAttribution(wh, { model: 'first_touch' })).run_id))).toEqual([['T1', '1000.00']]);
    const last = await runAttribution(wh, { model: 'last_touch' });
    expect(pick(await creditsOf(wh, last.run_id))).toEqual([['T4', '1000.00']]);
    // Revenue credit runs up to the close: the post-creation direct visit is last.
    expect(pick(await creditsOf(wh, last.run_id, 'revenue'))).toEqual([['T5', '1000.00']]);
  });

  test('linear splits equally; U-shaped gives 40/10/10/40; W-shaped 30/30/10/30', async () => {
    expect(pick(await creditsOf(wh, (await runAttribution(wh, { model: 'linear' })).run_id))).toEqual([
      ['T1', '250.00'], ['T2', '250.00'], ['T3', '250.00'], ['T4', '250.00'],
    ]);
    expect(pick(await creditsOf(wh, (await runAttribution(wh, { model: 'position_based' })).run_id))).toEqual([
      ['T1', '400.00'], ['T2', '100.00'], ['T3', '100.00'], ['T4', '400.00'],
    ]);
    const w = await creditsOf(wh, (await runAttribution(wh, { model: 'w_shaped' })).run_id);
    expect(pick(w)).toEqual([['T1', '300.00'], ['T2', '300.00'], ['T3', '100.00'], ['T4', '300.00']]);
    expect(w[1]?.rule).toBe('W-shaped: lead creation');
  });

  test('full path on revenue: first, lead creation, opportunity creation and close take 22.5% each, the one middle touch 10%', async () => {
    const run = await runAttribution(wh, { model: 'full_path' });
    expect(pick(await creditsOf(wh, run.run_id, 'revenue'))).toEqual([
      ['T1', '225.00'], ['T2', '225.00'], ['T3', '100.00'], ['T4', '225.00'], ['T5', '225.00'],
    ]);
    // Pipeline has no close touch yet: 0.225 x3 + 0.1 renormalised; 1000 * 0.225/0.775 = 290.32…, spare cent to the earliest.
    expect(pick(await creditsOf(wh, run.run_id))).toEqual([['T1', '290.33'], ['T2', '290.32'], ['T3', '129.03'], ['T4', '290.32']]);
  });

  test('time decay with a 7-day half-life weighs whole days before creation by 2^(-d/7)', async () => {
    const run = await runAttribution(wh, { model: 'time_decay' });
    // Days before 2025-03-10 00:00: T1 8, T2 6, T3 4, T4 1 (whole days).
    const f = [8, 6, 4, 1].map((d) => Math.pow(2, -d / 7));
    const tot = f.reduce((a, b) => a + b, 0);
    const rows = await creditsOf(wh, run.run_id);
    expect(rows.map((r) => r.weight)).toEqual(f.map((x) => Math.round((x / tot) * 1e6) / 1e6));
    expect(rows.map((r) => r.credit)).toEqual(['175.29', '213.67', '260.47', '350.57']);
  });

  test('the rule library picks W-shaped for a path with a technology partner and says which rule applied', async () => {
    const rows = await creditsOf(wh, (await runAttribution(wh, { model: 'partner_rules' })).run_id);
    expect(pick(rows)).toEqual([['T1', '300.00'], ['T2', '300.00'], ['T3', '100.00'], ['T4', '300.00']]);
    expect(rows[0]?.rule).toBe('rule "technology partners by W-shaped" -> W-shaped: first touch');
  });

  test('a rule library branch whose model weighs every touch 0 falls back to linear, and the rule says both', async () => {
    const dir = join(dirname(dbPath), 'cfg-rules');
    mkdirSync(dir);
    writeFileSync(join(dir, 'attribution.yaml'), [
      'models:',
      '  first_touch: { type: first_touch }',
      '  registrations: { type: custom, touch_type: { deal_registration: 1 }, default_factor: 0 }',
      '  by_rule:',
      '    type: rules',
      '    rules:',
      '      - { name: registered deals, when: { touch_type: deal_registration }, model: first_touch }',
      '    default: registrations',
      '',
    ].join('\n'));
    const rows = await creditsOf(wh, (await runAttribution(wh, { model: 'by_rule', configDir: dir })).run_id);
    // No deal registration on the path: the default branch (the second) applies, every raw weight
    // is 0, and the opportunity is split linearly.
    expect(pick(rows)).toEqual([['T1', '250.00'], ['T2', '250.00'], ['T3', '250.00'], ['T4', '250.00']]);
    expect(new Set(rows.map((r) => r.rule))).toEqual(new Set(['rule "default (registrations)" -> fallback: linear (no touch has a weight in this model)']));
  });

  test('a custom model from a config folder weighs by touch type and channel', async () => {
    const dir = join(dirname(dbPath), 'cfg');
    mkdirSync(dir);
    writeFileSync(join(dir, 'attribution.yaml'), 'models:\n  meetings:\n    type: custom\n    touch_type: { meeting: 3 }\n    channel: { paid: 0 }\n');
    const run = await runAttribution(wh, { model: 'meetings', configDir: dir });
    // Raw weights: T1 0 (paid), T2 1, T3 1, T4 3 -> 1/5, 1/5, 3/5.
    const rows = await creditsOf(wh, run.run_id);
    expect(pick(rows)).toEqual([['T2', '200.00'], ['T3', '200.00'], ['T4', '600.00']]);
    // The rule gives the touch's factor, its touch type and its channel.
    expect(rows.map((r) => r.rule)).toEqual(await wh.all<{ r: string }>(sql`
      select 'meetings: factor ' || round(case when touch_type = 'meeting' then 3.0 when channel = 'paid' then 0.0 else 1.0 end, 4)
        || ' for ' || touch_type || ' on ' || channel as r
      from core.touchpoints where touchpoint_id in ('T2', 'T3', 'T4') order by touchpoint_id`).then((x) => x.map((y) => y.r)));
    expect(rows[2]?.rule).toMatch(/^meetings: factor 3(\.0)? for meeting on /);
  });

  test('blended mixes models by the configured shares', async () => {
    const dir = join(dirname(dbPath), 'cfg2');
    mkdirSync(dir);
    writeFileSync(join(dir, 'attribution.yaml'), 'models:\n  first_touch: { type: first_touch }\n  linear: { type: linear }\n  mix:\n    type: blended\n    mix: { first_touch: 1, linear: 1 }\n');
    const run = await runAttribution(wh, { model: 'mix', configDir: dir });
    // 0.5 * (1,0,0,0) + 0.5 * (.25,.25,.25,.25)
    const rows = await creditsOf(wh, run.run_id);
    expect(pick(rows)).toEqual([['T1', '625.00'], ['T2', '125.00'], ['T3', '125.00'], ['T4', '125.00']]);
    // The rule names the parts that credit the touch.
    expect(rows.map((r) => r.rule)).toEqual(['blended: first_touch 50% + linear 50%', 'blended: linear 50%', 'blended: linear 50%', 'blended: linear 50%']);
  });

  test('markov and shapley rules name the channel and its share, one text per channel', async () => {
    for (const model of ['markov', 'shapley']) {
      const run = await runAttribution(wh, { model });
      const rows = await wh.all<{ channel: string; rule: string }>(sql`select channel, rule from model.credits where run_id = ${run.run_id} and touchpoint_id is not null`);
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) {
        const m = /^(?:markov \(order 1\)|shapley): (\S+) (?:removal-effect )?share [0-9.]+%$/.exec(r.rule);
        expect(m?.[1]).toBe(r.channel);
      }
    }
  });

  test('running every model at once gives each model the same credits as running it alone', async () => {
    const alone = await creditsOf(wh, (await runAttribution(wh, { model: 'w_shaped' })).run_id, 'revenue');
    const { runs, failures } = await runAllModels(wh, {});
    expect(failures).toEqual([]);
    expect(runs.map((r) => r.credited_pipeline_total)).toEqual(runs.map(() => '1000.00'));
    const w = runs.find((r) => r.model === 'w_shaped');
    expect(await creditsOf(wh, w?.run_id ?? -1, 'revenue')).toEqual(alone);
  });

  test('the run is recorded with its model, configuration hash, batches read and timing', async () => {
    const run = await runAttribution(wh, { model: 'linear' });
    const rec = await wh.all(sql`select kind, model, status, batch_ids::VARCHAR as batches, length(config_hash)::INTEGER as hash_len, duration_ms >= 0 as timed
      from meta.runs where run_id = ${run.run_id}`);
    expect(rec).toEqual([{ kind: 'attribution', model: 'linear', status: 'succeeded', batches: '[1, 2, 3]', hash_len: 16, timed: true }]);
    expect(run).toEqual({
      run_id: run.run_id, model: 'linear', opportunities: 1, pipeline_total: '1000.00', revenue_total: '1000.00',
      credited_pipeline_total: '1000.00', credited_revenue_total: '1000.00',
    });
  });

  test('explain lists every eligible touch with its weight and tells the story in sentences', async () => {
    await runAttribution(wh, { model: 'w_shaped' });
    const e = await explainOpportunity(wh, { opportunityId: 'O1', model: 'w_shaped' });
    expect(e.purposes.map((p) => p.touches.length)).toEqual([4, 5]);
    expect(e.narrative).toContain("Beta's webinar 'Scaling X' on 3 Mar 2025 got 30% of the pipeline credit (300.00) as the lead-creation touch (W-shaped).");
    expect(e.narrative).toContain("Acme's meeting on 8 Mar 2025 got 30% of the pipeline credit (300.00) as the opportunity-creation touch (W-shaped).");
    await runAttribution(wh, { model: 'first_touch' });
    const f = await explainOpportunity(wh, { opportunityId: 'O1', model: 'first_touch' });
    // Touches without credit are still listed, with weight 0.
    expect(f.purposes[0]?.touches.map((t) => t.weight)).toEqual([1, 0, 0, 0]);
  });

  test('reports give attributed, influenced and sourced figures per partner, and the portal scope hides others', async () => {
    await runAttribution(wh, { model: 'position_based' });
    const rows = await getAttributionReport(wh, { model: 'position_based', by: 'partner' });
    expect(rows.map((r) => [r.key, r.name, r.attributed_pipeline, r.attributed_revenue, r.influenced_pipeline, r.sourced_pipeline, r.win_rate_with_partner, r.median_days_to_close])).toEqual([
      // P1's meeting is last before creation (40%); in the revenue path it is a middle touch (1/3 of 20%).
      ['P1', 'Acme', '400.00', '66.66', '1000.00', '0.00', 1, 31],
      ['P2', 'Beta', '100.00', '66.67', '1000.00', '0.00', 1, 31],
    ]);
    const scoped = await getAttributionReport(wh, { model: 'position_based', by: 'partner', partnerId: 'P2' });
    expect(scoped.map((r) => r.key)).toEqual(['P2']);
    const byProgram = await getAttributionReport(wh, { model: 'position_based', by: 'program' });
    expect(byProgram.map((r) => [r.key, r.attributed_pipeline, r.activity_cost, r.cost_per_attributed_dollar])).toEqual([['Growth', '100.00', '200.00', 2]]);
    const cmp = await compareModels(wh, { models: ['position_based'], by: 'partner' });
    expect(cmp.rows.map((r) => r.values['position_based']?.attributed_pipeline)).toEqual(['400.00', '100.00']);
    const o = await getOverview(wh, { model: 'position_based' });
    expect([o.totals.pipeline, o.totals.attributed_pipeline_partner, o.totals.influenced_pipeline]).toEqual(['1000.00', '500.00', '1000.00']);
  });
});

const TWO_OPPS: Fixture = {
  partners: [
    { id: 'P1', name: 'Acme', type: 'reseller' },
    { id: 'P2', name: 'Beta', type: 'technology' },
    { id: 'P3', name: 'Gamma', type: 'referral' },
  ],
  activities: [
    { id: 'J1', partners: ['P1', 'P2'], name: 'Joint summit', type: 'event', shares: { P1: 3, P2: 1 } },
    { id: 'J2', partners: ['P2', 'P3'], name: 'Joint webinar', type: 'webinar' },
  ],
  contacts: [{ id: 'C1', account: 'A1' }, { id: 'C9', account: 'A9' }],
  oppContacts: [{ opp: 'O1', contact: 'C9' }],
  touches: [
    { id: 'T1', at: '2025-01-01 09:00:00', account: 'A1', channel: 'partner', type: 'referral', partner: 'P3' },
    { id: 'T2', at: '2025-05-01 09:00:00', contact: 'C1', channel: 'events', type: 'attended', activity: 'J1' },
    { id: 'T3', at: '2025-05-02 09:00:00', contact: 'C9', channel: 'partner', type: 'attended', activity: 'J2' },
    { id: 'T4', at: '2025-06-15 09:00:00', account: 'A1', channel: 'partner', type: 'meeting', partner: 'P1' },
  ],
  opps: [
    { id: 'O1', account: 'A1', created: '2025-06-01 00:00:00', close: '2025-07-01', won: false, closed: true, amount: '100.01' },
    { id: 'O2', account: 'A2', created: '2025-06-01 00:00:00', amount: '50.00', registered: 'P1' },
  ],
};

describe('eligibility, splits, sourced and influenced', () => {
  beforeEach(async () => {
    await load(wh, TWO_OPPS);
  });

  test('contacts of the account and contact roles count; a joint activity splits by declared shares or equally', async () => {
    const run = await runAttribution(wh, { model: 'linear', windowDays: 60 });
    const rows = await creditsOf(wh, run.run_id);
    // Window 60 days drops T1 (January); T2 (contact of A1) and T3 (contact role) are 1/2 each of 100.01.
    expect(rows.map((r) => [r.touchpoint_id, r.partner_id, r.weight, r.credit])).toEqual([
      ['T2', 'P1', 0.375, '37.51'],
      ['T2', 'P2', 0.125, '12.50'],
      ['T3', 'P2', 0.25, '25.00'],
      ['T3', 'P3', 0.25, '25.00'],
      [null, null, 1, '50.00'],
    ]);
    expect(rows[4]?.rule).toMatch(/^unattributed/);
    // A split row's rule says which share of the joint activity this partner got.
    expect(rows[0]?.rule).toBe('linear: 1 of 2 touches (split 75.0% to this partner of the joint activity)');
  });

  test('per-partner-type windows: the referral window of 365 days keeps the January referral', async () => {
    const run = await runAttribution(wh, { model: 'first_touch' });
    expect(pick(await creditsOf(wh, run.run_id)).slice(0, 1)).toEqual([['T1', '100.01']]);
  });

  test('sourced by a first-touch referral or a registered partner; influenced by any partner touch until the close', async () => {
    await runAttribution(wh, { model: 'linear' });
    const rows = await getSourcedInfluenced(wh, { model: 'linear' });
    expect(rows.map((r) => [r.partner_id, r.sourced_opportunities, r.sourced_pipeline, r.influenced_opportunities, r.influenced_pipeline])).toEqual([
      ['P1', 1, '50.00', 1, '100.01'], // registered O2; T2 and the post-creation meeting T4 influence O1
      ['P2', 0, '0.00', 1, '100.01'],
      ['P3', 1, '100.01', 1, '100.01'], // T1 referral is O1's first touch
    ]);
  });

  describe('failures', () => {
    test('an unknown model names the configuration file and the models in it', async () => {
      await expect(runAttribution(wh, { model: 'nope' })).rejects.toThrow(/Unknown attribution model "nope".*attribution\.yaml/);
    });

    test('a bad configuration names the file and the key', async () => {
      const dir = join(dirname(dbPath), 'bad');
      mkdirSync(dir);
      writeFileSync(join(dir, 'attribution.yaml'), 'models:\n  x: { type: time_decay, half_life_days: -1 }\n  y: { type: blended, mix: { nothere: 1 } }\n');
      await expect(runAttribution(wh, { model: 'x', configDir: dir })).rejects.toThrow(/attribution\.yaml: models\.x\.half_life_days/);
      await expect(runAttribution(wh, { model: 'x', configDir: dir })).rejects.toThrow(/models\.y: refers to unknown model "nothere"/);
    });

    test('a credit that no longer adds up to the amount is INVARIANT_BROKEN, naming the opportunity', async () => {
      const run = await runAttribution(wh, { model: 'linear', windowDays: 60 });
      await wh.run(sql`update model.credit_rows set cents = cents + 1
        where run_id = ${run.run_id} and purpose = 0
          and touch_key = (select row_key from core.touchpoints where touchpoint_id = 'T2')
          and partner_key = (select partner_key from model.credit_partners where partner_id = 'P1')`);
      await buildEligibility(wh, { windows: { defaultDays: 60, byPartnerType: {} } });
      await expect(checkCreditInvariants(wh, run.run_id)).rejects.toMatchObject({
        code: 'INVARIANT_BROKEN',
        message: expect.stringMatching(/O1\/pipeline: credits 100\.02 <> amount 100\.01/) as unknown,
      });
    });

    test('reports before any run say how to make one', async () => {
      await expect(getAttributionReport(wh, { model: 'linear', by: 'partner' })).rejects.toThrow(/jointly attribute --model linear/);
    });

    test('the shipped configuration file parses', () => {
      expect(readFileSync(new URL('../../config/attribution.yaml', import.meta.url), 'utf8')).toMatch(/models:/);
    });
  });
});
