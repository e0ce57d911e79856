/**
 * The SQL of "who is a new customer and where did they come from", as one fragment ending in a
 * relation `acquired` (one row per new customer) so counts and cohorts share one definition.
 *
 * A new customer: an account whose first won new_business opportunity (by close date, then
 * creation, then id) closes in [from, to] and that has no revenue line starting before that close
 * date. Its acquisition source is the first rule of the configured priority that applies; customers
 * no rule reaches are `unattributed` and count as direct, so partner + direct = total.
 */
import { raw, sql, type Sql } from '../warehouse/index.js';
import type { AcquisitionRule, CustomersConfig } from './config.js';

function ruleCase(rule: AcquisitionRule): { when: string; kind: string; source: string } {
  switch (rule) {
    case 'sourced_partner':
      return { when: 'f.sourced_partner_id is not null', kind: `'partner'`, source: 'f.sourced_partner_id' };
    case 'registered_partner':
      return { when: 'f.registered_partner_id is not null', kind: `'partner'`, source: 'f.registered_partner_id' };
    case 'influenced_partner':
      return { when: 'tp.partner_id is not null', kind: `'partner'`, source: 'tp.partner_id' };
    case 'top_channel':
      return { when: 'tc.channel is not null', kind: `'direct'`, source: 'tc.channel' };
  }
}

/**
 * `with ... acquired as (...)`: columns account_id, opportunity_id, acquired_date, first_deal_amount,
 * source_kind ('partner' | 'direct'), source (partner id or channel), partner_type, rule.
 */
export function acquiredCustomersSql(args: {
  from: string | null;
  to: string | null;
  runId: number | null;
  config: CustomersConfig['acquisition'];
}): Sql {
  const rules = args.config.priority.map(ruleCase);
  const kindCase = raw(`case ${rules.map((r) => `when ${r.when} then ${r.kind}`).join(' ')} else 'direct' end`);
  const sourceCase = raw(`case ${rules.map((r) => `when ${r.when} then ${r.source}`).join(' ')} else 'unattributed' end`);
  const ruleName = raw(`case ${args.config.priority.map((r, i) => `when ${rules[i]?.when ?? 'false'} then '${r}'`).join(' ')} else 'unattributed' end`);
  return sql`
with first_won as (
  select account_id, opportunity_id, close_date, amount_base, sourced_partner_id, registered_partner_id,
    row_number() over (partition by account_id order by close_date, created_at, opportunity_id) as rn
  from core.opportunities
  where type = 'new_business' and is_won and close_date is not null
),
firsts as (
  select f.*
  from first_won f
  where f.rn = 1
    and (${args.from}::date is null or f.close_date >= ${args.from}::date)
    and (${args.to}::date is null or f.close_date <= ${args.to}::date)
    and not exists (
      select 1 from core.revenue r where r.account_id = f.account_id and r.period_start < f.close_date
    )
),
partner_shares as (
  select c.opportunity_id, c.partner_id, sum(c.weight) as share
  from model.credit_amounts c
  join firsts f on f.opportunity_id = c.opportunity_id
  where c.run_id = ${args.runId}::integer and c.purpose = 'revenue' and c.partner_id is not null
  group by c.opportunity_id, c.partner_id
),
top_partners as (
  select opportunity_id, partner_id
  from (
    select *, row_number() over (partition by opportunity_id order by share desc, partner_id) as rn
    from partner_shares
    where share >= ${args.config.influenced_min_share}::double - 1e-9
  )
  where rn = 1
),
channel_shares as (
  select c.opportunity_id, c.channel, sum(c.weight) as share
  from model.credits c
  join firsts f on f.opportunity_id = c.opportunity_id
  where c.run_id = ${args.runId}::integer and c.purpose = 'revenue'
    and c.partner_id is null and c.touchpoint_id is not null and c.channel is not null and c.channel <> 'partner'
  group by c.opportunity_id, c.channel
),
top_channels as (
  select opportunity_id, channel
  from (
    select *, row_number() over (partition by opportunity_id order by share desc, channel) as rn
    from channel_shares
  )
  where rn = 1
),
acquired as (
  select f.account_id, f.opportunity_id, f.close_date as acquired_date, f.amount_base as first_deal_amount,
    ${kindCase} as source_kind,
    ${sourceCase} as source,
    ${ruleName} as rule
  from firsts f
  left join top_partners tp on tp.opportunity_id = f.opportunity_id
  left join top_channels tc on tc.opportunity_id = f.opportunity_id
),
acquired_typed as (
  select a.*, case when a.source_kind = 'partner' then coalesce(p.partner_type, 'unknown') else 'direct' end as partner_type
  from acquired a
  left join core.partners p on a.source_kind = 'partner' and p.partner_id = a.source
)`;
}
