/**
 * Propensity to engage: the probability that an account has an engagement touch (unit_touch_types)
 * in the next `engage_horizon_days`, from monthly snapshots of the warehouse. Features at each
 * snapshot: log(1 + engagement touches in the last 30 days), log(1 + those 31-90 days before),
 * log(1 + touches of any kind in the last 90 days), days since the last engagement touch / 365
 * (1 when none in a year), and whether the account is a customer. Snapshots whose horizon ends
 * before the data are labelled; the last `holdout_months` of them are held out for evaluation.
 * Current scores are taken at the end of the data, for accounts touched in the last year, and
 * summed per partner (expected engaging accounts among the accounts each partner touched).
 */
import type { Warehouse } from '../warehouse/index.js';
import { sql, raw } from '../warehouse/index.js';
import { loadEngagementConfig } from './config.js';
import { trainAndScore, type Evaluation, type LabelledRow } from './train-and-score.js';

export const ENGAGE_FEATURES = [
  'log_engagement_touches_30d', 'log_engagement_touches_31_90d', 'log_touches_90d', 'years_since_engagement', 'is_customer',
];

export interface EngagementPrediction {
  evaluation: Evaluation;
  as_of: string;
  horizon_days: number;
  accounts: { account_id: string; probability: number; partners: string[] }[];
  partners: { partner_id: string; accounts: number; expected_engaging_accounts: number; mean_probability: number }[];
}

interface SnapshotRow {
  [k: string]: unknown;
  account_id: string;
  cutoff: string;
  kind: 'train' | 'test' | 'current';
  f1: number;
  f2: number;
  f3: number;
  f4: number;
  f5: number;
  label: number;
  partners: string[];
}

/**
 * Trains, evaluates on later held-out months and scores propensity to engage. Read-only.
 * Throws NO_DATA (with counts) when the training data are too thin.
 *
 * @example
 * const p = await predictEngagement(wh, {}); p.evaluation.auc // 0.81; p.accounts[0] // { account_id, probability, partners }
 */
export async function predictEngagement(
  wh: Warehouse,
  opts: { partnerId?: string | undefined; configDir?: string | undefined } = {},
): Promise<EngagementPrediction> {
  const cfg = loadEngagementConfig(opts.configDir);
  const h = cfg.predict.engage_horizon_days;
  const unitTypes = raw(`[${cfg.attribution.unit_touch_types.map((t) => `'${t}'`).join(', ')}]`);
  const rows = await wh.allJS<SnapshotRow>(sql`
    with ends as (
      select (max(t)::DATE + 1)::TIMESTAMP as data_end from (
        select max(occurred_at) as t from core.touchpoints union all select max(occurred_at) from core.usage
        union all select max(created_at) from core.opportunities)
    ),
    touches as (
      select t.touchpoint_id, t.occurred_at, coalesce(al.account_id, t.account_id, c.account_id) as account_id,
        list_contains(${unitTypes}, t.touch_type) as is_unit, coalesce(t.partner_id, a.partner_ids[1]) as partner_id
      from core.touchpoints t
      left join core.contacts c on c.contact_id = t.contact_id
      left join core.account_aliases al on al.alias_id = coalesce(t.account_id, c.account_id)
      left join core.activities a on a.activity_id = t.activity_id
    ),
    sales as (
      select account_id, min(close_date)::TIMESTAMP as sale_at from core.opportunities
      where is_won and type = 'new_business' and close_date is not null group by account_id
    ),
    cutoffs as (
      select g.cutoff, case when g.cutoff + to_days(${h}::INTEGER) > e.data_end then 'current'
          when g.cutoff >= date_trunc('month', e.data_end - to_days(${h}::INTEGER)) - to_months(${cfg.predict.holdout_months - 1}::INTEGER)
            then 'test' else 'train' end as kind
      from ends e, (select min(occurred_at) as first_at from touches) f,
        generate_series(date_trunc('month', f.first_at) + interval 3 month, e.data_end - to_days(${h}::INTEGER), interval 1 month) g(cutoff)
      union all
      select data_end, 'current' from ends
    ),
    snap as (
      select t.account_id, c.cutoff, any_value(c.kind) as kind,
        ln(1 + count(*) filter (where t.is_unit and t.occurred_at >= c.cutoff - interval 30 day and t.occurred_at < c.cutoff)) as f1,
        ln(1 + count(*) filter (where t.is_unit and t.occurred_at >= c.cutoff - interval 90 day and t.occurred_at < c.cutoff - interval 30 day)) as f2,
        ln(1 + count(*) filter (where t.occurred_at >= c.cutoff - interval 90 day and t.occurred_at < c.cutoff)) as f3,
        coalesce(least(365, epoch(c.cutoff - max(t.occurred_at) filter (where t.is_unit and t.occurred_at < c.cutoff)) / 86400) / 365, 1.0) as f4,
        (count(*) filter (where t.is_unit and t.occurred_at >= c.cutoff and t.occurred_at < c.cutoff + to_days(${h}::INTEGER)) > 0)::INTEGER as label,
        coalesce(list(distinct t.partner_id order by t.partner_id) filter (where t.partner_id is not null and t.occurred_at < c.cutoff), []) as partners,
        count(*) filter (where t.occurred_at < c.cutoff) as before
      from cutoffs c
      join touches t on t.account_id is not null and t.occurred_at >= c.cutoff - interval 365 day
        and t.occurred_at < c.cutoff + to_days(${h}::INTEGER)
      group by t.account_id, c.cutoff
    ),
    labelled as (
      select * from snap where kind <> 'current' and before > 0
      qualify row_number() over (order by hash(account_id, cutoff)) <= ${cfg.predict.max_training_rows}
    )
    select s.account_id, strftime(s.cutoff, '%Y-%m-%d') as cutoff, s.kind, s.f1, s.f2, s.f3, s.f4,
      (coalesce(sa.sale_at < s.cutoff, false))::INTEGER::DOUBLE as f5, s.label, s.partners
    from (select * from labelled union all select * from snap where kind = 'current' and before > 0) s
    left join sales sa on sa.account_id = s.account_id
    order by s.kind, s.cutoff, s.account_id`);
  const x = (r: SnapshotRow): number[] => [r.f1, r.f2, r.f3, r.f4, r.f5].map(Number);
  const labelled: LabelledRow[] = rows
    .filter((r) => r.kind !== 'current')
    .map((r) => ({ split: r.kind === 'test' ? 'test' : 'train', x: x(r), y: Number(r.label) }));
  const dataEnd = rows.filter((r) => r.kind === 'current').map((r) => r.cutoff).sort().pop() ?? '';
  const current = rows.filter((r) => r.kind === 'current' && r.cutoff === dataEnd);
  const { evaluation, probabilities } = trainAndScore({
    what: 'engagement in the next ' + h + ' days',
    unit: 'account-months',
    features: ENGAGE_FEATURES,
    labelled,
    current: current.map(x),
    limits: cfg.predict,
  });
  let accounts = current.map((r, i) => ({ account_id: r.account_id, probability: probabilities[i] ?? 0, partners: r.partners }));
  if (opts.partnerId !== undefined) {
    const pid = opts.partnerId;
    accounts = accounts.filter((a) => a.partners.includes(pid)).map((a) => ({ ...a, partners: [pid] }));
  }
  accounts.sort((a, b) => b.probability - a.probability || (a.account_id < b.account_id ? -1 : 1));
  const byPartner = new Map<string, { accounts: number; sum: number }>();
  for (const a of accounts) {
    for (const p of a.partners) {
      const e = byPartner.get(p) ?? { accounts: 0, sum: 0 };
      e.accounts++;
      e.sum += a.probability;
      byPartner.set(p, e);
    }
  }
  const partners = [...byPartner.entries()]
    .map(([partner_id, e]) => ({ partner_id, accounts: e.accounts, expected_engaging_accounts: e.sum, mean_probability: e.sum / e.accounts }))
    .sort((a, b) => b.expected_engaging_accounts - a.expected_engaging_accounts);
  return { evaluation, as_of: dataEnd, horizon_days: h, accounts, partners };
}
