/**
 * One partner: headline numbers, breakdown by activity type, program, activity or period, the
 * deals behind the numbers (each links to its narrative) and a side-by-side model comparison.
 * The partner portal shows the same page for the signed-in partner only.
 */
import { useState } from 'react';
import type { Comparison, Deal, ModelRun, Overview, Page, ReportRow } from '../api';
import { DataTable, Loaded, useApi } from '../components';
import { money, moneyExact } from '../format';
import { Link } from '../router';
import { costColumns, reportColumns } from './columns';
import { Headlines } from './Overview';

const BREAKDOWNS = [
  { by: 'activity_type', label: 'Activity type' },
  { by: 'program', label: 'Program' },
  { by: 'activity', label: 'Activity' },
  { by: 'quarter', label: 'Quarter' },
  { by: 'month', label: 'Month' },
] as const;

export function Partner({ partnerId, search, models, portal }: { partnerId: string; search: URLSearchParams; models: ModelRun[]; portal: boolean }) {
  const base = { model: search.get('model'), from: search.get('from'), to: search.get('to'), partnerId };
  const partner = useApi<{ name: string; partner_type: string; tier: string | null; region: string | null }>(`/partners/${encodeURIComponent(partnerId)}`);
  const overview = useApi<Overview>('/overview', base);
  const [by, setBy] = useState<(typeof BREAKDOWNS)[number]['by']>('activity_type');
  const breakdown = useApi<Page<ReportRow>>('/attribution', { ...base, by, limit: 200 });
  const [dealPage, setDealPage] = useState(0);
  const deals = useApi<Page<Deal>>('/deals', { ...base, limit: 25, offset: dealPage * 25 });
  const compareModels = models.slice(0, 6).map((m) => m.model).join(',');
  const comparison = useApi<Comparison>(compareModels ? '/compare' : null, { models: compareModels, by: 'partner', from: base.from, to: base.to, partnerId });
  return (
    <>
      <Loaded load={partner} what="partner">
        {(p) => (
          <header className="page-head">
            <h1>{portal ? `Welcome, ${p.name}` : p.name}</h1>
            <p className="muted">
              {p.partner_type}
              {p.tier ? ` · ${p.tier}` : ''}
              {p.region ? ` · ${p.region}` : ''}
            </p>
          </header>
        )}
      </Loaded>
      <Loaded load={overview} what="partner summary">
        {(o) => <Headlines data={o} />}
      </Loaded>
      <section className="panel" aria-label="Breakdown">
        <div className="panel-head">
          <h2>Breakdown</h2>
          <div role="tablist" aria-label="Break down by" className="seg">
            {BREAKDOWNS.map((b) => (
              <button key={b.by} type="button" role="tab" aria-selected={by === b.by} onClick={() => setBy(b.by)}>
                {b.label}
              </button>
            ))}
          </div>
        </div>
        <Loaded load={breakdown} what="breakdown">
          {(pg) => (
            <DataTable caption={`Attribution by ${by.replace('_', ' ')}`} rows={pg.items} rowKey={(r) => r.key} columns={[{ header: 'Group', cell: (r) => r.name || r.key }, ...reportColumns, ...(by === 'activity' || by === 'activity_type' || by === 'program' ? costColumns : [])]} />
          )}
        </Loaded>
      </section>
      <section className="panel" aria-label="Deals">
        <h2>Deals behind the numbers</h2>
        <Loaded load={deals} what="deals">
          {(pg) =>
            pg.items.length === 0 ? (
              <p>No deals with this partner in the period.</p>
            ) : (
              <>
                <DataTable
                  caption={`${pg.total} deals; open one for its plain-language narrative`}
                  rows={pg.items}
                  rowKey={(d) => d.opportunity_id}
                  columns={[
                    { header: 'Deal', cell: (d) => <Link to={`/deals/${encodeURIComponent(d.opportunity_id)}`} aria-label={`Narrative of ${d.name ?? d.opportunity_id}`}>{d.name ?? d.opportunity_id}</Link> },
                    { header: 'Account', cell: (d) => d.account_name ?? '—' },
                    { header: 'Created', cell: (d) => d.created_date },
                    { header: 'Stage', cell: (d) => d.stage },
                    { header: 'Sourced', cell: (d) => (d.is_sourced ? 'yes' : 'no') },
                    { header: 'Amount', numeric: true, cell: (d) => moneyExact(d.amount) },
                    { header: 'Partner credit', metric: 'attributed_pipeline', numeric: true, cell: (d) => moneyExact(d.partner_credit) },
                  ]}
                />
                <nav className="pager" aria-label="Deal pages">
                  <button type="button" disabled={dealPage === 0} onClick={() => setDealPage(dealPage - 1)}>
                    Previous
                  </button>
                  <span>
                    {pg.offset + 1}–{pg.offset + pg.items.length} of {pg.total}
                  </span>
                  <button type="button" disabled={pg.offset + pg.items.length >= pg.total} onClick={() => setDealPage(dealPage + 1)}>
                    Next
                  </button>
                </nav>
              </>
            )
          }
        </Loaded>
      </section>
      {compareModels ? (
        <section className="panel" aria-label="Model comparison">
          <h2>Model comparison</h2>
          <Loaded load={comparison} what="model comparison">
            {(c) => (
              <DataTable
                caption="Attributed pipeline and revenue under each model"
                rows={c.models.map((m) => ({ model: m, v: c.rows[0]?.values[m] }))}
                rowKey={(r) => r.model}
                columns={[
                  { header: 'Model', cell: (r) => r.model.replace(/_/g, ' ') },
                  { header: 'Attributed pipeline', metric: 'attributed_pipeline', numeric: true, cell: (r) => money(r.v?.attributed_pipeline ?? null) },
                  { header: 'Attributed revenue', metric: 'attributed_revenue', numeric: true, cell: (r) => money(r.v?.attributed_revenue ?? null) },
                ]}
              />
            )}
          </Loaded>
        </section>
      ) : null}
    </>
  );
}
