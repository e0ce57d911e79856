/**
 * The dashboard shell: sign-in with a token, navigation by role, filters in the URL, and the
 * page for the current path. A partner token gets the portal: its own partner page and deal
 * narratives; any other partner's page answers "not allowed" from the API itself.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, apiGet, getToken, setToken, type Me, type MetricDef, type ModelRun, type Page } from './api';
import { Empty, Filters, Loading, MetricsContext } from './components';
import { Link, navigate, useLocation, type FilterKey } from './router';
import { Overview } from './pages/Overview';
import { Partner } from './pages/Partner';
import { Deal } from './pages/Deal';
import { Activities, DataQuality, Partners } from './pages/Lists';
import { CustomersPage, Incrementality, Payouts } from './pages/Outcomes';
import { Engagement } from './pages/Engagement';

function SignIn({ onSignedIn, reason }: { onSignedIn: (me: Me) => void; reason?: string }) {
  const [token, setTokenText] = useState('');
  const [error, setError] = useState<string | null>(reason ?? null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await apiGet<Me>('/me', {}, token.trim());
      setToken(token.trim());
      onSignedIn(me);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not reach the server.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin">
      <form onSubmit={(e) => void submit(e)} aria-label="Sign in">
        <h1>jointly</h1>
        <p className="muted">Partnership measurement. Sign in with the API token you were given.</p>
        <label htmlFor="token">API token</label>
        <input id="token" name="token" type="password" autoComplete="off" value={token} onChange={(e) => setTokenText(e.target.value)} required />
        <button type="submit" disabled={busy || !token.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error ? (
          <p role="alert" className="error-text">
            {error}
          </p>
        ) : null}
      </form>
    </main>
  );
}

const STAFF_NAV = [
  ['/', 'Overview'],
  ['/partners', 'Partners'],
  ['/activities', 'Activities'],
  ['/incrementality', 'Incrementality'],
  ['/customers', 'Customers'],
  ['/engagement', 'Engagement'],
  ['/payouts', 'Payouts'],
  ['/quality', 'Data quality'],
] as const;

const PORTAL_NAV = [
  ['/', 'My partnership'],
  ['/customers', 'Customers'],
  ['/engagement', 'Engagement'],
  ['/payouts', 'Statements'],
] as const;

interface ReportStatus {
  report: string;
  is_current: boolean;
  reason: string | null;
  updated_at: string;
}

/** The governance reports (config/quality.yaml `reports`) a page shows. */
function reportsOfPage(path: string): string[] {
  if (path === '/' || path === '/partners' || path === '/activities' || path.startsWith('/deals/')) return ['attribution', 'partner_summary'];
  if (path.startsWith('/partners/')) return ['attribution', 'partner_summary'];
  if (path === '/incrementality') return ['incrementality'];
  if (path === '/customers') return ['customers'];
  if (path === '/engagement') return ['engagement'];
  if (path === '/payouts') return ['payouts'];
  return [];
}

/** A failing data quality check marks reports not current: say so above the numbers. */
function StaleNotice({ stale }: { stale: ReportStatus[] }) {
  if (stale.length === 0) return null;
  return (
    <div className="notice" role="status" aria-label="Not current">
      <strong>Not current:</strong> {stale.map((r) => r.report.replace(/_/g, ' ')).join(', ')}{' '}
      {stale.length === 1 ? 'is' : 'are'} not current since a data quality check failed
      {stale.some((r) => r.reason) ? ` (${stale.flatMap((r) => (r.reason ? [r.reason] : [])).join('; ')})` : ''}. The figures below
      may be out of date until the data is fixed and checked again.
    </div>
  );
}

export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [reason, setReason] = useState<string | undefined>();
  const [models, setModels] = useState<ModelRun[]>([]);
  const [metrics, setMetrics] = useState<Map<string, MetricDef>>(new Map());
  const [navOpen, setNavOpen] = useState(false);
  const [stale, setStale] = useState<ReportStatus[]>([]);
  const { path, search } = useLocation();

  useEffect(() => {
    if (!getToken()) {
      setMe(null);
      return;
    }
    apiGet<Me>('/me')
      .then(setMe)
      .catch((e: unknown) => {
        setToken(null);
        setReason(e instanceof ApiError ? e.message : undefined);
        setMe(null);
      });
  }, []);

  useEffect(() => {
    if (!me) return;
    apiGet<Page<ModelRun>>('/models')
      .then((p) => setModels(p.items))
      .catch(() => setModels([]));
    apiGet<{ items: ReportStatus[] }>('/report-status')
      .then((r) => setStale(r.items.filter((x) => !x.is_current)))
      .catch(() => setStale([]));
    apiGet<Page<MetricDef>>('/metrics', { limit: 1000 })
      .then((p) => setMetrics(new Map(p.items.map((m) => [m.name, m]))))
      .catch(() => setMetrics(new Map()));
  }, [me]);

  useEffect(() => setNavOpen(false), [path]);

  if (me === undefined) return <Loading what="session" />;
  if (me === null) return <SignIn reason={reason} onSignedIn={(m) => { setMe(m); navigate('/' + (window.location.search ?? '')); }} />;

  const portal = me.role === 'partner';
  const nav = portal ? PORTAL_NAV : STAFF_NAV;
  const signOut = () => {
    setToken(null);
    setMe(null);
    navigate('/', true);
  };
  const filterKeys: FilterKey[] = portal ? ['model', 'from', 'to'] : ['model', 'from', 'to', 'partnerType', 'program'];

  let page;
  const partnerMatch = /^\/partners\/([^/]+)$/.exec(path);
  const dealMatch = /^\/deals\/([^/]+)$/.exec(path);
  if (path === '/' && portal && me.partnerId) page = <Partner partnerId={me.partnerId} search={search} models={models} portal />;
  else if (path === '/') page = <Overview search={search} />;
  else if (partnerMatch?.[1]) page = <Partner partnerId={decodeURIComponent(partnerMatch[1])} search={search} models={models} portal={portal} />;
  else if (dealMatch?.[1]) page = <Deal opportunityId={decodeURIComponent(dealMatch[1])} search={search} />;
  else if (path === '/partners') page = <Partners search={search} />;
  else if (path === '/activities') page = <Activities search={search} />;
  else if (path === '/quality') page = <DataQuality />;
  else if (path === '/incrementality') page = <Incrementality partnerId={portal ? me.partnerId : null} />;
  else if (path === '/customers') page = <CustomersPage search={search} partnerId={portal ? me.partnerId : null} />;
  else if (path === '/engagement') page = <Engagement partnerId={portal ? me.partnerId : null} />;
  else if (path === '/payouts') page = <Payouts partnerId={portal ? me.partnerId : null} portal={portal} />;
  else page = <Empty title="Page not found">There is no page at {path}.</Empty>;

  return (
    <MetricsContext.Provider value={metrics}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to="/" className="brand" aria-label="jointly home">
          jointly
        </Link>
        <button type="button" className="nav-toggle" aria-expanded={navOpen} aria-controls="nav" onClick={() => setNavOpen(!navOpen)}>
          Menu
        </button>
        <nav id="nav" aria-label="Main" className={navOpen ? 'open' : undefined}>
          {nav.map(([to, label]) => (
            <Link key={to} to={to} className={path === to ? 'active' : undefined}>
              {label}
            </Link>
          ))}
        </nav>
        <div className="who">
          <span>
            {me.name} <span className="muted">({me.role.replace('_', ' ')})</span>
          </span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <Filters search={search} models={models} show={filterKeys} />
      <main id="main">
        <StaleNotice stale={stale.filter((r) => reportsOfPage(path).includes(r.report))} />
        {page}
      </main>
    </MetricsContext.Provider>
  );
}
