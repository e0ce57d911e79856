/**
 * The payout engine: for one period, every partner's statement lines, set-wise in DuckDB.
 *
 * Steps (temp tables `fin_*`, one connection):
 * 1. plans -> partners (most specific plan wins), attribution run per model the plans name;
 * 2. each deal's party weights: attribution credit, sourced/registered partner, or the deal's
 *    declared `partner_shares` (opportunity attributes, fractions of the deal) which override;
 *    when partner weights on a deal exceed the whole they are scaled to share it (multi-party);
 *    the rest of the deal is internal; a partner below its plan's `min_credit_share` is internal;
 * 3. revenue per period by measure: `recognition` (ratable by day over period_start..period_end,
 *    cumulative rounding so the periods of a line add up to the line exactly), `invoice`
 *    (line dated by period_start) and `booking` (won deal amount at close_date; refund/churn lines
 *    by their invoice date);
 * 4. each line split over the deal's parties by largest remainder (so parties add up exactly);
 * 5. commission on the partner's period volume by its bands (marginal or whole), allocated over
 *    the accrual lines by largest remainder; reversals (clawbacks of refund/churn within the plan's
 *    window after close) at the partner's effective rate, rounded half away from zero;
 * 6. caps: per deal (per period), the deal's total across partners (`max_deal_payout_rate`), per
 *    period — each by largest remainder over the capped lines; reversals are not capped;
 * 7. bounties per new customer, MDF claims within budget.
 *
 * Amounts are in the base currency: conversion happened at ingest (`<col>_base` from fx_rates).
 * Not yet: per-deal caps across periods (a cap counts one period), MDF claims from a file.
 */
import { JointlyError } from '../core/index.js';
import { sql, type Warehouse } from '../warehouse/index.js';
import { commissionFor, divRound } from './commission.js';
import type { PayoutConfig, PayoutPlan } from './payout-config.js';
import { evaluateMdfClaims } from './evaluate-mdf-claims.js';
import type { Period } from './period.js';
import { centsToDecimal, decimalToCents, divRoundSql, largestRemainderSql } from './sql-money.js';

export const LINE_KINDS = ['accrual', 'reversal', 'bounty', 'mdf', 'below_threshold', 'not_clawed_back'] as const;
export type LineKind = (typeof LINE_KINDS)[number];

export interface ComputeOptions {
  period: Period;
  config: PayoutConfig;
  /** Attribution run to use per model name instead of its latest successful run. */
  runOverrides?: Readonly<Record<string, number>>;
}

export interface Reconciliation {
  /** Every revenue line's recognised amount in the period (base currency). */
  revenue_recognised: string;
  /** Recognised revenue credited to partners on a plan who qualify. */
  partner_credited: string;
  /** Recognised revenue of partners below their plan's minimum credit share. */
  below_threshold: string;
  /** Recognised revenue on deals with no partner share (or partners without a plan). */
  internal: string;
  /** Recognised revenue on lines with no opportunity (cannot be credited). */
  unlinked: string;
}

export interface ComputedPayouts {
  period: Period;
  attribution_runs: Record<string, number>;
  reconciliation: Reconciliation;
}

const PLAN_INSERT = (p: PayoutPlan, runId: number | null) => sql`
insert into fin_plan values (${p.name}, ${p.specificity}, ${p.order}, ${p.match.partner_id ?? null}, ${p.match.tier ?? null},
  ${p.match.partner_type ?? null}, ${p.basis}, ${p.model}, ${runId}::INTEGER, ${p.accrue_on}, ${p.min_share_ppm}::HUGEINT,
  ${p.cap_per_deal_cents}::HUGEINT, ${p.cap_per_period_cents}::HUGEINT, ${p.max_deal_rate_ppm}::HUGEINT,
  ${JSON.stringify(p.clawback_kinds)}::VARCHAR[], ${p.clawback_days}, ${p.bounty_cents}::HUGEINT,
  ${p.tiers.bands[0]?.rate_ppm ?? 0n}::HUGEINT, ${describeRate(p)})`;

function describeRate(p: PayoutPlan): string {
  const pct = (ppm: bigint) => `${(Number(ppm) / 10_000).toString()}%`;
  const b = p.tiers.bands;
  if (b.length === 1 && b[0]) return pct(b[0].rate_ppm);
  return `${p.tiers.mode} tiers ${b.map((x) => `${(Number(x.from_cents) / 100).toString()}+ @ ${pct(x.rate_ppm)}`).join(', ')}`;
}

/**
 * Computes every partner's lines for the period into the temp table `fin_out` (see
 * createPayoutStatement for storing and reading them).
 *
 * @example
 * await computePayouts(wh, { period: parsePeriod('2026-Q3'), config: loadPayoutConfig() });
 * await wh.all('select * from fin_out');
 */
export async function computePayouts(wh: Warehouse, opts: ComputeOptions): Promise<ComputedPayouts> {
  const { period, config } = opts;
  if (config.plans.length === 0) throw new JointlyError('BAD_CONFIG', `${config.file}: plans: no payout plan defined.`);
  const runs = await resolveRuns(wh, config, opts.runOverrides ?? {});

  await preparePlanTables(wh, config, runs);

  // 2. Deals and party weights. den = the deal in weight units (cents, or ppm for declared shares).
  await wh.run(`create or replace temp table fin_opp as
    select opportunity_id, account_id, type, close_date, is_won, currency, ${decimalToCents('amount_base')} as amt,
      sourced_partner_id, registered_partner_id,
      try_cast(attributes -> 'partner_shares' as JSON) as declared
    from core.opportunities`);
  await wh.run(`create or replace temp table fin_declared as
    select opportunity_id, partner_id, round(try_cast(declared ->> partner_id as DOUBLE) * 1000000)::HUGEINT as w
    from (
      select opportunity_id, declared, unnest(json_keys(declared)) as partner_id
      from fin_opp
      where declared is not null and json_type(declared) = 'OBJECT'
    )`);
  const badDeclared = await wh.find<{ opportunity_id: string; total: number }>(`
    select opportunity_id, sum(w)::DOUBLE / 1000000 as total from fin_declared group by 1
    having sum(w) > 1000000 or min(w) < 0 or count(*) filter (where w is null) > 0 order by 1 limit 1`);
  if (badDeclared) {
    throw new JointlyError('BAD_ARGUMENT', `Opportunity ${badDeclared.opportunity_id}: declared partner_shares add up to ${badDeclared.total}; expected fractions of the deal between 0 and 1 that add up to at most 1. Fix the opportunity's partner_shares column and reload.`);
  }
  await wh.run(`create or replace temp table fin_raw_w as
    with computed as (
      select c.opportunity_id, c.partner_id, sum(${decimalToCents('c.revenue_credit')}) as w, 'credit' as source
      from model.credit_amounts c join fin_pp pp on pp.partner_id = c.partner_id and pp.basis = 'attributed' and pp.run_id = c.run_id
      where c.purpose = 'revenue'
      group by all
      union all
      select opportunity_id, partner_id, amt, 'sourced' from (
        select o.opportunity_id, pp.partner_id, o.amt
        from fin_opp o join fin_pp pp on pp.basis = 'sourced' and o.sourced_partner_id = pp.partner_id
        union
        select o.opportunity_id, pp.partner_id, o.amt
        from model.sourced ms join fin_pp pp on pp.basis = 'sourced' and ms.run_id = pp.run_id and ms.partner_id = pp.partner_id
        join fin_opp o on o.opportunity_id = ms.opportunity_id
      )
      union all
      select o.opportunity_id, pp.partner_id, o.amt, 'registered'
      from fin_opp o join fin_pp pp on pp.basis = 'registered' and o.registered_partner_id = pp.partner_id
    )
    select c.opportunity_id, c.partner_id, c.w, o.amt as den, c.source
    from computed c join fin_opp o using (opportunity_id)
    where c.w > 0 and o.amt > 0 and o.opportunity_id not in (select opportunity_id from fin_declared)
    union all
    select d.opportunity_id, d.partner_id, d.w, 1000000, 'declared'
    from fin_declared d join fin_pp pp using (partner_id)
    where d.w > 0`);
  // Partners' weights above the whole deal share it among themselves (no internal part).
  await wh.run(`create or replace temp table fin_party as
    with deal as (
      select opportunity_id, max(den) as den, sum(w) as partner_w from fin_raw_w group by 1
    ), eff as (
      select opportunity_id, greatest(den, partner_w) as den_eff, partner_w from deal
    )
    select r.opportunity_id, r.partner_id as party, r.w, e.den_eff, r.source,
      case when r.w * 1000000 < pp.min_share_ppm * e.den_eff then 'below_threshold' else 'qualified' end as status
    from fin_raw_w r join eff e using (opportunity_id) join fin_pp pp on pp.partner_id = r.partner_id
    union all
    select opportunity_id, '~internal', den_eff - partner_w, den_eff, 'internal', 'internal'
    from eff where den_eff > partner_w`);

  // 3. Revenue per measure in the period. Ratable recognition by cumulative rounding.
  const ps = `DATE '${period.start}'`;
  const pe = `DATE '${period.end}'`;
  const cum = (day: string) =>
    divRoundSql(`cents * least(greatest(datediff('day', period_start, ${day}) + 1, 0), total_days)`, 'total_days');
  await wh.run(`create or replace temp table fin_base as
    with lines as (
      select revenue_id, opportunity_id, kind, period_start, period_end, currency, ${decimalToCents('amount_base')} as cents,
        datediff('day', period_start, period_end) + 1 as total_days
      from core.revenue
    )
    select 'recognition' as measure, revenue_id as line_id, revenue_id, opportunity_id, kind as revenue_kind, currency,
      greatest(period_start, ${ps}) as line_date,
      ${cum(pe)} - ${cum(`${ps} - 1`)} as cents
    from lines
    where period_start <= ${pe} and period_end >= ${ps} and total_days > 0
    union all
    select 'invoice', revenue_id, revenue_id, opportunity_id, kind, currency, period_start, cents
    from lines where period_start between ${ps} and ${pe}
    union all
    select 'booking', revenue_id, revenue_id, opportunity_id, kind, currency, period_start, cents
    from lines where period_start between ${ps} and ${pe} and cents < 0
    union all
    select 'booking', 'booking:' || opportunity_id, null, opportunity_id, 'booking', currency, close_date, amt
    from fin_opp where is_won and close_date between ${ps} and ${pe}`);

  // 4. Split each line over the deal's parties (a deal with no party is wholly internal).
  await wh.run(`create or replace temp table fin_split as
    with parties as (
      select b.measure, b.line_id, b.cents, coalesce(p.party, '~internal') as party, coalesce(p.w, 1) as w
      from fin_base b left join fin_party p on p.opportunity_id = b.opportunity_id
      where b.opportunity_id is not null and b.cents <> 0
    ), lr as (${largestRemainderSql(`select measure || '|' || line_id as grp, party as k, cents as total, w from parties`)})
    select b.*, lr.k as party, lr.part
    from lr join fin_base b on b.measure || '|' || b.line_id = lr.grp`);

  // 5. Partner lines on their plan's measure.
  await wh.run(`create or replace temp table fin_lines as
    select s.partner_id || '|' || s.measure || '|' || s.line_id as line_key, pp.partner_id, pp.plan, s.measure, s.line_id,
      s.revenue_id, s.opportunity_id, s.revenue_kind, s.currency, s.line_date, pp.basis, s.cents as revenue, s.part as credited,
      p.w, p.den_eff, p.status, o.close_date, pp.claw_kinds, pp.claw_days, pp.rate_text,
      case
        when p.status = 'below_threshold' then 'below_threshold'
        when s.part > 0 then 'accrual'
        when list_contains(pp.claw_kinds, s.revenue_kind) and (o.close_date is null or datediff('day', o.close_date, s.line_date) <= pp.claw_days) then 'reversal'
        else 'not_clawed_back'
      end as line_kind,
      0::HUGEINT as amount, '' as rule
    from (select *, party as partner_id from fin_split) s
    join fin_pp pp on pp.partner_id = s.partner_id and pp.accrue_on = s.measure
    join fin_party p on p.opportunity_id = s.opportunity_id and p.party = s.partner_id
    join fin_opp o on o.opportunity_id = s.opportunity_id
    where s.part <> 0`);
  const vols = await wh.all<{ partner_id: string; plan: string; volume: string }>(`
    select partner_id, any_value(plan) as plan, sum(credited)::VARCHAR as volume from fin_lines where line_kind = 'accrual' group by 1`);
  await wh.run(`create or replace temp table fin_comm (partner_id VARCHAR, volume HUGEINT, commission HUGEINT)`);
  const plans = new Map(config.plans.map((p) => [p.name, p]));
  if (vols.length > 0) {
    const values = vols.map((v) => {
      const plan = plans.get(v.plan);
      if (!plan) throw new JointlyError('INTERNAL', `Plan ${v.plan} vanished.`);
      return sql`(${v.partner_id}, ${BigInt(v.volume)}::HUGEINT, ${commissionFor(BigInt(v.volume), plan.tiers)}::HUGEINT)`;
    });
    await wh.run(joinSql(sql`insert into fin_comm values `, values));
  }
  await wh.run(`update fin_lines set amount = lr.part, rule = rate_text || ' on ' || measure || ' ' || basis || ' revenue'
    from (${largestRemainderSql(`select l.partner_id as grp, l.line_key as k, c.commission as total, l.credited as w
      from fin_lines l join fin_comm c using (partner_id) where l.line_kind = 'accrual' and c.volume > 0`)}) lr
    where fin_lines.line_key = lr.k`);
  await wh.run(`update fin_lines set
      amount = case when coalesce(c.volume, 0) > 0 then ${divRoundSql('fin_lines.credited * c.commission', 'c.volume')}
        else ${divRoundSql('fin_lines.credited * pp.first_rate_ppm', '1000000')} end,
      rule = 'clawback of ' || revenue_kind || ' at the period''s effective rate'
    from fin_pp pp left join fin_comm c on c.partner_id = pp.partner_id
    where fin_lines.line_kind = 'reversal' and pp.partner_id = fin_lines.partner_id`);
  await wh.run(`update fin_lines set rule = case line_kind
      when 'below_threshold' then 'below the plan''s minimum credit share: internal revenue'
      else case when list_contains(claw_kinds, revenue_kind) then revenue_kind || ' not clawed back: more than ' || claw_days || ' days after close'
        else revenue_kind || ' not clawed back: not a clawback kind of the plan' end end
    where line_kind in ('below_threshold', 'not_clawed_back')`);

  // 6. Caps on accruals, each a largest-remainder re-allocation of the capped total.
  await capLines(wh, {
    groups: `select l.partner_id || '|' || l.opportunity_id as grp, pp.cap_deal as cap from fin_lines l join fin_pp pp using (partner_id)
      where l.line_kind = 'accrual' and pp.cap_deal is not null group by all having sum(l.amount) > pp.cap_deal`,
    groupOf: `l.partner_id || '|' || l.opportunity_id`,
    note: `'capped at ' || ${centsToDecimal('g.cap')}::VARCHAR || ' per deal'`,
  });
  await wh.run(`create or replace temp table fin_deal_limit as
    with deal_rev as (
      select opportunity_id, measure, sum(cents) as cents from fin_base where cents > 0 group by all
    ), pa as (
      select opportunity_id, partner_id, measure, sum(amount) as amount from fin_lines where line_kind = 'accrual' group by all
    ), lim as (
      select pa.opportunity_id, min(${divRoundSql('pp.max_deal_rate_ppm * d.cents', '1000000')}) as deal_limit
      from pa join fin_pp pp using (partner_id) join deal_rev d on d.opportunity_id = pa.opportunity_id and d.measure = pa.measure
      where pp.max_deal_rate_ppm is not null
      group by 1
    )
    select pa.opportunity_id, pa.partner_id, pa.amount, lim.deal_limit
    from pa join lim using (opportunity_id)
    qualify sum(pa.amount) over (partition by pa.opportunity_id) > lim.deal_limit`);
  await wh.run(`create or replace temp table fin_deal_share as
    ${largestRemainderSql(`select opportunity_id as grp, partner_id as k, deal_limit as total, amount as w from fin_deal_limit`)}`);
  await capLines(wh, {
    groups: `select k || '|' || grp as grp, part as cap from fin_deal_share`,
    groupOf: `l.partner_id || '|' || l.opportunity_id`,
    note: `'deal total limited to the plan''s maximum payout rate, shared by partner credit'`,
  });
  await capLines(wh, {
    groups: `select l.partner_id as grp, pp.cap_period as cap from fin_lines l join fin_pp pp using (partner_id)
      where l.line_kind = 'accrual' and pp.cap_period is not null group by all having sum(l.amount) > pp.cap_period`,
    groupOf: `l.partner_id`,
    note: `'capped at ' || ${centsToDecimal('g.cap')}::VARCHAR || ' per period'`,
  });

  // 7. Bounties: new customers (first won deal of the account) closed in the period.
  await wh.run(`insert into fin_lines (line_key, partner_id, plan, measure, line_id, opportunity_id, revenue_kind, currency, line_date,
      basis, revenue, credited, w, den_eff, status, close_date, line_kind, amount, rule)
    with new_customers as (
      select o.* from fin_opp o
      where o.is_won and o.type = 'new_business' and o.close_date between ${ps} and ${pe}
        and not exists (select 1 from fin_opp e where e.account_id = o.account_id and e.is_won and e.opportunity_id <> o.opportunity_id
          and (e.close_date < o.close_date or (e.close_date = o.close_date and e.opportunity_id < o.opportunity_id)))
    ), q as (
      select p.*, pp.plan, pp.bounty, pp.basis, sum(p.w) over (partition by p.opportunity_id) as qualified_w
      from fin_party p join fin_pp pp on pp.partner_id = p.party
      where p.status = 'qualified' and pp.bounty is not null and p.opportunity_id in (select opportunity_id from new_customers)
    )
    select q.party || '|bounty|' || q.opportunity_id, q.party, q.plan, 'booking', 'bounty:' || q.opportunity_id, q.opportunity_id,
      'new_customer', n.currency, n.close_date, q.basis, n.amt, 0, q.w, q.den_eff, q.status, n.close_date, 'bounty',
      ${divRoundSql('q.bounty * q.w', 'q.qualified_w')},
      'new-customer bounty ' || ${centsToDecimal('q.bounty')}::VARCHAR || case when q.w < q.qualified_w then ' shared by credit' else '' end
    from q join new_customers n using (opportunity_id)`);

  // 7b. MDF claims (config-sized data): approved or paid claims submitted in the period, within budget.
  await insertMdfLines(wh, config, period);

  // Reconciliation of recognised revenue (all partners, all lines).
  const rec = await wh.get<Record<keyof Reconciliation, string>>(`
    select
      ${centsToDecimal(`coalesce((select sum(cents) from fin_base where measure = 'recognition'), 0)`)}::VARCHAR as revenue_recognised,
      ${centsToDecimal(`coalesce(sum(s.part) filter (where p.status = 'qualified'), 0)`)}::VARCHAR as partner_credited,
      ${centsToDecimal(`coalesce(sum(s.part) filter (where p.status = 'below_threshold'), 0)`)}::VARCHAR as below_threshold,
      ${centsToDecimal(`coalesce(sum(s.part) filter (where p.status is null or p.status = 'internal'), 0)`)}::VARCHAR as internal,
      ${centsToDecimal(`coalesce((select sum(cents) from fin_base where measure = 'recognition' and (opportunity_id is null or opportunity_id not in (select opportunity_id from fin_opp))), 0)`)}::VARCHAR as unlinked
    from fin_split s left join fin_party p on p.opportunity_id = s.opportunity_id and p.party = s.party
    where s.measure = 'recognition' and s.opportunity_id in (select opportunity_id from fin_opp)`, 'Reconciliation query returned nothing.');
  const sumParts = [rec.partner_credited, rec.below_threshold, rec.internal, rec.unlinked].reduce((a, b) => a + toCents(b), 0n);
  if (sumParts !== toCents(rec.revenue_recognised)) {
    throw new JointlyError('INVARIANT_BROKEN', `Recognised revenue ${rec.revenue_recognised} does not reconcile with its parts (${JSON.stringify(rec)}).`);
  }
  await wh.run(`create or replace temp table fin_out as
    select row_number() over (order by l.partner_id, case l.line_kind when 'accrual' then 0 when 'reversal' then 1 when 'not_clawed_back' then 2
        when 'below_threshold' then 3 when 'bounty' then 4 else 5 end, l.opportunity_id, l.line_date, l.line_id)::INTEGER as line_no,
      l.partner_id, l.plan, l.line_kind, l.opportunity_id, l.revenue_id, l.revenue_kind, l.measure as accrue_on, l.basis,
      ${centsToDecimal('l.revenue')} as revenue,
      case when l.den_eff > 0 then round(l.w::DOUBLE / l.den_eff::DOUBLE, 6)::DECIMAL(9,6) end as credit_share,
      ${centsToDecimal('l.credited')} as credited_revenue, ${centsToDecimal('l.amount')} as amount, l.currency as original_currency, l.rule
    from fin_lines l`);
  return { period, attribution_runs: runs, reconciliation: rec };
}

/**
 * Temp tables `fin_plan` (the plans in exact units) and `fin_pp` (each partner's plan, the most
 * specific match first), with the attribution run each plan reads.
 */
export async function preparePlanTables(wh: Warehouse, config: PayoutConfig, runs: Readonly<Record<string, number>>): Promise<void> {
  await wh.run(`create or replace temp table fin_plan (plan VARCHAR, specificity INTEGER, ord INTEGER, m_partner_id VARCHAR,
    m_tier VARCHAR, m_partner_type VARCHAR, basis VARCHAR, model VARCHAR, run_id INTEGER, accrue_on VARCHAR, min_share_ppm HUGEINT,
    cap_deal HUGEINT, cap_period HUGEINT, max_deal_rate_ppm HUGEINT, claw_kinds VARCHAR[], claw_days INTEGER, bounty HUGEINT,
    first_rate_ppm HUGEINT, rate_text VARCHAR)`);
  for (const p of config.plans) await wh.run(PLAN_INSERT(p, p.model ? (runs[p.model] ?? null) : null));

  // Partner -> plan: the most specific match, then the first in the file.
  await wh.run(`create or replace temp table fin_pp as
    select p.partner_id, pl.*
    from core.partners p
    join fin_plan pl
      on pl.m_partner_id = p.partner_id or pl.m_tier = p.tier or pl.m_partner_type = p.partner_type or pl.specificity = 0
    qualify row_number() over (partition by p.partner_id order by pl.specificity desc, pl.ord) = 1`);

}

function toCents(s: string): bigint {
  const neg = s.startsWith('-');
  const [w = '0', f = ''] = s.replace('-', '').split('.');
  const c = BigInt(w) * 100n + BigInt((f + '00').slice(0, 2));
  return neg ? -c : c;
}

function joinSql(head: ReturnType<typeof sql>, parts: ReturnType<typeof sql>[]): ReturnType<typeof sql> {
  let out = head;
  parts.forEach((p, i) => {
    out = i === 0 ? sql`${out}${p}` : sql`${out}, ${p}`;
  });
  return out;
}

/** Re-allocates each over-cap group's accrual amounts to the cap, by largest remainder. */
async function capLines(wh: Warehouse, opts: { groups: string; groupOf: string; note: string }): Promise<void> {
  await wh.run(`create or replace temp table fin_cap as ${opts.groups}`);
  await wh.run(`update fin_lines set amount = lr.part, rule = fin_lines.rule || '; ' || lr.note
    from (
      select lr.*, n.note from (${largestRemainderSql(`select g.grp, l.line_key as k, g.cap as total, l.amount as w
        from fin_lines l join fin_cap g on g.grp = ${opts.groupOf}
        where l.line_kind = 'accrual' and l.amount > 0`)}) lr
      join (select g.grp, ${opts.note} as note from fin_cap g) n on n.grp = lr.grp
    ) lr
    where fin_lines.line_key = lr.k`);
  // Groups whose lines are all zero already pay nothing; nothing else to do.
}

/** The attribution run each plan model reads: overrides first, else the latest successful run. */
export async function resolveRuns(wh: Warehouse, config: PayoutConfig, overrides: Readonly<Record<string, number>>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const models = [...new Set(config.plans.map((p) => p.model).filter((m): m is string => m !== null))];
  for (const model of models) {
    const given = overrides[model];
    if (given !== undefined) {
      out[model] = given;
      continue;
    }
    const row = await wh.find<{ run_id: number | null }>(sql`
      select max(run_id)::INTEGER as run_id from meta.runs where kind = 'attribution' and status = 'succeeded' and model = ${model}`);
    if (row?.run_id === null || row?.run_id === undefined) {
      throw new JointlyError('NOT_FOUND', `Payout plans in ${config.file} read credit from attribution model "${model}", which has no successful run. Run \`jointly attribute --model ${model}\` first.`);
    }
    out[model] = Number(row.run_id);
  }
  return out;
}

/** MDF claims submitted in the period become lines (evaluate-mdf-claims.ts has the rules). */
async function insertMdfLines(wh: Warehouse, config: PayoutConfig, period: Period): Promise<void> {
  if (!config.mdf.claims.some((c) => c.submitted_at >= period.start && c.submitted_at <= period.end)) return;
  const results = evaluateMdfClaims(config.mdf, await loadActivityPartners(wh));
  const lines = results
    .filter((c) => c.submitted_at >= period.start && c.submitted_at <= period.end)
    .map((c) => sql`(${`${c.partner_id}|mdf|${c.claim_id}`}, ${c.partner_id}, coalesce((select plan from fin_pp where partner_id = ${c.partner_id}), '(none)'),
      'mdf', ${`mdf:${c.claim_id}`}, null, 'mdf_claim', null, ${c.submitted_at}::DATE, null, ${c.claimed_cents}::HUGEINT, 0::HUGEINT, null, null,
      'qualified', null, 'mdf', ${c.payable_cents}::HUGEINT, ${c.rule})`);
  await wh.run(joinSql(sql`insert into fin_lines (line_key, partner_id, plan, measure, line_id, opportunity_id, revenue_kind, currency, line_date,
      basis, revenue, credited, w, den_eff, status, close_date, line_kind, amount, rule) values `, lines));
}

/** Activity id -> the partner ids on it. */
export async function loadActivityPartners(wh: Warehouse): Promise<Map<string, Set<string>>> {
  const acts = await wh.all<{ activity_id: string; partner_ids: string }>(`select activity_id, to_json(partner_ids)::VARCHAR as partner_ids from core.activities`);
  return new Map(acts.map((a) => [a.activity_id, new Set(parseIds(a.partner_ids))]));
}

function parseIds(json: string): string[] {
  const v: unknown = JSON.parse(json);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export { divRound };
