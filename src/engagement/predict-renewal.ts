/**
 * Likelihood of renewal per customer: trained on closed renewal opportunities (won = renewed),
 * with features taken at the renewal's creation: log(1 + usage events in the 90 days before),
 * distinct events used in 180 days / events in the catalogue, share of the 6 months before with
 * usage, log(1 + engagement touches in 180 days), whether partners brought the customer
 * (sourced/registered or a partner touch within a year before the first sale), and tenure in
 * years since the first sale. The latest `renewal_holdout_fraction` by close date is held out.
 * Current scores: open renewal opportunities, features at the end of the data.
 */
import type { Warehouse } from '../warehouse/index.js';
import { sql, raw } from '../warehouse/index.js';
import { loadEngagementConfig } from './config.js';
import { trainAndScore, type Evaluation, type LabelledRow } from './train-and-score.js';

export const RENEWAL_FEATURES = [
  'log_usage_events_90d', 'adoption_180d', 'active_month_share_6m', 'log_engagement_touches_180d', 'partner_brought', 'tenure_years',
];

export interface RenewalPrediction {
  evaluation: Evaluation;
  as_of: string;
  customers: { account_id: string; opportunity_id: string; close_date: string | null; probability: number; partners: string[] }[];
}

interface RenewalRow {
  [k: string]: unknown;
  opportunity_id: string;
  account_id: string;
  kind: 'labelled' | 'current';
  close_date: string | null;
  f: number[];
  label: number;
  partners: string[];
  data_end: string;
}

/**
 * Trains on closed renewals, evaluates on the latest ones and scores open renewals. Read-only.
 * Throws NO_DATA (with counts) when there are too few closed renewals of either outcome.
 *
 * @example
 * const r = await predictRenewal(wh, {}); r.evaluation.auc; r.customers[0].probability
 */
export async function predictRenewal(
  wh: Warehouse,
  opts: { partnerId?: string | undefined; configDir?: string | undefined } = {},
): Promise<RenewalPrediction> {
  const cfg = loadEngagementConfig(opts.configDir);
  const unitTypes = raw(`[${cfg.attribution.unit_touch_types.map((t) => `'${t}'`).join(', ')}]`);
  const rows = await wh.allJS<RenewalRow>(sql`
    with ends as (
      select (max(t)::DATE + 1)::TIMESTAMP as data_end from (
        select max(occurred_at) as t from core.touchpoints union all select max(occurred_at) from core.usage
        union all select max(created_at) from core.opportunities)
    ),
    catalogue as (select greatest(1, count(distinct event))::DOUBLE as events from core.usage),
    sales as (
      select account_id, min(close_date)::TIMESTAMP as sale_at from core.opportunities
      where is_won and type = 'new_business' and close_date is not null group by account_id
    ),
    touches as (
      select coalesce(al.account_id, t.account_id, c.account_id) as account_id, t.occurred_at,
        list_contains(${unitTypes}, t.touch_type) as is_unit, coalesce(t.partner_id, a.partner_ids[1]) as partner_id
      from core.touchpoints t
      left join core.contacts c on c.contact_id = t.contact_id
      left join core.account_aliases al on al.alias_id = coalesce(t.account_id, c.account_id)
      left join core.activities a on a.activity_id = t.activity_id
    ),
    brought as (
      select s.account_id, list(distinct p.partner_id order by p.partner_id) as partners
      from sales s
      join (
        select t.account_id, t.partner_id, t.occurred_at from touches t where t.partner_id is not null
        union all
        select o.account_id, unnest([o.sourced_partner_id, o.registered_partner_id]), o.created_at
        from core.opportunities o where o.type = 'new_business' and o.is_won
      ) p on p.account_id = s.account_id and p.partner_id is not null
        and p.occurred_at >= s.sale_at - interval 365 day and p.occurred_at < s.sale_at + interval 1 day
      group by s.account_id
    ),
    subjects as (
      select o.opportunity_id, o.account_id, o.close_date, o.is_won,
        case when o.is_closed then 'labelled' else 'current' end as kind,
        case when o.is_closed then o.created_at else e.data_end end as at
      from core.opportunities o, ends e
      where o.type = 'renewal'
    ),
    feats as (
      select s.opportunity_id,
        ln(1 + count(u.event) filter (where u.occurred_at >= s.at - interval 90 day)) as f1,
        count(distinct u.event) filter (where u.occurred_at >= s.at - interval 180 day) / any_value(cat.events) as f2,
        count(distinct date_trunc('month', u.occurred_at)) filter (where u.occurred_at >= s.at - interval 6 month) / 6.0 as f3
      from subjects s
      cross join catalogue cat
      left join core.usage u on u.account_id = s.account_id and u.occurred_at < s.at and u.occurred_at >= s.at - interval 180 day
      group by s.opportunity_id
    ),
    eng as (
      select s.opportunity_id, ln(1 + count(t.occurred_at)) as f4
      from subjects s
      left join touches t on t.account_id = s.account_id and t.is_unit and t.occurred_at < s.at and t.occurred_at >= s.at - interval 180 day
      group by s.opportunity_id
    )
    select s.opportunity_id, s.account_id, s.kind, s.close_date::VARCHAR as close_date,
      [f.f1, f.f2, least(1.0, f.f3), e.f4, (b.partners is not null)::INTEGER::DOUBLE,
        coalesce(greatest(0, epoch(s.at - sa.sale_at)) / (365.25 * 86400), 0)]::DOUBLE[] as f,
      s.is_won::INTEGER as label, coalesce(b.partners, []) as partners, strftime(any_value(en.data_end) over (), '%Y-%m-%d') as data_end
    from subjects s
    join feats f using (opportunity_id)
    join eng e using (opportunity_id)
    left join sales sa on sa.account_id = s.account_id
    left join brought b on b.account_id = s.account_id
    cross join ends en
    order by s.kind, s.close_date nulls last, s.opportunity_id`);
  const labelledRows = rows.filter((r) => r.kind === 'labelled');
  const cut = Math.floor(labelledRows.length * (1 - cfg.predict.renewal_holdout_fraction));
  const labelled: LabelledRow[] = labelledRows.map((r, i) => ({ split: i < cut ? 'train' : 'test', x: r.f.map(Number), y: Number(r.label) }));
  let current = rows.filter((r) => r.kind === 'current');
  if (opts.partnerId !== undefined) {
    const pid = opts.partnerId;
    current = current.filter((r) => r.partners.includes(pid));
  }
  const { evaluation, probabilities } = trainAndScore({
    what: 'renewal',
    unit: 'closed renewals',
    features: RENEWAL_FEATURES,
    labelled,
    current: current.map((r) => r.f.map(Number)),
    limits: cfg.predict,
  });
  const customers = current
    .map((r, i) => ({
      account_id: r.account_id,
      opportunity_id: r.opportunity_id,
      close_date: r.close_date,
      probability: probabilities[i] ?? 0,
      partners: opts.partnerId !== undefined ? [opts.partnerId] : r.partners,
    }))
    .sort((a, b) => a.probability - b.probability || (a.opportunity_id < b.opportunity_id ? -1 : 1));
  return { evaluation, as_of: rows[0]?.data_end ?? '', customers };
}
