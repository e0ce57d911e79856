import type { Column } from '../components';
import type { ReportRow } from '../api';
import { count, money, pct } from '../format';

/** The money and rate columns every attribution table shows. */
export const reportColumns: Column<ReportRow>[] = [
  { header: 'Sourced pipeline', metric: 'sourced_pipeline', numeric: true, cell: (r) => money(r.sourced_pipeline) },
  { header: 'Influenced pipeline', metric: 'influenced_pipeline', numeric: true, cell: (r) => money(r.influenced_pipeline) },
  { header: 'Attributed pipeline', metric: 'attributed_pipeline', numeric: true, cell: (r) => money(r.attributed_pipeline) },
  { header: 'Attributed revenue', metric: 'attributed_revenue', numeric: true, cell: (r) => money(r.attributed_revenue) },
  { header: 'Deals', metric: 'opportunities_influenced', numeric: true, cell: (r) => count(r.opportunities_influenced) },
  { header: 'Win rate', metric: 'win_rate_with_partner', numeric: true, cell: (r) => pct(r.win_rate_with_partner) },
];

export const costColumns: Column<ReportRow>[] = [
  { header: 'Cost', metric: 'activity_cost', numeric: true, cell: (r) => money(r.activity_cost ?? null) },
  { header: 'Return', metric: 'return_on_activity_cost', numeric: true, cell: (r) => pct(r.return_on_activity_cost ?? null) },
];
