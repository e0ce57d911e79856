/** Incrementality, customers and cohorts, and payout statements. */
import { DataTable, Loaded, Metric, useApi } from '../components';
import { count, money, moneyExact, pct, ratio } from '../format';

interface IncRow {
  unit_kind: string;
  unit_id: string;
  metric: string;
  engaged_accounts: number;
  attributed: string | null;
  incremental: string | null;
  ci_low: string | null;
  ci_high: string | null;
  incrementality_factor: number | null;
  method: string;
  note: string | null;
}

export function Incrementality({ partnerId }: { partnerId: string | null }) {
  const load = useApi<{ run_id: number; items: IncRow[]; total: number }>('/incrementality', { partnerId, limit: 1000 });
  return (
    <>
      <h1>Incrementality</h1>
      <p className="muted">What would not have happened without the partner: incremental outcomes with 95% intervals, next to what attribution credits.</p>
      <Loaded load={load} what="incrementality results">
        {(r) => (
          <DataTable
            caption={`Run ${r.run_id}: ${r.total} rows`}
            rows={r.items}
            rowKey={(x) => `${x.unit_kind}-${x.unit_id}-${x.metric}`}
            columns={[
              { header: 'Unit', cell: (x) => `${x.unit_kind} ${x.unit_id}` },
              { header: 'Metric', cell: (x) => x.metric },
              { header: 'Engaged accounts', numeric: true, cell: (x) => count(x.engaged_accounts) },
              { header: 'Attributed', metric: 'attributed_revenue', numeric: true, cell: (x) => money(x.attributed) },
              { header: 'Incremental', metric: 'incremental_revenue', numeric: true, cell: (x) => money(x.incremental) },
              { header: '95% interval', numeric: true, cell: (x) => (x.ci_low === null ? '—' : `${money(x.ci_low)} – ${money(x.ci_high)}`) },
              { header: 'Incremental ÷ attributed', metric: 'incrementality_factor', numeric: true, cell: (x) => ratio(x.incrementality_factor) },
              { header: 'Method', cell: (x) => x.note ? `${x.method} (${x.note})` : x.method },
            ]}
          />
        )}
      </Loaded>
    </>
  );
}

interface Customers {
  total: number | null;
  partner_total: number | null;
  direct_total: number | null;
  method: string;
  groups: { key: string; source_kind: string; customers: number; first_deal_amount: string }[];
}
interface Cohorts {
  cohorts: { cohort: string; segment: string; customers: number; logo_retention_12m: number | null; nrr_12m: number | null; revenue_q0: string }[];
  segments: { segment: string; customers: number; ltv: string | null; discounted_expected_lifetime: number | null; note: string | null }[];
}

export function CustomersPage({ search, partnerId }: { search: URLSearchParams; partnerId: string | null }) {
  const customers = useApi<Customers>('/customers', { from: search.get('from'), to: search.get('to'), partnerId });
  const cohorts = useApi<Cohorts>('/cohorts', { partnerId });
  return (
    <>
      <h1>Customers and cohorts</h1>
      <Loaded load={customers} what="new customers">
        {(c) => (
          <>
            {c.total !== null ? (
              <section className="metrics" aria-label="New customers">
                <Metric metric="new_customers" label="New customers" value={count(c.total)} />
                <Metric metric="new_customers" label="From partners" value={count(c.partner_total)} sub={c.total ? pct((c.partner_total ?? 0) / c.total) : undefined} />
                <Metric metric="new_customers_direct" label="Direct" value={count(c.direct_total)} />
              </section>
            ) : null}
            <section className="panel" aria-label="New customers by source">
              <h2>New customers by source</h2>
              <p className="muted">{c.method}</p>
              <DataTable
                caption="Each customer counted once, by acquisition source"
                rows={c.groups}
                rowKey={(g) => `${g.source_kind}-${g.key}`}
                columns={[
                  { header: 'Source', cell: (g) => g.key },
                  { header: 'Kind', cell: (g) => g.source_kind },
                  { header: 'Customers', numeric: true, cell: (g) => count(g.customers) },
                  { header: 'First deals', numeric: true, cell: (g) => moneyExact(g.first_deal_amount) },
                ]}
              />
            </section>
          </>
        )}
      </Loaded>
      <section className="panel" aria-label="Cohorts">
        <h2>Cohorts</h2>
        <Loaded load={cohorts} what="cohorts">
          {(c) => (
            <>
              <DataTable
                caption="Retention and net revenue retention after 12 months, by acquisition cohort"
                rows={c.cohorts}
                rowKey={(x) => `${x.cohort}-${x.segment}`}
                columns={[
                  { header: 'Cohort', cell: (x) => x.cohort },
                  { header: 'Segment', cell: (x) => x.segment },
                  { header: 'Customers', numeric: true, cell: (x) => count(x.customers) },
                  { header: 'Logo retention 12m', metric: 'retention_rate', numeric: true, cell: (x) => pct(x.logo_retention_12m) },
                  { header: 'NRR 12m', metric: 'nrr_12m', numeric: true, cell: (x) => pct(x.nrr_12m) },
                  { header: 'First-quarter revenue', numeric: true, cell: (x) => money(x.revenue_q0) },
                ]}
              />
              <DataTable
                caption="Lifetime value by segment"
                rows={c.segments}
                rowKey={(x) => x.segment}
                columns={[
                  { header: 'Segment', cell: (x) => x.segment },
                  { header: 'Customers', numeric: true, cell: (x) => count(x.customers) },
                  { header: 'LTV', metric: 'customer_lifetime_value', numeric: true, cell: (x) => money(x.ltv) },
                  { header: 'Note', cell: (x) => x.note ?? '' },
                ]}
              />
            </>
          )}
        </Loaded>
      </section>
    </>
  );
}

interface Statement {
  run_id: number;
  period: { label: string };
  total: string;
  partners: { partner_id: string; name: string | null; plan: string; accruals: string; reversals: string; bounties: string; mdf: string; total: string; lines: { line_no: number; line_kind: string; opportunity_id: string | null; credited_revenue: string; amount: string; rule: string }[] }[];
}

export function Payouts({ partnerId, portal }: { partnerId: string | null; portal: boolean }) {
  const load = useApi<Statement>('/payouts', { partnerId });
  return (
    <>
      <h1>{portal ? 'Statements' : 'Payouts'}</h1>
      <Loaded load={load} what="payout statement">
        {(st) => (
          <>
            <p className="muted">
              Period {st.period.label} · total {moneyExact(st.total)}
            </p>
            {st.partners.map((p) => (
              <section key={p.partner_id} className="panel" aria-label={`Statement of ${p.name ?? p.partner_id}`}>
                <h2>
                  {p.name ?? p.partner_id} — {moneyExact(p.total)} <span className="muted">({p.plan})</span>
                </h2>
                <DataTable
                  caption="Statement lines"
                  rows={p.lines}
                  rowKey={(l) => String(l.line_no)}
                  columns={[
                    { header: '#', cell: (l) => l.line_no },
                    { header: 'Kind', cell: (l) => l.line_kind },
                    { header: 'Deal', cell: (l) => l.opportunity_id ?? '—' },
                    { header: 'Credited revenue', numeric: true, cell: (l) => moneyExact(l.credited_revenue) },
                    { header: 'Amount', numeric: true, cell: (l) => moneyExact(l.amount) },
                    { header: 'Rule', cell: (l) => l.rule },
                  ]}
                />
              </section>
            ))}
          </>
        )}
      </Loaded>
    </>
  );
}
