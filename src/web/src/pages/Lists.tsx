/** Partners, activities and the data-quality page. */
import { useState } from 'react';
import type { Page, ReportRow } from '../api';
import { downloadCsv } from '../api';
import { DataTable, Loaded, useApi } from '../components';
import { count, money, pct } from '../format';
import { Link } from '../router';
import { reportColumns } from './columns';

function params(search: URLSearchParams) {
  return { model: search.get('model'), from: search.get('from'), to: search.get('to'), partnerType: search.get('partnerType'), program: search.get('program') };
}

const PAGE = 100;

function Pager({ pg, onPage }: { pg: Page<unknown>; onPage: (offset: number) => void }) {
  if (pg.total <= pg.limit) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" disabled={pg.offset === 0} onClick={() => onPage(Math.max(0, pg.offset - pg.limit))}>
        Previous
      </button>
      <span>
        {pg.offset + 1}–{pg.offset + pg.items.length} of {pg.total}
      </span>
      <button type="button" disabled={pg.offset + pg.items.length >= pg.total} onClick={() => onPage(pg.offset + pg.limit)}>
        Next
      </button>
    </nav>
  );
}

export function Partners({ search }: { search: URLSearchParams }) {
  const [offset, setOffset] = useState(0);
  const p = { ...params(search), by: 'partner', limit: PAGE, offset };
  const load = useApi<Page<ReportRow>>('/attribution', p);
  return (
    <>
      <div className="page-head row">
        <h1>Partners</h1>
        <button type="button" onClick={() => void downloadCsv('/attribution', { ...p, offset: 0 }, 'partners.csv')}>
          Export CSV
        </button>
      </div>
      <Loaded load={load} what="partners">
        {(pg) => (
          <>
            <DataTable
              caption={`${pg.total} partners`}
              rows={pg.items}
              rowKey={(r) => r.key}
              columns={[{ header: 'Partner', cell: (r) => <Link to={`/partners/${encodeURIComponent(r.partner_id ?? r.key)}`}>{r.name}</Link> }, ...reportColumns]}
            />
            <Pager pg={pg} onPage={setOffset} />
          </>
        )}
      </Loaded>
    </>
  );
}

export function Activities({ search }: { search: URLSearchParams }) {
  const [offset, setOffset] = useState(0);
  const p = { ...params(search), by: 'activity', limit: PAGE, offset };
  const load = useApi<Page<ReportRow>>('/attribution', p);
  return (
    <>
      <div className="page-head row">
        <h1>Activities</h1>
        <button type="button" onClick={() => void downloadCsv('/attribution', { ...p, offset: 0 }, 'activities.csv')}>
          Export CSV
        </button>
      </div>
      <Loaded load={load} what="activities">
        {(pg) =>
          pg.items.length === 0 ? (
            <p>No activities in this period.</p>
          ) : (
            <>
            <DataTable
              caption={`${pg.total} joint activities with their cost, pipeline, revenue and return`}
              rows={pg.items}
              rowKey={(r) => r.key}
              columns={[
                { header: 'Activity', cell: (r) => r.name || r.key },
                { header: 'Cost', metric: 'activity_cost', numeric: true, cell: (r) => money(r.activity_cost ?? null) },
                { header: 'Attributed pipeline', metric: 'attributed_pipeline', numeric: true, cell: (r) => money(r.attributed_pipeline) },
                { header: 'Attributed revenue', metric: 'attributed_revenue', numeric: true, cell: (r) => money(r.attributed_revenue) },
                { header: 'Deals touched', metric: 'opportunities_influenced', numeric: true, cell: (r) => count(r.opportunities_influenced) },
                { header: 'Win rate', metric: 'win_rate_with_partner', numeric: true, cell: (r) => pct(r.win_rate_with_partner) },
                { header: 'Return', metric: 'return_on_activity_cost', numeric: true, cell: (r) => pct(r.return_on_activity_cost ?? null) },
              ]}
            />
            <Pager pg={pg} onPage={setOffset} />
            </>
          )
        }
      </Loaded>
    </>
  );
}

interface Batch {
  batch_id: number;
  started_at: string;
  status: string;
  files: number;
  rows_in: number;
  loaded: number;
  updated: number;
  duplicates: number;
  quarantined: number;
}
interface QuarantineRow {
  batch_id: number;
  file: string;
  line: number | null;
  column_name: string | null;
  reason_code: string;
  reason: string;
}

interface Quality {
  report_status: { report: string; is_current: boolean; reason: string | null; updated_at: string }[];
  latest_run: { check_run_id: number; started_at: string; n_pass: number; n_warn: number; n_fail: number; n_skip: number } | null;
  checks: { check_id: string; kind: string; table_name: string | null; status: string; severity: string; message: string }[];
}

export function DataQuality() {
  const batches = useApi<Page<Batch>>('/batches', { limit: 20 });
  const quarantine = useApi<Page<QuarantineRow>>('/quarantine', { limit: 50 });
  const quality = useApi<Quality>('/data-quality');
  return (
    <>
      <h1>Data quality</h1>
      <section className="panel" aria-label="Checks">
        <h2>Checks and report status</h2>
        <Loaded load={quality} what="data quality checks">
          {(q) =>
            q.latest_run === null ? (
              <p>No data quality check has run yet (run `jointly check`).</p>
            ) : (
              <>
                <p className="muted">
                  Check run {q.latest_run.check_run_id} at {q.latest_run.started_at.replace('T', ' ').slice(0, 16)}: {q.latest_run.n_pass} passed, {q.latest_run.n_warn} warnings, {q.latest_run.n_fail} failed.
                </p>
                {q.report_status.map((r) => (
                  <p key={r.report} className={r.is_current ? undefined : 'error-text'}>
                    Report <strong>{r.report}</strong>: {r.is_current ? 'current' : `not current — ${r.reason ?? ''}`}
                  </p>
                ))}
                <DataTable
                  caption="Latest check results, failures first"
                  rows={q.checks}
                  rowKey={(c) => c.check_id}
                  columns={[
                    { header: 'Check', cell: (c) => c.check_id },
                    { header: 'Status', cell: (c) => c.status },
                    { header: 'Severity', cell: (c) => c.severity },
                    { header: 'Table', cell: (c) => c.table_name ?? '—' },
                    { header: 'Message', cell: (c) => c.message },
                  ]}
                />
              </>
            )
          }
        </Loaded>
      </section>
      <section className="panel" aria-label="Load batches">
        <h2>Load batches</h2>
        <Loaded load={batches} what="load batches">
          {(pg) => (
            <DataTable
              caption="Rows in = loaded + updated + duplicates + quarantined"
              rows={pg.items}
              rowKey={(b) => String(b.batch_id)}
              columns={[
                { header: 'Batch', cell: (b) => b.batch_id },
                { header: 'Started', cell: (b) => b.started_at.slice(0, 16).replace('T', ' ') },
                { header: 'Status', cell: (b) => b.status },
                { header: 'Files', numeric: true, cell: (b) => count(b.files) },
                { header: 'Rows in', numeric: true, cell: (b) => count(b.rows_in) },
                { header: 'Loaded', numeric: true, cell: (b) => count(b.loaded) },
                { header: 'Updated', numeric: true, cell: (b) => count(b.updated) },
                { header: 'Duplicates', numeric: true, cell: (b) => count(b.duplicates) },
                { header: 'Quarantined', numeric: true, cell: (b) => count(b.quarantined) },
              ]}
            />
          )}
        </Loaded>
      </section>
      <section className="panel" aria-label="Quarantined rows">
        <h2>Quarantined rows</h2>
        <Loaded load={quarantine} what="quarantined rows">
          {(pg) =>
            pg.items.length === 0 ? (
              <p>Nothing quarantined.</p>
            ) : (
              <DataTable
                caption={`${pg.total} rows set aside by ingest`}
                rows={pg.items}
                rowKey={(q) => `${q.batch_id}-${q.file}-${q.line ?? ''}-${q.column_name ?? ''}-${q.reason_code}`}
                columns={[
                  { header: 'File', cell: (q) => q.file },
                  { header: 'Line', numeric: true, cell: (q) => q.line ?? '—' },
                  { header: 'Column', cell: (q) => q.column_name ?? '—' },
                  { header: 'Reason', cell: (q) => q.reason },
                ]}
              />
            )
          }
        </Loaded>
      </section>
    </>
  );
}

/** A page whose module has not landed on this server: asks the API and shows what comes back. */
export function ModulePage({ title, path, params: p, describe }: { title: string; path: string; params: Record<string, string | null>; describe: string }) {
  const load = useApi<unknown>(path, p);
  return (
    <>
      <h1>{title}</h1>
      <p className="muted">{describe}</p>
      <Loaded load={load} what={title.toLowerCase()}>
        {(data) => <GenericData data={data} />}
      </Loaded>
    </>
  );
}

function GenericData({ data }: { data: unknown }) {
  const rows = (typeof data === 'object' && data !== null && 'items' in data && Array.isArray(data.items) ? data.items : Array.isArray(data) ? data : [data]) as Record<string, unknown>[];
  if (rows.length === 0) return <p>Nothing to show yet.</p>;
  const cols = Object.keys(rows[0] ?? {}).slice(0, 10);
  return (
    <DataTable
      caption={`${rows.length} rows`}
      rows={rows.map((r, i) => ({ r, i }))}
      rowKey={(x) => String(x.i)}
      columns={cols.map((c) => ({ header: c.replace(/_/g, ' '), cell: (x: { r: Record<string, unknown> }) => fmt(x.r[c]) }))}
    />
  );
}

function fmt(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
