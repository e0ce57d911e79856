/** The metric dictionary, data quality (report status, latest checks) and discrepancies. */
import { z } from 'zod';
import { listDiscrepancies, listMetrics, listReportStatus } from '../../governance/index.js';
import { sql } from '../../warehouse/index.js';
import { defineRoute, page, pageParams } from '../route.js';

const metricSchema = z.object({
  name: z.string(),
  description: z.string(),
  formula: z.string(),
  unit: z.string(),
  grain: z.string(),
  owner: z.string(),
  approved_at: z.string(),
});

// GET /api/v1/metrics: every metric's definition, unit, grain and owner (hover text of the dashboard).
export const metrics = defineRoute({
  method: 'GET',
  path: '/api/v1/metrics',
  summary: 'The metric dictionary: definition, formula, unit, grain and owner of each metric',
  tags: ['governance'],
  action: 'read:metrics',
  global: true,
  params: z.object({}),
  query: z.object({ ...pageParams }),
  response: page(metricSchema),
  handler: async ({ query }) => {
    const all = listMetrics().map((m) => ({
      name: m.name,
      description: m.description,
      formula: m.formula,
      unit: m.unit,
      grain: m.grain,
      owner: m.owner,
      approved_at: m.approved_at,
    }));
    return { items: all.slice(query.offset, query.offset + query.limit), total: all.length, limit: query.limit, offset: query.offset };
  },
});

const checkSchema = z.object({
  check_id: z.string(),
  kind: z.string(),
  table_name: z.string().nullable(),
  column_name: z.string().nullable(),
  status: z.string(),
  severity: z.string(),
  observed: z.string().nullable(),
  threshold: z.string().nullable(),
  message: z.string(),
});

const LATEST_CHECKS_SQL = sql`
  with latest as (
    select max(check_run_id) as check_run_id
    from meta.check_runs
  )
  select r.check_id, r.kind, r.table_name, r.column_name, r.status, r.severity, r.observed, r.threshold, r.message
  from meta.check_results r
  join latest l using (check_run_id)
  order by case r.status when 'fail' then 0 when 'warn' then 1 when 'skip' then 2 else 3 end, r.check_id`;

const LATEST_RUN_SQL = sql`
  select check_run_id, strftime(started_at, '%Y-%m-%dT%H:%M:%SZ') as started_at, status,
         n_pass, n_warn, n_fail, n_skip
  from meta.check_runs
  order by check_run_id desc
  limit 1`;

// GET /api/v1/data-quality: whether each report is current, and the latest check run's results.
export const dataQuality = defineRoute({
  method: 'GET',
  path: '/api/v1/data-quality',
  summary: 'Report status (current or not, why) and the results of the latest data quality check run',
  tags: ['data quality'],
  action: 'read:quality',
  params: z.object({}),
  query: z.object({}),
  response: z.object({
    report_status: z.array(
      z.object({ report: z.string(), is_current: z.boolean(), reason: z.string().nullable(), check_run_id: z.number().int().nullable(), updated_at: z.string() }),
    ),
    latest_run: z
      .object({ check_run_id: z.number().int(), started_at: z.string(), status: z.string(), n_pass: z.number().int(), n_warn: z.number().int(), n_fail: z.number().int(), n_skip: z.number().int() })
      .nullable(),
    checks: z.array(checkSchema),
  }),
  handler: async ({ wh }) => ({
    report_status: await listReportStatus(wh),
    latest_run: (await wh.find<{ check_run_id: number; started_at: string; status: string; n_pass: number; n_warn: number; n_fail: number; n_skip: number }>(LATEST_RUN_SQL)) ?? null,
    checks: await wh.all<z.infer<typeof checkSchema>>(LATEST_CHECKS_SQL),
  }),
  csvRows: (body) => body.checks,
});

const discrepancySchema = z.object({
  discrepancy_id: z.number().int(),
  source: z.string(),
  check_id: z.string().nullable(),
  partner_id: z.string().nullable(),
  title: z.string(),
  severity: z.string(),
  owner: z.string(),
  status: z.string(),
  opened_at: z.string(),
  due_at: z.string(),
  resolved_at: z.string().nullable(),
  is_overdue: z.boolean(),
});

// GET /api/v1/discrepancies: open and resolved discrepancies with owners and due dates.
export const discrepancies = defineRoute({
  method: 'GET',
  path: '/api/v1/discrepancies',
  summary: 'Discrepancies with owner, service-level due date and status',
  tags: ['data quality'],
  action: 'read:quality',
  cacheable: false,
  params: z.object({}),
  query: z.object({
    status: z.enum(['open', 'investigating', 'resolved', 'unresolved']).optional(),
    partnerId: z.string().min(1).max(200).optional(),
    ...pageParams,
  }),
  response: page(discrepancySchema),
  handler: async ({ wh, query, scope }) => {
    const partnerId = scope(query.partnerId);
    const rows = await listDiscrepancies(wh, { ...(query.status ? { status: query.status } : {}), ...(partnerId ? { partnerId } : {}) });
    const items = rows.map((r) => ({
      discrepancy_id: Number(r.discrepancy_id), source: r.source, check_id: r.check_id, partner_id: r.partner_id, title: r.title,
      severity: r.severity, owner: r.owner, status: r.status, opened_at: r.opened_at, due_at: r.due_at,
      resolved_at: r.resolved_at, is_overdue: r.is_overdue,
    }));
    return { items: items.slice(query.offset, query.offset + query.limit), total: items.length, limit: query.limit, offset: query.offset };
  },
});

// GET /api/v1/report-status: which reports are not current (a failing check), for the dashboard's notice.
export const reportStatus = defineRoute({
  method: 'GET',
  path: '/api/v1/report-status',
  summary: 'Whether each report is current; a failing data quality check marks the reports it affects not current',
  tags: ['data quality'],
  action: null,
  global: true,
  params: z.object({}),
  query: z.object({}),
  response: z.object({
    items: z.array(
      z.object({
        report: z.string(),
        is_current: z.boolean(),
        reason: z.string().nullable().describe('Why not current (null for partner tokens: check details are internal).'),
        updated_at: z.string(),
      }),
    ),
  }),
  handler: async ({ wh, principal }) => ({
    items: (await listReportStatus(wh)).map((r) => ({
      report: r.report,
      is_current: r.is_current,
      reason: principal.role === 'partner' ? null : r.reason,
      updated_at: r.updated_at,
    })),
  }),
});

export const routes = [metrics, dataQuality, discrepancies, reportStatus];
