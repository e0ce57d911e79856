/**
 * Tiny inline fixtures for the attribution tests, written straight into the core tables of a
 * real DuckDB file in a temp dir (ingest is tested elsewhere).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse, sql } from '../../src/warehouse/index.js';

export function tempDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'jointly-attr-')), 'test.duckdb');
}

export interface Touch {
  id: string;
  at: string;
  account?: string;
  contact?: string;
  channel: string;
  type: string;
  partner?: string;
  activity?: string;
}
export interface Opp {
  id: string;
  account: string;
  created: string;
  close?: string;
  won?: boolean;
  closed?: boolean;
  amount: string;
  sourced?: string;
  registered?: string;
}
export interface Fixture {
  partners?: { id: string; name: string; type: string }[];
  activities?: { id: string; partners: string[]; name: string; type: string; program?: string; cost?: string; shares?: Record<string, number> }[];
  contacts?: { id: string; account: string }[];
  oppContacts?: { opp: string; contact: string }[];
  touches: Touch[];
  opps: Opp[];
}

export async function load(wh: Warehouse, f: Fixture): Promise<void> {
  for (const p of f.partners ?? []) {
    await wh.run(sql`insert into core.partners (partner_id, name, partner_type, batch_id) values (${p.id}, ${p.name}, ${p.type}, 1)`);
  }
  for (const a of f.activities ?? []) {
    const attrs = JSON.stringify(a.shares ? { partner_shares: a.shares } : {});
    await wh.run(sql`insert into core.activities (activity_id, partner_ids, program, activity_type, name, start_at, cost, cost_base, attributes, batch_id)
      values (${a.id}, ${JSON.stringify(a.partners)}::VARCHAR[], ${a.program ?? null}, ${a.type}, ${a.name}, TIMESTAMP '2025-01-01',
        ${a.cost ?? null}::DECIMAL(18,2), ${a.cost ?? null}::DECIMAL(18,2), ${attrs}::JSON, 1)`);
  }
  for (const c of f.contacts ?? []) {
    await wh.run(sql`insert into core.contacts (contact_id, account_id, batch_id) values (${c.id}, ${c.account}, 1)`);
  }
  for (const oc of f.oppContacts ?? []) {
    await wh.run(sql`insert into core.opportunity_contacts (opportunity_id, contact_id, batch_id) values (${oc.opp}, ${oc.contact}, 1)`);
  }
  for (const t of f.touches) {
    await wh.run(sql`insert into core.touchpoints (touchpoint_id, occurred_at, account_id, contact_id, activity_id, partner_id, channel, touch_type, batch_id)
      values (${t.id}, ${t.at}::TIMESTAMP, ${t.account ?? null}, ${t.contact ?? null}, ${t.activity ?? null}, ${t.partner ?? null}, ${t.channel}, ${t.type}, 2)`);
  }
  for (const o of f.opps) {
    const closed = o.closed ?? o.close !== undefined;
    await wh.run(sql`insert into core.opportunities (opportunity_id, account_id, type, created_at, close_date, stage, is_closed, is_won, amount, amount_base,
        sourced_partner_id, registered_partner_id, batch_id)
      values (${o.id}, ${o.account}, 'new_business', ${o.created}::TIMESTAMP, ${o.close ?? null}::DATE, ${o.won ? 'won' : closed ? 'lost' : 'open'},
        ${closed}, ${o.won ?? false}, ${o.amount}::DECIMAL(18,2), ${o.amount}::DECIMAL(18,2), ${o.sourced ?? null}, ${o.registered ?? null}, 3)`);
  }
}

/** A four-touch path before creation (paid, partner webinar form fill, email, partner meeting), one after. */
export const FOUR_TOUCH: Fixture = {
  partners: [
    { id: 'P1', name: 'Acme', type: 'reseller' },
    { id: 'P2', name: 'Beta', type: 'technology' },
  ],
  activities: [{ id: 'ACT1', partners: ['P2'], name: 'Scaling X', type: 'webinar', program: 'Growth', cost: '200.00' }],
  touches: [
    { id: 'T1', at: '2025-03-01 10:00:00', account: 'A1', channel: 'paid', type: 'impression' },
    { id: 'T2', at: '2025-03-03 10:00:00', account: 'A1', channel: 'partner', type: 'form_fill', partner: 'P2', activity: 'ACT1' },
    { id: 'T3', at: '2025-03-05 10:00:00', account: 'A1', channel: 'email', type: 'click' },
    { id: 'T4', at: '2025-03-08 10:00:00', account: 'A1', channel: 'partner', type: 'meeting', partner: 'P1' },
    { id: 'T5', at: '2025-03-20 10:00:00', account: 'A1', channel: 'direct', type: 'visit' },
  ],
  opps: [{ id: 'O1', account: 'A1', created: '2025-03-10 00:00:00', close: '2025-04-10', won: true, amount: '1000.00' }],
};

export async function creditsOf(wh: Warehouse, runId: number, purpose = 'pipeline') {
  return wh.all<{ touchpoint_id: string | null; partner_id: string | null; weight: number; credit: string; rule: string }>(sql`
    select touchpoint_id, partner_id, round(weight, 6) as weight,
      (pipeline_credit + revenue_credit)::VARCHAR as credit, rule
    from model.credits
    where run_id = ${runId} and purpose = ${purpose}
    order by occurred_at nulls last, touchpoint_id, partner_id`);
}

/** A timestamp `d` days and `h` hours after 2025-01-01 (UTC), as the loaders take it. */
export function dayAt(d: number, h: number): string {
  return new Date(Date.UTC(2025, 0, 1) + d * 86400000 + h * 3600000).toISOString().replace('T', ' ').slice(0, 19);
}

/** An opportunity of a generated fixture: created on day `d` at noon, closed `len` days later unless open. */
export function generatedOpp(
  o: { acct: number; d: number; len: number; state: 'won' | 'lost' | 'open' },
  i: number,
  amount: string,
): Opp {
  return {
    id: `O${i}`, account: `A${o.acct}`, created: dayAt(o.d, 12), amount,
    ...(o.state === 'open' ? {} : { close: dayAt(o.d + o.len, 0).slice(0, 10), won: o.state === 'won' }),
  };
}
