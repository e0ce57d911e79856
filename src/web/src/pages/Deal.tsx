/** One deal's attribution explained: the narrative and each touch's weight and credit. */
import type { Explanation } from '../api';
import { DataTable, Loaded, useApi } from '../components';
import { moneyExact } from '../format';

export function Deal({ opportunityId, search }: { opportunityId: string; search: URLSearchParams }) {
  const load = useApi<Explanation>(`/deals/${encodeURIComponent(opportunityId)}/explanation`, { model: search.get('model') });
  return (
    <Loaded load={load} what="deal narrative">
      {(x) => (
        <>
          <header className="page-head">
            <h1>{String(x.opportunity['name'] ?? opportunityId)}</h1>
            <p className="muted">
              {String(x.opportunity['stage'] ?? '')} · {moneyExact(String(x.opportunity['amount'] ?? '0.00'))} · model {x.model.replace(/_/g, ' ')}
            </p>
          </header>
          <section className="panel narrative" aria-label="Narrative">
            <h2>What happened</h2>
            {x.narrative.map((line, i) => (
              <p key={i}>{line}</p>
            ))}
          </section>
          {x.purposes.map((p) => (
            <section key={p.purpose} className="panel" aria-label={`${p.purpose} credit`}>
              <h2>
                {p.purpose === 'pipeline' ? 'Pipeline' : 'Revenue'} credit of {moneyExact(p.base_amount)}
              </h2>
              <DataTable
                caption="Each touch on the path, its weight and why"
                rows={p.touches}
                rowKey={(t) => `${t.position}-${t.touchpoint_id ?? 'none'}-${t.partner_id ?? ''}`}
                columns={[
                  { header: '#', cell: (t) => t.position },
                  { header: 'When', cell: (t) => (t.occurred_at ?? '').slice(0, 10) },
                  { header: 'Channel', cell: (t) => t.channel ?? '—' },
                  { header: 'Touch', cell: (t) => (t.touch_type ?? '—').replace(/_/g, ' ') },
                  { header: 'Partner', cell: (t) => t.partner_name ?? t.partner_id ?? '—' },
                  { header: 'Activity', cell: (t) => t.activity_name ?? '—' },
                  { header: 'Weight', numeric: true, cell: (t) => `${(t.weight * 100).toFixed(1)}%` },
                  { header: 'Credit', numeric: true, cell: (t) => moneyExact(t.credit) },
                  { header: 'Why', cell: (t) => t.reason },
                ]}
              />
            </section>
          ))}
        </>
      )}
    </Loaded>
  );
}
