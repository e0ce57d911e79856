/** Engagement quality by partner, activity type or activity, and alerts on unusual engagement. */
import { useState } from 'react';
import { DataTable, Loaded, useApi } from '../components';
import { count, pct } from '../format';

interface ScoreRow {
  key: string;
  engagement_score?: number | null;
  content_depth?: number | null;
  attendance?: number | null;
  co_creation?: number | null;
  onboarding?: number | null;
  adoption?: number | null;
  recurring_usage?: number | null;
  engagement_touches?: number;
  accounts?: number;
}
interface AlertRow {
  partner_id: string;
  activity_type: string | null;
  month: string;
  metric: string;
  direction: 'drop' | 'spike';
  value: number;
  expected: number;
  expected_low: number;
  expected_high: number;
  accounts: string[];
  missing_accounts: string[];
}

const GROUPINGS = [
  ['partner', 'Partner'],
  ['activity_type', 'Activity type'],
  ['activity', 'Activity'],
] as const;

const score = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(1));
const num = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

export function Engagement({ partnerId }: { partnerId: string | null }) {
  const [by, setBy] = useState<(typeof GROUPINGS)[number][0]>('partner');
  const scores = useApi<{ run_id: number; model: string; items: ScoreRow[]; total: number }>('/engagement', { by, partnerId, limit: 1000 });
  const alerts = useApi<{ run_id: number; items: AlertRow[]; total: number }>('/alerts', { partnerId, limit: 1000 });
  return (
    <>
      <h1>Engagement and alerts</h1>
      <p className="muted">Engagement quality (0–100) built from content depth, attendance, co-created assets, onboarding, adoption and recurring usage; alerts flag months far from a partner's own seasonal pattern.</p>
      <section className="panel" aria-label="Engagement quality">
        <div className="panel-head">
          <h2>Engagement quality</h2>
          <div role="tablist" aria-label="Engagement grouping" className="seg">
            {GROUPINGS.map(([k, label]) => (
              <button key={k} type="button" role="tab" aria-selected={by === k} onClick={() => setBy(k)}>
                {label}
              </button>
            ))}
          </div>
        </div>
        <Loaded load={scores} what="engagement scores">
          {(r) => (
            <DataTable
              caption={`Engagement quality by ${by.replace('_', ' ')} (run ${r.run_id}, model ${r.model.replace(/_/g, ' ')})`}
              rows={r.items}
              rowKey={(x) => x.key}
              columns={[
                { header: GROUPINGS.find(([k]) => k === by)?.[1] ?? by, cell: (x) => x.key },
                { header: 'Score', metric: 'engagement_score', numeric: true, cell: (x) => score(x.engagement_score) },
                { header: 'Content depth', numeric: true, cell: (x) => pct(x.content_depth) },
                { header: 'Attendance', numeric: true, cell: (x) => pct(x.attendance) },
                { header: 'Co-creation', numeric: true, cell: (x) => pct(x.co_creation) },
                { header: 'Onboarding', numeric: true, cell: (x) => pct(x.onboarding) },
                { header: 'Adoption', numeric: true, cell: (x) => pct(x.adoption) },
                { header: 'Recurring usage', numeric: true, cell: (x) => pct(x.recurring_usage) },
                { header: 'Touches', metric: 'engagement_touches', numeric: true, cell: (x) => (x.engagement_touches === undefined ? '—' : num(x.engagement_touches)) },
                { header: 'Accounts', numeric: true, cell: (x) => count(x.accounts) },
              ]}
            />
          )}
        </Loaded>
      </section>
      <section className="panel" aria-label="Alerts">
        <h2>Alerts</h2>
        <Loaded load={alerts} what="alerts">
          {(r) =>
            r.items.length === 0 ? (
              <p>No unusual engagement in the latest run.</p>
            ) : (
              <DataTable
                caption={`${r.total} alerts, strongest first`}
                rows={r.items}
                rowKey={(x) => `${x.partner_id}-${x.activity_type ?? ''}-${x.month}`}
                columns={[
                  { header: 'Partner', cell: (x) => x.partner_id },
                  { header: 'Activity type', cell: (x) => x.activity_type ?? 'all' },
                  { header: 'Month', cell: (x) => x.month },
                  { header: 'Change', cell: (x) => x.direction },
                  { header: 'Touches', metric: 'engagement_touches', numeric: true, cell: (x) => num(x.value) },
                  { header: 'Expected range', numeric: true, cell: (x) => `${num(x.expected_low)} – ${num(x.expected_high)} (≈${num(x.expected)})` },
                  {
                    header: 'Accounts',
                    cell: (x) =>
                      x.direction === 'drop' && x.missing_accounts.length
                        ? `quiet now: ${x.missing_accounts.join(', ')}`
                        : x.accounts.join(', ') || '—',
                  },
                ]}
              />
            )
          }
        </Loaded>
      </section>
    </>
  );
}
