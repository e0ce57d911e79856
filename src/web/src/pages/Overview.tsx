/** Executive overview: headline numbers, trend by month or quarter, top partners. */
import { useMemo } from 'react';
import type { Overview as OverviewData } from '../api';
import { Chart, type Series } from '../chart';
import { DataTable, Loaded, Metric, useApi } from '../components';
import { fromCents, money, pct, quarterOf, toCents } from '../format';
import { Link, setFilter } from '../router';
import { reportColumns } from './columns';

export function trendSeries(data: OverviewData, grain: 'month' | 'quarter') {
  const buckets = new Map<string, { pipeline: bigint; revenue: bigint; partnerPipeline: bigint; partnerRevenue: bigint }>();
  for (const t of data.trend) {
    const k = grain === 'quarter' ? quarterOf(t.month) : t.month.slice(0, 7);
    const b = buckets.get(k) ?? { pipeline: 0n, revenue: 0n, partnerPipeline: 0n, partnerRevenue: 0n };
    b.pipeline += toCents(t.pipeline);
    b.revenue += toCents(t.revenue);
    b.partnerPipeline += toCents(t.attributed_pipeline_partner);
    b.partnerRevenue += toCents(t.attributed_revenue_partner);
    buckets.set(k, b);
  }
  const categories = [...buckets.keys()].sort();
  const val = (f: (b: { pipeline: bigint; revenue: bigint; partnerPipeline: bigint; partnerRevenue: bigint }) => bigint) =>
    categories.map((c) => Number(fromCents(f(buckets.get(c)!))));
  const series: Series[] = [
    { name: 'Pipeline', kind: 'bar', values: val((b) => b.pipeline) },
    { name: 'Partner-attributed pipeline', kind: 'bar', values: val((b) => b.partnerPipeline) },
    { name: 'Partner-attributed revenue', kind: 'line', values: val((b) => b.partnerRevenue) },
  ];
  return { categories, series };
}

function num(v: string | number | null | undefined): number | null {
  return v === null || v === undefined ? null : Number(v);
}

export function Headlines({ data }: { data: OverviewData }) {
  const t = data.totals;
  const s = (k: string) => (t[k] === null || t[k] === undefined ? null : String(t[k]));
  const incremental = s('incremental_revenue');
  return (
    <section className="metrics" aria-label="Headline metrics">
      <Metric metric="sourced_pipeline" label="Sourced pipeline" value={money(s('sourced_pipeline'))} />
      <Metric metric="influenced_pipeline" label="Influenced pipeline" value={money(s('influenced_pipeline'))} />
      <Metric metric="attributed_pipeline" label="Attributed pipeline" value={money(s('attributed_pipeline_partner'))} sub={`of ${money(s('pipeline'))} total`} />
      <Metric metric="sourced_revenue" label="Sourced revenue" value={money(s('sourced_revenue'))} />
      <Metric metric="influenced_revenue" label="Influenced revenue" value={money(s('influenced_revenue'))} />
      <Metric metric="attributed_revenue" label="Attributed revenue" value={money(s('attributed_revenue_partner'))} sub={`of ${money(s('revenue'))} total`} />
      <Metric
        metric="incremental_revenue"
        label="Incremental revenue"
        value={incremental === null ? 'no estimate yet' : money(incremental)}
        {...(s('incremental_revenue_low') !== null
          ? {
              sub: `${money(s('incremental_revenue_low'))} – ${money(s('incremental_revenue_high'))}: sum of ${String(t['incremental_partners'])} partner${t['incremental_partners'] === 1 ? "'s" : "s'"} 95% bounds (conservative)`,
            }
          : {})}
      />
      <Metric metric="new_customers" label="New customers from partners" value={t['new_customers_from_partners'] === undefined || t['new_customers_from_partners'] === null ? 'not available yet' : String(t['new_customers_from_partners'])} />
      <Metric metric="win_rate_with_partner" label="Partner-assisted win rate" value={pct(num(t['win_rate_with_partner']))} sub={`without partner ${pct(num(t['win_rate_without_partner']))}`} />
      <Metric metric="return_on_activity_cost" label="Return on partner spend" value={pct(num(t['return_on_partner_spend']))} sub={s('partner_spend') ? `spend ${money(s('partner_spend'))}` : undefined} />
    </section>
  );
}

export function Overview({ search }: { search: URLSearchParams }) {
  const params = { model: search.get('model'), from: search.get('from'), to: search.get('to'), partnerType: search.get('partnerType') };
  const load = useApi<OverviewData>('/overview', params);
  const grain = search.get('grain') === 'quarter' ? 'quarter' : 'month';
  return (
    <>
      <h1>Executive overview</h1>
      <Loaded load={load} what="overview">
        {(data) => <OverviewBody data={data} grain={grain} />}
      </Loaded>
    </>
  );
}

function OverviewBody({ data, grain }: { data: OverviewData; grain: 'month' | 'quarter' }) {
  const trend = useMemo(() => trendSeries(data, grain), [data, grain]);
  return (
    <>
      <p className="muted">
        Model <strong>{data.model.replace(/_/g, ' ')}</strong>, run {data.run_id}. Hover a number for its definition.
      </p>
      <Headlines data={data} />
      <section className="panel" aria-label="Trend">
        <div className="panel-head">
          <h2>Trend by {grain}</h2>
          <div role="group" aria-label="Trend grain" className="seg">
            <button type="button" aria-pressed={grain === 'month'} onClick={() => setFilter('grain', null)}>
              Month
            </button>
            <button type="button" aria-pressed={grain === 'quarter'} onClick={() => setFilter('grain', 'quarter')}>
              Quarter
            </button>
          </div>
        </div>
        {trend.categories.length ? <Chart categories={trend.categories} series={trend.series} label={`Pipeline and partner-attributed revenue by ${grain}`} /> : <p>No deals in this period.</p>}
      </section>
      <section className="panel" aria-label="Top partners">
        <h2>Top partners</h2>
        <DataTable
          caption="Top partners by attributed revenue"
          rows={data.top_partners}
          rowKey={(r) => r.key}
          columns={[
            { header: 'Partner', cell: (r) => <Link to={`/partners/${encodeURIComponent(r.partner_id ?? r.key)}`}>{r.name}</Link> },
            ...reportColumns,
          ]}
        />
      </section>
    </>
  );
}
