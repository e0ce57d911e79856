/**
 * New customers per acquisition source (or partner, or partner type) in a period: counts and
 * first-deal amounts, with the check that partner + direct = total built in.
 */
import { JointlyError } from '../core/errors.js';
import { raw, sql, type Warehouse } from '../warehouse/index.js';
import { findAttributionRun } from '../incrementality/index.js';
import { acquiredCustomersSql } from './acquired-customers-sql.js';
import { loadCustomersConfig, type CustomersConfig } from './config.js';

export const NEW_CUSTOMER_GROUPINGS = ['source', 'partner', 'partner_type'] as const;
export type NewCustomerGrouping = (typeof NEW_CUSTOMER_GROUPINGS)[number];

export interface NewCustomerGroup {
  /** Partner id, channel, partner type, or 'direct'. */
  key: string;
  source_kind: 'partner' | 'direct';
  customers: number;
  /** Sum of first won deal amounts, base currency, decimal string. */
  first_deal_amount: string;
  /** How many came by each rule. */
  by_rule: Record<string, number>;
}

export interface NewCustomersResult {
  from: string | null;
  to: string | null;
  by: NewCustomerGrouping;
  total: number;
  partner_total: number;
  direct_total: number;
  attribution_run_id: number | null;
  attribution_model: string | null;
  priority: string[];
  method: string;
  groups: NewCustomerGroup[];
  /** Set when rules needing attribution credit could not be applied. */
  note: string | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * @example
 * const r = await newCustomers(wh, { from: '2024-01-01', to: '2024-12-31', by: 'partner_type' });
 * r.partner_total + r.direct_total === r.total // always
 */
export async function newCustomers(
  wh: Warehouse,
  opts: { from?: string; to?: string; by?: NewCustomerGrouping; config?: CustomersConfig; configDir?: string } = {},
): Promise<NewCustomersResult> {
  const by = opts.by ?? 'source';
  if (!NEW_CUSTOMER_GROUPINGS.includes(by)) {
    throw new JointlyError('BAD_ARGUMENT', `--by expects one of ${NEW_CUSTOMER_GROUPINGS.join(', ')}, got "${String(by)}".`);
  }
  for (const [flag, v] of [['from', opts.from], ['to', opts.to]] as const) {
    if (v !== undefined && (!DATE.test(v) || Number.isNaN(Date.parse(v)))) {
      throw new JointlyError('BAD_ARGUMENT', `--${flag} expects a date YYYY-MM-DD, got "${v}".`);
    }
  }
  if (opts.from && opts.to && opts.from > opts.to) {
    throw new JointlyError('BAD_ARGUMENT', `--from ${opts.from} is after --to ${opts.to}.`);
  }
  const config = opts.config ?? loadCustomersConfig(opts.configDir);
  const run = await findAttributionRun(wh, { model: config.acquisition.attribution_model });
  if (!run && config.acquisition.attribution_model) {
    throw new JointlyError('NOT_FOUND', `customers.yaml names attribution model "${config.acquisition.attribution_model}" but it has no successful run. Run \`jointly attribute --model ${config.acquisition.attribution_model}\` first.`);
  }
  const key = raw(by === 'source' ? 'source' : by === 'partner' ? `case when source_kind = 'partner' then source else 'direct' end` : 'partner_type');
  const rows = await wh.all<{ key: string; source_kind: 'partner' | 'direct'; customers: number; first_deal_amount: string; rule: string; n: number }>(sql`
${acquiredCustomersSql({ from: opts.from ?? null, to: opts.to ?? null, runId: run?.run_id ?? null, config: config.acquisition })}
select key, source_kind, rule, n,
  sum(n) over (partition by key, source_kind)::integer as customers,
  (sum(amount) over (partition by key, source_kind))::decimal(18,2)::varchar as first_deal_amount
from (
  select ${key} as key, source_kind, rule, count(*)::integer as n, sum(first_deal_amount) as amount
  from acquired_typed
  group by 1, 2, 3
) grouped
order by customers desc, key, rule`);
  const groups: NewCustomerGroup[] = [];
  for (const r of rows) {
    let g = groups.find((x) => x.key === r.key && x.source_kind === r.source_kind);
    if (!g) {
      g = { key: r.key, source_kind: r.source_kind, customers: r.customers, first_deal_amount: r.first_deal_amount, by_rule: {} };
      groups.push(g);
    }
    g.by_rule[r.rule] = r.n;
  }
  const total = groups.reduce((s, g) => s + g.customers, 0);
  const partnerTotal = groups.filter((g) => g.source_kind === 'partner').reduce((s, g) => s + g.customers, 0);
  return {
    from: opts.from ?? null,
    to: opts.to ?? null,
    by,
    total,
    partner_total: partnerTotal,
    direct_total: total - partnerTotal,
    attribution_run_id: run?.run_id ?? null,
    attribution_model: run?.model ?? null,
    priority: [...config.acquisition.priority],
    method: `first won new_business deal, no prior revenue; source by priority ${config.acquisition.priority.join(' > ')} (influenced share >= ${config.acquisition.influenced_min_share})`,
    groups,
    note: run ? null : 'no attribution run: influenced_partner and top_channel rules could not apply (run `jointly attribute`)',
  };
}
