/** Shared pieces: data loading hook, states, metric cards with definitions, tables, filters. */
import { createContext, useContext, useEffect, useId, useState, type ReactNode } from 'react';
import { ApiError, apiGet, type MetricDef, type ModelRun } from './api';
import { setFilter, type FilterKey } from './router';

type Params = Record<string, string | number | undefined | null>;

export type Load<T> =
  | { state: 'loading' }
  | { state: 'error'; error: ApiError }
  | { state: 'ok'; data: T };

/** Fetches `path` with `params`; refetches when either changes. */
export function useApi<T>(path: string | null, params: Params = {}): Load<T> {
  const key = path === null ? '' : path + JSON.stringify(params);
  const [load, setLoad] = useState<Load<T>>({ state: 'loading' });
  useEffect(() => {
    if (path === null) return undefined;
    let live = true;
    setLoad({ state: 'loading' });
    apiGet<T>(path, params)
      .then((data) => live && setLoad({ state: 'ok', data }))
      .catch((e: unknown) =>
        live && setLoad({ state: 'error', error: e instanceof ApiError ? e : new ApiError(0, 'NETWORK', String(e)) }),
      );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return load;
}

export function Loading({ what }: { what: string }) {
  return (
    <div className="state" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state empty" role="status">
      <strong>{title}</strong>
      {children ? <p>{children}</p> : null}
    </div>
  );
}

/** Renders a load: spinner, a clear error (404/NO_DATA as an empty state) or the content. */
export function Loaded<T>({ load, what, children }: { load: Load<T>; what: string; children: (data: T) => ReactNode }) {
  if (load.state === 'loading') return <Loading what={what} />;
  if (load.state === 'error') {
    const e = load.error;
    if (e.status === 404 && (e.code === 'NO_DATA' || e.code === 'NOT_FOUND')) {
      return <Empty title={`No ${what} yet`}>{/No route/.test(e.message) ? 'This part of jointly is not available yet on this server.' : e.message}</Empty>;
    }
    return (
      <div className="state error" role="alert">
        <strong>Could not load {what}.</strong> {e.message}
      </div>
    );
  }
  return <>{children(load.data)}</>;
}

// ---- metric dictionary: definitions on hover ----
export const MetricsContext = createContext<Map<string, MetricDef>>(new Map());

export function useMetricDefinition(name: string): string | undefined {
  const d = useContext(MetricsContext).get(name);
  return d ? `${d.description} Formula: ${d.formula}. Owner: ${d.owner}.` : undefined;
}

/** A headline number with its metric definition as the hover text and accessible description. */
export function Metric(props: { metric: string; label: string; value: string; sub?: string }) {
  const def = useMetricDefinition(props.metric) ?? `Metric "${props.metric}" (no definition in the metric dictionary yet).`;
  const id = useId();
  return (
    <div className="metric" title={def} tabIndex={0} aria-describedby={id} data-metric={props.metric}>
      <div className="metric-label">{props.label}</div>
      <div className="metric-value">{props.value}</div>
      {props.sub ? <div className="metric-sub">{props.sub}</div> : null}
      <div id={id} className="metric-def" role="tooltip">
        {def}
      </div>
    </div>
  );
}

export interface Column<R> {
  header: string;
  metric?: string;
  cell: (row: R) => ReactNode;
  numeric?: boolean;
}

export function DataTable<R>(props: { rows: R[]; columns: Column<R>[]; caption: string; rowKey: (r: R) => string }) {
  return (
    <div className="table-wrap">
      <table>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c.header} className={c.numeric ? 'num' : undefined} scope="col">
                <ColumnHeader column={c} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr key={props.rowKey(r)}>
              {props.columns.map((c) => (
                <td key={c.header} className={c.numeric ? 'num' : undefined} data-label={c.header}>
                  {c.cell(r)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ColumnHeader<R>({ column }: { column: Column<R> }) {
  const def = useMetricDefinition(column.metric ?? '');
  return <span title={def}>{column.header}</span>;
}

// ---- filters kept in the URL ----
const PARTNER_TYPES = ['reseller', 'referral', 'technology', 'alliance', 'affiliate', 'agency', 'marketplace', 'other'];

export function Filters(props: { search: URLSearchParams; models: ModelRun[]; show: FilterKey[] }) {
  const { search } = props;
  const field = (key: FilterKey) => search.get(key) ?? '';
  return (
    <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
      {props.show.includes('model') ? (
        <label>
          Model
          <select aria-label="Attribution model" value={field('model') || (props.models.find((m) => m.is_default) ?? props.models[0])?.model || ''} onChange={(e) => setFilter('model', e.target.value)}>
            {props.models.length === 0 ? <option value="">no model run yet</option> : null}
            {props.models.map((m) => (
              <option key={m.model} value={m.model}>
                {m.model.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {props.show.includes('from') ? (
        <label>
          From
          <input type="date" aria-label="Period start" value={field('from')} onChange={(e) => setFilter('from', e.target.value || null)} />
        </label>
      ) : null}
      {props.show.includes('to') ? (
        <label>
          To
          <input type="date" aria-label="Period end" value={field('to')} onChange={(e) => setFilter('to', e.target.value || null)} />
        </label>
      ) : null}
      {props.show.includes('partnerType') ? (
        <label>
          Partner type
          <select aria-label="Partner type" value={field('partnerType')} onChange={(e) => setFilter('partnerType', e.target.value || null)}>
            <option value="">all</option>
            {PARTNER_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {props.show.includes('program') ? (
        <label>
          Program
          <input type="search" aria-label="Program" placeholder="any" value={field('program')} onChange={(e) => setFilter('program', e.target.value || null)} />
        </label>
      ) : null}
    </form>
  );
}
