/**
 * Reads stored payout statements (model.payout_lines of a 'payouts' run) for the CLI and the
 * HTTP API: the latest successful run of a period unless a run id is given; never recomputes.
 * Money is returned as decimal strings in the base currency.
 */
import { JointlyError } from '../core/index.js';
import { sql, type Warehouse } from '../warehouse/index.js';
import type { Reconciliation } from './compute-payouts.js';
import { parsePeriod } from './period.js';

export interface PayoutLine {
  line_no: number;
  partner_id: string;
  plan: string;
  line_kind: string;
  opportunity_id: string | null;
  revenue_id: string | null;
  revenue_kind: string | null;
  accrue_on: string | null;
  basis: string | null;
  /** The line's revenue in the accrual measure (whole line, before the partner's share). */
  revenue: string;
  /** The partner's share of the deal, 6 decimals (display; amounts use exact weights). */
  credit_share: string | null;
  /** The partner's part of `revenue`. */
  credited_revenue: string;
  /** Payout (negative for reversals). */
  amount: string;
  original_currency: string | null;
  rule: string;
}

export interface PartnerStatement {
  partner_id: string;
  name: string | null;
  plan: string;
  credited_revenue: string;
  accruals: string;
  reversals: string;
  bounties: string;
  mdf: string;
  total: string;
  lines: PayoutLine[];
}

export interface PayoutStatement {
  run_id: number;
  period: { label: string; start: string; end: string };
  base_currency: string;
  attribution_runs: Record<string, number>;
  reconciliation: Reconciliation;
  total: string;
  partners: PartnerStatement[];
}

const RUN = (period: string | null, runId: number | null) => sql`
select run_id::INTEGER as run_id, model as period, params::VARCHAR as params, summary::VARCHAR as summary
from meta.runs
where kind = 'payouts' and status = 'succeeded'
  and (${period}::VARCHAR is null or model = ${period}::VARCHAR)
  and (${runId}::INTEGER is null or run_id = ${runId}::INTEGER)
order by run_id desc
limit 1`;

const LINES = (runId: number, partnerId: string | null) => sql`
select l.line_no, l.partner_id, l.plan, l.line_kind, l.opportunity_id, l.revenue_id, l.revenue_kind, l.accrue_on, l.basis,
  l.revenue::VARCHAR as revenue, l.credit_share::VARCHAR as credit_share, l.credited_revenue::VARCHAR as credited_revenue,
  l.amount::VARCHAR as amount, l.original_currency, l.rule, p.name
from model.payout_lines l
left join core.partners p using (partner_id)
where l.run_id = ${runId} and (${partnerId}::VARCHAR is null or l.partner_id = ${partnerId}::VARCHAR)
order by l.line_no`;

const TOTALS = (runId: number, partnerId: string | null) => sql`
select partner_id,
  sum(credited_revenue) filter (where line_kind in ('accrual', 'reversal', 'not_clawed_back'))::DECIMAL(18,2)::VARCHAR as credited_revenue,
  coalesce(sum(amount) filter (where line_kind = 'accrual'), 0)::DECIMAL(18,2)::VARCHAR as accruals,
  coalesce(sum(amount) filter (where line_kind = 'reversal'), 0)::DECIMAL(18,2)::VARCHAR as reversals,
  coalesce(sum(amount) filter (where line_kind = 'bounty'), 0)::DECIMAL(18,2)::VARCHAR as bounties,
  coalesce(sum(amount) filter (where line_kind = 'mdf'), 0)::DECIMAL(18,2)::VARCHAR as mdf,
  sum(amount)::DECIMAL(18,2)::VARCHAR as total
from model.payout_lines
where run_id = ${runId} and (${partnerId}::VARCHAR is null or partner_id = ${partnerId}::VARCHAR)
group by partner_id
order by partner_id`;

type LineRow = PayoutLine & { name: string | null } & Record<string, unknown>;
type TotalRow = Omit<PartnerStatement, 'name' | 'plan' | 'lines'> & Record<string, unknown>;

/**
 * The stored statement of a period (latest payouts run for it) or of a run, optionally for one
 * partner. Throws NOT_FOUND when there is none, with how to make one.
 *
 * @example
 * const st = await getPayoutStatement(wh, { period: '2026-Q3', partnerId: 'P1' });
 * st.partners[0]?.lines.length
 */
export async function getPayoutStatement(
  wh: Warehouse,
  opts: { period?: string | undefined; runId?: number | undefined; partnerId?: string | undefined },
): Promise<PayoutStatement> {
  const label = opts.period !== undefined ? parsePeriod(opts.period).label : null;
  const run = await wh.find<{ run_id: number; period: string; params: string; summary: string }>(RUN(label, opts.runId ?? null));
  if (!run) {
    throw new JointlyError(
      'NOT_FOUND',
      opts.runId !== undefined ? `No successful payouts run ${opts.runId}.` : `No payout statement for ${label ?? 'any period'}. Run \`jointly payouts --period ${label ?? '2026-Q3'}\` first.`,
    );
  }
  const partnerId = opts.partnerId ?? null;
  if (partnerId !== null) {
    await wh.get(sql`select partner_id from core.partners where partner_id = ${partnerId}`, `No partner "${partnerId}" in the warehouse.`);
  }
  const params = JSON.parse(run.params) as { period: { label: string; start: string; end: string } };
  const summary = JSON.parse(run.summary) as { base_currency: string; attribution_runs: Record<string, number>; reconciliation: Reconciliation };
  const lines = await wh.all<LineRow>(LINES(run.run_id, partnerId));
  const totals = await wh.all<TotalRow>(TOTALS(run.run_id, partnerId));
  const byPartner = new Map<string, LineRow[]>();
  for (const l of lines) {
    const list = byPartner.get(l.partner_id);
    if (list) list.push(l);
    else byPartner.set(l.partner_id, [l]);
  }
  const partners = totals.map((t): PartnerStatement => {
    const ls = byPartner.get(t.partner_id) ?? [];
    return {
      partner_id: t.partner_id,
      name: ls[0]?.name ?? null,
      plan: ls[0]?.plan ?? '',
      credited_revenue: t.credited_revenue ?? '0.00',
      accruals: t.accruals,
      reversals: t.reversals,
      bounties: t.bounties,
      mdf: t.mdf,
      total: t.total,
      lines: ls.map(({ name: _name, ...l }) => ({ ...l, line_no: Number(l.line_no) })),
    };
  });
  const total = await wh.get<{ total: string }>(sql`
    select coalesce(sum(amount), 0)::DECIMAL(18,2)::VARCHAR as total from model.payout_lines
    where run_id = ${run.run_id} and (${partnerId}::VARCHAR is null or partner_id = ${partnerId}::VARCHAR)`, 'No total.');
  return {
    run_id: Number(run.run_id),
    period: params.period,
    base_currency: summary.base_currency,
    attribution_runs: summary.attribution_runs,
    reconciliation: summary.reconciliation,
    total: total.total,
    partners,
  };
}

/** The columns of the CSV export for the payments system, in order. */
export const PAYOUT_CSV_COLUMNS = [
  'run_id', 'period', 'line_no', 'partner_id', 'plan', 'line_kind', 'opportunity_id', 'revenue_id', 'revenue_kind', 'accrue_on',
  'basis', 'revenue', 'credit_share', 'credited_revenue', 'amount', 'currency', 'original_currency', 'rule',
] as const;

/**
 * The statement as CSV (RFC 4180, header row, amounts as decimals in the base currency).
 *
 * @example
 * writeFileSync('payouts.csv', payoutStatementCsv(st));
 */
export function payoutStatementCsv(st: PayoutStatement): string {
  const esc = (v: string | number | null): string => {
    const s = v === null ? '' : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const rows = st.partners.flatMap((p) =>
    p.lines.map((l) =>
      [st.run_id, st.period.label, l.line_no, l.partner_id, l.plan, l.line_kind, l.opportunity_id, l.revenue_id, l.revenue_kind, l.accrue_on,
        l.basis, l.revenue, l.credit_share, l.credited_revenue, l.amount, st.base_currency, l.original_currency, l.rule].map(esc).join(','),
    ),
  );
  return [PAYOUT_CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}
