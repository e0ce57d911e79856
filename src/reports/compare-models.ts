/**
 * Side by side: attributed pipeline and revenue of several models per partner (or any report
 * dimension), to show how much the choice of model moves the numbers.
 */
import type { Warehouse } from '../warehouse/index.js';
import { getAttributionReport } from './get-attribution-report.js';
import type { ReportDimension } from './dimensions.js';

export type ModelComparison = {
  models: string[];
  rows: { key: string; name: string | null; values: Record<string, { attributed_pipeline: string; attributed_revenue: string }> }[];
};

/**
 * @example
 * await compareModels(wh, { models: ['first_touch', 'linear'], by: 'partner' })
 * // { models: [...], rows: [{ key: 'P1', name: 'Acme', values: { first_touch: {…}, linear: {…} } }] }
 */
export async function compareModels(
  wh: Warehouse,
  opts: { models: string[]; by?: ReportDimension; from?: string; to?: string; partnerId?: string },
): Promise<ModelComparison> {
  const byKey = new Map<string, ModelComparison['rows'][number]>();
  for (const model of opts.models) {
    const rows = await getAttributionReport(wh, { model, by: opts.by ?? 'partner', from: opts.from, to: opts.to, partnerId: opts.partnerId });
    for (const r of rows) {
      const row = byKey.get(r.key) ?? { key: r.key, name: r.name, values: {} };
      row.values[model] = { attributed_pipeline: r.attributed_pipeline, attributed_revenue: r.attributed_revenue };
      byKey.set(r.key, row);
    }
  }
  const zero = { attributed_pipeline: '0.00', attributed_revenue: '0.00' };
  const rows = [...byKey.values()].map((r) => ({ ...r, values: Object.fromEntries(opts.models.map((m) => [m, r.values[m] ?? zero])) }));
  rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { models: opts.models, rows };
}
