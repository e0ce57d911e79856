/**
 * Attribution reports: by any grouping and model, sourced/influenced, model comparison, the
 * executive overview and one deal's explanation. Every query runs in src/reports over the
 * precomputed report tables; the API validates, scopes to the caller's partner, sorts and
 * pages. Money stays a decimal string; totals are summed in integer cents.
 */
import { z } from 'zod';
import { JointlyError, isJointlyError } from '../../core/errors.js';
import { fromMinor, toMinor } from '../../core/money.js';
import {
  REPORT_DIMENSIONS,
  compareModels,
  explainOpportunity,
  getAttributionReport,
  getOverview,
  getSourcedInfluenced,
  type AttributionReportRow,
} from '../../reports/index.js';
import { newCustomers } from '../../customers/index.js';
import { getIncrementalityResults } from '../../incrementality/index.js';
import { sql, type Warehouse } from '../../warehouse/index.js';
import { defineRoute, money, page, pageParams } from '../route.js';
import { cents, checkPeriod, partnerTypeParam, programParam, reportParams, resolveModelName } from './common.js';

const rate = z.number().min(0).max(1).nullable();

export const reportRowSchema = z.object({
  key: z.string(),
  name: z.string().nullable(),
  sourced_pipeline: money,
  sourced_revenue: money,
  influenced_pipeline: money,
  influenced_revenue: money,
  attributed_pipeline: money,
  attributed_revenue: money,
  opportunities_influenced: z.number().int(),
  closed_with_partner: z.number().int(),
  won_with_partner: z.number().int(),
  win_rate_with_partner: rate,
  closed_without_partner: z.number().int(),
  won_without_partner: z.number().int(),
  win_rate_without_partner: rate,
  median_days_to_close: z.number().nullable(),
  median_days_to_close_without_partner: z.number().nullable(),
  avg_deal_size: money.nullable(),
  pipeline_velocity: z.string().nullable(),
  median_days_to_revenue: z.number().nullable(),
  activity_cost: money.nullable(),
  cost_per_attributed_dollar: z.number().nullable(),
  return_on_activity_cost: z.number().nullable(),
  partner_id: z.string().nullable().describe('Set when grouped by partner.'),
});

const SORT_KEYS = ['attributed_revenue', 'attributed_pipeline', 'sourced_pipeline', 'influenced_pipeline', 'key'] as const;
type SortKey = (typeof SORT_KEYS)[number];

function sortRows(rows: AttributionReportRow[], sort: SortKey): AttributionReportRow[] {
  if (sort === 'key') return [...rows].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return [...rows].sort((a, b) => {
    const d = toMinor(b[sort]) - toMinor(a[sort]);
    return d > 0n ? 1 : d < 0n ? -1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  });
}

/**
 * The keys a partner-type or program filter keeps for a grouping, from the partners and
 * activities tables; undefined when no filter is set.
 */
const FILTER_KEYS_SQL = {
  partner: sql`
    select p.partner_id as key
    from core.partners p
    where ($1::varchar is null or p.partner_type = $1)
      and ($2::varchar is null or exists (
        select 1 from core.activities a where a.program = $2 and list_contains(a.partner_ids, p.partner_id)))`,
  activity: sql`
    select a.activity_id as key
    from core.activities a
    where ($2::varchar is null or a.program = $2)
      and ($1::varchar is null or exists (
        select 1 from core.partners p where p.partner_type = $1 and list_contains(a.partner_ids, p.partner_id)))`,
  program: sql`
    select distinct a.program as key
    from core.activities a
    where a.program is not null
      and ($2::varchar is null or a.program = $2)
      and ($1::varchar is null or exists (
        select 1 from core.partners p where p.partner_type = $1 and list_contains(a.partner_ids, p.partner_id)))`,
  partner_type: sql`
    select distinct p.partner_type as key
    from core.partners p
    where ($1::varchar is null or p.partner_type = $1)
      and ($2::varchar is null or exists (
        select 1 from core.activities a where a.program = $2 and list_contains(a.partner_ids, p.partner_id)))`,
} as const;

async function keysForFilter(
  wh: Warehouse,
  by: (typeof REPORT_DIMENSIONS)[number],
  partnerType: string | undefined,
  program: string | undefined,
): Promise<Set<string> | undefined> {
  if (partnerType === undefined && program === undefined) return undefined;
  if (!(by in FILTER_KEYS_SQL)) {
    throw new JointlyError(
      'BAD_ARGUMENT',
      `Bad request: partnerType and program filter only the groupings partner, partner_type, program and activity, not "${by}".`,
    );
  }
  const q = FILTER_KEYS_SQL[by as keyof typeof FILTER_KEYS_SQL];
  const rows = await wh.all<{ key: string }>({ text: q.text, values: [partnerType ?? null, program ?? null] });
  return new Set(rows.map((r) => r.key));
}

function withPartnerId(by: string, r: AttributionReportRow) {
  return { ...r, partner_id: by === 'partner' ? r.key : null };
}

// GET /api/v1/attribution: attributed, sourced and influenced figures by any grouping and model.
export const attribution = defineRoute({
  method: 'GET',
  path: '/api/v1/attribution',
  summary: 'Attribution report by partner, partner type, program, activity, activity type, channel, month or quarter',
  tags: ['attribution'],
  action: 'read:reports',
  params: z.object({}),
  query: z.object({
    by: z.enum(REPORT_DIMENSIONS).default('partner').describe('Grouping.'),
    ...reportParams,
    partnerType: partnerTypeParam,
    program: programParam,
    sort: z.enum(SORT_KEYS).default('attributed_revenue').describe('Order (money columns descending).'),
    ...pageParams,
  }),
  response: page(reportRowSchema),
  handler: async ({ wh, query, scope }) => {
    checkPeriod(query);
    const partnerId = scope(query.partnerId);
    const { model } = await resolveModelName(wh, query.model);
    const keep = await keysForFilter(wh, query.by, query.partnerType, query.program);
    const rows = await getAttributionReport(wh, { model, by: query.by, from: query.from, to: query.to, partnerId });
    const filtered = sortRows(keep ? rows.filter((r) => keep.has(r.key)) : rows, query.sort);
    return {
      items: filtered.slice(query.offset, query.offset + query.limit).map((r) => withPartnerId(query.by, r)),
      total: filtered.length,
      limit: query.limit,
      offset: query.offset,
    };
  },
});

const sourcedSchema = z.object({
  partner_id: z.string(),
  name: z.string().nullable(),
  partner_type: z.string().nullable(),
  sourced_opportunities: z.number().int(),
  sourced_pipeline: money,
  sourced_revenue: money,
  influenced_opportunities: z.number().int(),
  influenced_pipeline: money,
  influenced_revenue: money,
});

// GET /api/v1/sourced-influenced: per partner, deals it sourced and deals it influenced.
export const sourcedInfluenced = defineRoute({
  method: 'GET',
  path: '/api/v1/sourced-influenced',
  summary: 'Sourced and influenced opportunities, pipeline and revenue per partner',
  tags: ['attribution'],
  action: 'read:reports',
  params: z.object({}),
  query: z.object({ ...reportParams, partnerType: partnerTypeParam, ...pageParams }),
  response: page(sourcedSchema),
  handler: async ({ wh, query, scope }) => {
    checkPeriod(query);
    const partnerId = scope(query.partnerId);
    const { model } = await resolveModelName(wh, query.model);
    const rows = (await getSourcedInfluenced(wh, { model, from: query.from, to: query.to, partnerId })).filter(
      (r) => query.partnerType === undefined || r.partner_type === query.partnerType,
    );
    return { items: rows.slice(query.offset, query.offset + query.limit), total: rows.length, limit: query.limit, offset: query.offset };
  },
});

const comparisonSchema = z.object({
  models: z.array(z.string()),
  rows: z.array(
    z.object({
      key: z.string(),
      name: z.string().nullable(),
      values: z.record(z.string(), z.object({ attributed_pipeline: money, attributed_revenue: money })),
    }),
  ),
});

// GET /api/v1/compare: the same grouping under several models side by side.
export const compare = defineRoute({
  method: 'GET',
  path: '/api/v1/compare',
  summary: 'Attributed pipeline and revenue under several models side by side',
  tags: ['attribution'],
  action: 'read:reports',
  params: z.object({}),
  query: z.object({
    models: z
      .string()
      .regex(/^[a-z][a-z0-9_]*(,[a-z][a-z0-9_]*){0,11}$/, 'expected 1-12 model names separated by commas')
      .describe('Models, comma-separated (e.g. first_touch,linear,markov).'),
    by: z.enum(REPORT_DIMENSIONS).default('partner'),
    from: reportParams.from,
    to: reportParams.to,
    partnerId: reportParams.partnerId,
  }),
  response: comparisonSchema,
  handler: async ({ wh, query, scope }) => {
    checkPeriod(query);
    const partnerId = scope(query.partnerId);
    const models = [...new Set(query.models.split(','))];
    for (const m of models) await resolveModelName(wh, m);
    return compareModels(wh, {
      models,
      by: query.by,
      ...(query.from ? { from: query.from } : {}),
      ...(query.to ? { to: query.to } : {}),
      ...(partnerId ? { partnerId } : {}),
    });
  },
  csvRows: (body) =>
    body.rows.map((r) => ({
      key: r.key,
      name: r.name,
      ...Object.fromEntries(
        Object.entries(r.values).flatMap(([m, v]) => [
          [`${m}_attributed_pipeline`, v.attributed_pipeline],
          [`${m}_attributed_revenue`, v.attributed_revenue],
        ]),
      ),
    })),
});

const trendSchema = z.object({
  month: z.string(),
  pipeline: money,
  revenue: money,
  attributed_pipeline_partner: money,
  attributed_revenue_partner: money,
  sourced_pipeline: money,
  influenced_pipeline: money,
  sourced_revenue: money,
  influenced_revenue: money,
});

const overviewSchema = z.object({
  run_id: z.number().int(),
  model: z.string(),
  totals: z.object({
    opportunities: z.number().int(),
    pipeline: money,
    revenue: money,
    attributed_pipeline_partner: money,
    attributed_revenue_partner: money,
    sourced_pipeline: money,
    influenced_pipeline: money,
    unattributed_pipeline: money,
    sourced_revenue: money.describe('Won amount of deals partners sourced, each deal once.'),
    influenced_revenue: money.describe('Won amount of deals partners influenced, each deal once.'),
    win_rate_with_partner: rate,
    win_rate_without_partner: rate,
    partner_spend: money.nullable(),
    return_on_partner_spend: z.number().nullable(),
    incremental_revenue: money
      .nullable()
      .describe('Sum of the point estimates of incremental revenue of the partners estimated in the latest incrementality run (whole run window, not the period filter); null without a run.'),
    incremental_revenue_low: money
      .nullable()
      .describe('Sum of the partners\' lower 95% bounds: conservative (wider than the interval of the sum when the estimates are independent).'),
    incremental_revenue_high: money.nullable().describe('Sum of the partners\' upper 95% bounds (conservative).'),
    incremental_partners: z.number().int().nullable().describe('Partners with an estimate in that sum.'),
    incremental_run_id: z.number().int().nullable().describe('The incrementality run read.'),
    new_customers_from_partners: z.number().int().nullable(),
  }),
  trend: z.array(trendSchema),
  top_partners: z.array(reportRowSchema),
});

/**
 * New customers brought by partners (or by one partner) in the period; null when the customers
 * model cannot answer yet (no configuration or no attribution run it needs).
 */
async function newPartnerCustomers(
  wh: Warehouse,
  q: { from: string | undefined; to: string | undefined; partnerId: string | undefined },
): Promise<number | null> {
  try {
    const r = await newCustomers(wh, { by: 'partner', ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}) });
    if (q.partnerId === undefined) return Number(r.partner_total);
    const mine = r.groups.find((g) => g.source_kind === 'partner' && g.key === q.partnerId);
    return mine ? Number(mine.customers) : 0;
  } catch (error) {
    if (isJointlyError(error) && error.kind === 'user') return null;
    throw error;
  }
}

/**
 * Incremental revenue of the partners (or the one partner) with an estimate in the latest
 * incrementality run: the sum of point estimates, with the sums of the 95% bounds as a
 * conservative interval (programs are left out: they overlap partners). Null without a run.
 */
async function partnerIncrementalRevenue(
  wh: Warehouse,
  partnerId: string | undefined,
): Promise<{ total: string; low: string; high: string; partners: number; runId: number } | null> {
  let res;
  try {
    res = await getIncrementalityResults(wh, { by: 'partner' });
  } catch (error) {
    if (isJointlyError(error) && error.kind === 'user') return null;
    throw error;
  }
  const est = res.rows.filter(
    (r) => r.metric === 'revenue' && r.incremental !== null && r.ci_low !== null && r.ci_high !== null &&
      (partnerId === undefined || r.unit_id === partnerId),
  );
  if (est.length === 0) return null;
  const sum = (k: 'incremental' | 'ci_low' | 'ci_high') => fromMinor(est.reduce((a, r) => a + toMinor(cents(r[k]) ?? '0'), 0n));
  return { total: sum('incremental'), low: sum('ci_low'), high: sum('ci_high'), partners: est.length, runId: res.run_id };
}

// GET /api/v1/overview: headline numbers, monthly trend and top partners (dashboard first page).
export const overview = defineRoute({
  method: 'GET',
  path: '/api/v1/overview',
  summary: 'Executive overview: headline metrics, monthly trend, top partners',
  tags: ['attribution'],
  action: 'read:reports',
  params: z.object({}),
  query: z.object({ ...reportParams, partnerType: partnerTypeParam }),
  response: overviewSchema,
  handler: async ({ wh, query, scope }) => {
    checkPeriod(query);
    const partnerId = scope(query.partnerId);
    const { model } = await resolveModelName(wh, query.model);
    const filter = { model, from: query.from, to: query.to, partnerId };
    const o = await getOverview(wh, filter);
    const byPartner = await getAttributionReport(wh, { ...filter, by: 'partner' });
    const keep = await keysForFilter(wh, 'partner', query.partnerType, undefined);
    const top = sortRows(keep ? byPartner.filter((r) => keep.has(r.key)) : byPartner, 'attributed_revenue').slice(0, 10);
    // Spend: every activity once (a joint activity's cost is not counted per partner).
    const spendRows = partnerId ? byPartner : await getAttributionReport(wh, { ...filter, by: 'activity' });
    const spendCents = spendRows.reduce((a, r) => a + (r.activity_cost ? toMinor(r.activity_cost) : 0n), 0n);
    const spend = spendRows.some((r) => r.activity_cost !== null) ? fromMinor(spendCents) : null;
    const acquired = await newPartnerCustomers(wh, { from: query.from, to: query.to, partnerId });
    const incremental = await partnerIncrementalRevenue(wh, partnerId);
    return {
      run_id: o.run_id,
      model: o.model,
      totals: {
        ...o.totals,
        partner_spend: spend,
        // Same definition as return_on_activity_cost (metrics.yaml): (revenue - cost) / cost.
        return_on_partner_spend:
          spend !== null && spendCents > 0n
            ? Number(toMinor(o.totals.attributed_revenue_partner) - spendCents) / Number(spendCents)
            : null,
        incremental_revenue: incremental?.total ?? null,
        incremental_revenue_low: incremental?.low ?? null,
        incremental_revenue_high: incremental?.high ?? null,
        incremental_partners: incremental?.partners ?? null,
        incremental_run_id: incremental?.runId ?? null,
        new_customers_from_partners: acquired,
      },
      trend: o.trend,
      top_partners: top.map((r) => withPartnerId('partner', r)),
    };
  },
  csvRows: (body) => body.trend,
});

const touchSchema = z.object({
  position: z.number().int(),
  touchpoint_id: z.string().nullable(),
  occurred_at: z.string().nullable(),
  channel: z.string().nullable(),
  touch_type: z.string().nullable(),
  partner_id: z.string().nullable(),
  partner_name: z.string().nullable(),
  activity_id: z.string().nullable(),
  activity_name: z.string().nullable(),
  activity_type: z.string().nullable(),
  weight: z.number(),
  credit: money,
  rule: z.string(),
  reason: z.string(),
});

const explanationSchema = z.object({
  run_id: z.number().int(),
  model: z.string(),
  opportunity: z.object({
    opportunity_id: z.string(),
    name: z.string().nullable(),
    account_id: z.string(),
    created_at: z.string(),
    close_date: z.string().nullable(),
    is_won: z.boolean(),
    amount: money,
    stage: z.string().nullable(),
  }),
  purposes: z.array(z.object({ purpose: z.enum(['pipeline', 'revenue']), base_amount: money, touches: z.array(touchSchema) })),
  narrative: z.array(z.string()),
});

// explainOpportunity builds a scratch eligibility table on the shared connection: one at a time.
let explainQueue: Promise<unknown> = Promise.resolve();
function serialised<T>(fn: () => Promise<T>): Promise<T> {
  const next = explainQueue.catch(() => undefined).then(fn);
  explainQueue = next;
  return next;
}

// GET /api/v1/deals/:opportunityId/explanation: the path, each touch's weight and why, as a narrative.
export const explanation = defineRoute({
  method: 'GET',
  path: '/api/v1/deals/:opportunityId/explanation',
  summary: "One deal's attribution explained: path, weights, credits and a narrative",
  tags: ['attribution'],
  action: 'read:credits',
  params: z.object({ opportunityId: z.string().min(1).max(200) }),
  query: z.object({ model: reportParams.model, partnerId: reportParams.partnerId }),
  response: explanationSchema,
  handler: async ({ wh, params, query, scope }) => {
    const partnerId = scope(query.partnerId);
    const { model } = await resolveModelName(wh, query.model);
    const x = await serialised(() =>
      explainOpportunity(wh, { opportunityId: params.opportunityId, model, ...(partnerId ? { partnerId } : {}) }),
    );
    const stage = await wh.find<{ stage: string }>(
      sql`select stage from core.opportunities where opportunity_id = ${params.opportunityId}`,
    );
    return { ...x, opportunity: { ...x.opportunity, stage: stage?.stage ?? null } };
  },
  csvRows: (body) => body.purposes.flatMap((p) => p.touches.map((t) => ({ purpose: p.purpose, ...t }))),
});

export const routes = [overview, attribution, sourcedInfluenced, compare, explanation];
