/**
 * Explains one opportunity under one model: the eligible path (re-derived with the run's windows,
 * so touches that got no credit are listed too), each touch's weight, credit and the rule behind
 * it, and a narrative a partner manager can read.
 */
import { JointlyError } from '../core/index.js';
import type { Warehouse } from '../warehouse/index.js';
import { sql } from '../warehouse/index.js';
import { buildEligibility, dropEligibility, type Windows } from '../attribution/index.js';
import { getLatestRun } from './find-latest-run.js';

export type ExplainedTouch = {
  position: number;
  touchpoint_id: string | null;
  occurred_at: string | null;
  channel: string | null;
  touch_type: string | null;
  partner_id: string | null;
  partner_name: string | null;
  activity_id: string | null;
  activity_name: string | null;
  activity_type: string | null;
  weight: number;
  credit: string;
  rule: string;
  reason: string;
};

export type Explanation = {
  run_id: number;
  model: string;
  opportunity: { opportunity_id: string; name: string | null; account_id: string; created_at: string; close_date: string | null; is_won: boolean; amount: string };
  purposes: { purpose: 'pipeline' | 'revenue'; base_amount: string; touches: ExplainedTouch[] }[];
  narrative: string[];
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function day(ts: string | null): string {
  if (!ts) return 'an unknown date';
  const [y, m, d] = ts.slice(0, 10).split('-');
  return `${Number(d)} ${MONTHS[Number(m) - 1] ?? m} ${y}`;
}
function pct(w: number): string {
  return `${Math.round(w * 1000) / 10}%`;
}
function words(s: string | null): string {
  return (s ?? '').replace(/_/g, ' ');
}

/** Turns a stored rule ("W-shaped: lead creation") into a reason ("as the lead-creation touch (W-shaped)"). */
export function reasonOf(rule: string, weight: number): string {
  if (weight === 0) return 'no credit under this model';
  if (rule.startsWith('unattributed')) return 'no eligible touch: the amount stays unattributed';
  const m = /^(U-shaped|W-shaped|full path): (.*)$/.exec(rule);
  if (m) {
    const [, model = '', role = ''] = m;
    if (role.startsWith('middle')) return `as a middle touch sharing the spread (${model})`;
    const roles = role.split(' + ').map((r) => (r.endsWith('touch') ? r : `${r.replace(/ /g, '-')} touch`));
    return `as the ${roles.join(' and the ')} (${model})`;
  }
  return `by the rule "${rule}"`;
}

/**
 * @example
 * const e = await explainOpportunity(wh, { opportunityId: 'O1', model: 'w_shaped' });
 * e.narrative[0] // "Beta's webinar 'Scaling X' on 3 Mar 2025 got 30% of the pipeline credit (300.00) as the lead-creation touch (W-shaped)."
 */
export async function explainOpportunity(
  wh: Warehouse,
  opts: { opportunityId: string; model: string; runId?: number | undefined; partnerId?: string | undefined },
): Promise<Explanation> {
  const run = await getLatestRun(wh, { model: opts.model, runId: opts.runId });
  const opp = await wh.get<Explanation['opportunity']>(
    sql`select opportunity_id, name, account_id, created_at::VARCHAR as created_at, close_date::VARCHAR as close_date, is_won,
        coalesce(amount_base, amount)::VARCHAR as amount
      from core.opportunities where opportunity_id = ${opts.opportunityId}`,
    `No opportunity ${opts.opportunityId}. Check the id (jointly report partners lists partners, not deals).`,
  );
  if (opts.partnerId) {
    const mine = await wh.all(sql`select 1 from report.involvement where run_id = ${run.run_id} and opportunity_id = ${opts.opportunityId} and partner_id = ${opts.partnerId} limit 1`);
    if (mine.length === 0) throw new JointlyError('NOT_FOUND', `No opportunity ${opts.opportunityId} involving your partnership.`);
  }
  const params = await wh.get<{ windows: string }>(sql`select json_extract(params, '$.windows')::VARCHAR as windows from meta.runs where run_id = ${run.run_id}`, 'Run not found.');
  const windows = JSON.parse(params.windows) as Windows;
  // The eligible path of this one opportunity (touches that got no credit are listed too); its
  // credits come from the stored run.
  await buildEligibility(wh, { windows, opportunityId: opts.opportunityId, positions: 'first' });
  const rows = await wh.all<ExplainedTouch & { purpose: 'pipeline' | 'revenue' }>(sql`
    with path as (
      select case purpose when 0 then 'pipeline' else 'revenue' end as purpose, touchpoint_id, occurred_at, channel, touch_type,
        activity_id, partner_id
      from att_elig_n
    ),
    credits as (
      select purpose, touchpoint_id, partner_id, weight, pipeline_credit + revenue_credit as credit, rule,
        activity_id, channel, touch_type, occurred_at
      from model.credits
      where run_id = ${run.run_id} and opportunity_id = ${opts.opportunityId}
    ),
    joined as (
      select coalesce(c.purpose, p.purpose) as purpose, coalesce(c.touchpoint_id, p.touchpoint_id) as touchpoint_id,
        coalesce(c.occurred_at, p.occurred_at) as occurred_at, coalesce(c.channel, p.channel) as channel,
        coalesce(c.touch_type, p.touch_type) as touch_type, coalesce(c.activity_id, p.activity_id) as activity_id,
        coalesce(c.partner_id, p.partner_id) as partner_id, coalesce(c.weight, 0) as weight,
        coalesce(c.credit, 0) as credit, coalesce(c.rule, 'no credit under this model') as rule
      from credits c
      full join path p on p.purpose = c.purpose and p.touchpoint_id = c.touchpoint_id
    )
    select j.purpose,
      row_number() over (partition by j.purpose order by j.occurred_at nulls last, j.touchpoint_id, j.partner_id)::INTEGER as position,
      j.touchpoint_id, j.occurred_at::VARCHAR as occurred_at, j.channel, j.touch_type,
      j.partner_id, pa.name as partner_name, j.activity_id, a.name as activity_name, a.activity_type,
      j.weight, j.credit::DECIMAL(18,2)::VARCHAR as credit, j.rule
    from joined j
    left join core.partners pa on pa.partner_id = j.partner_id
    left join core.activities a on a.activity_id = j.activity_id
    order by j.purpose, position`);
  await dropEligibility(wh);
  const purposes: Explanation['purposes'] = [];
  const narrative: string[] = [];
  for (const purpose of ['pipeline', 'revenue'] as const) {
    if (purpose === 'revenue' && !opp.is_won) continue;
    const touches = rows
      .filter((r) => r.purpose === purpose)
      .map(({ purpose: _p, ...t }) => {
        const masked = opts.partnerId !== undefined && t.partner_id !== null && t.partner_id !== opts.partnerId;
        const base = { ...t, weight: Number(t.weight), position: Number(t.position), reason: reasonOf(t.rule, Number(t.weight)) };
        return masked ? { ...base, partner_id: null, partner_name: 'another partner', activity_id: null, activity_name: null } : base;
      });
    purposes.push({ purpose, base_amount: opp.amount, touches });
    for (const t of touches) {
      if (t.weight === 0) continue;
      const who = t.touchpoint_id === null
        ? `No touch fell in the window, so ${t.credit}`
        : t.partner_name
          ? `${t.partner_name}'s ${words(t.activity_type ?? t.touch_type)}${t.activity_name ? ` '${t.activity_name}'` : ''} on ${day(t.occurred_at)}`
          : `${/^[aeiou]/i.test(t.channel ?? '') ? 'An' : 'A'} ${t.channel} ${words(t.touch_type)} on ${day(t.occurred_at)}`;
      narrative.push(
        t.touchpoint_id === null
          ? `${who} of ${purpose} stays unattributed.`
          : `${who} got ${pct(t.weight)} of the ${purpose} credit (${t.credit}) ${t.reason}.`,
      );
    }
  }
  return { run_id: run.run_id, model: run.model, opportunity: { ...opp, is_won: Boolean(opp.is_won) }, purposes, narrative };
}
