/**
 * Incrementality (stored runs of src/incrementality) and customers (new customers by
 * acquisition source, cohorts with retention and lifetime value, from src/customers).
 * A partner token sees only its own partner's rows: the partner's incrementality row, its own
 * new-customer group and its own cohort segment.
 */
import { z } from 'zod';
import { COHORT_SEGMENTS, NEW_CUSTOMER_GROUPINGS, cohortReport, newCustomers } from '../../customers/index.js';
import { INCREMENTALITY_UNITS, getIncrementalityResults } from '../../incrementality/index.js';
import { defineRoute, money, page, pageParams } from '../route.js';
import { cents, checkPeriod, reportParams } from './common.js';

const incrementalitySchema = z.object({
  unit_kind: z.enum(INCREMENTALITY_UNITS),
  unit_id: z.string(),
  metric: z.string(),
  engaged_accounts: z.number().int(),
  eligible_accounts: z.number().int(),
  matched_accounts: z.number().int(),
  control_accounts: z.number().int(),
  attributed: money.nullable(),
  incremental: money.nullable(),
  ci_low: money.nullable(),
  ci_high: money.nullable(),
  att_per_account: z.number().nullable(),
  incrementality_factor: z.number().nullable(),
  method: z.string(),
  note: z.string().nullable(),
});

// GET /api/v1/incrementality: incremental revenue/pipeline per partner or program, with intervals.
export const incrementality = defineRoute({
  method: 'GET',
  path: '/api/v1/incrementality',
  summary: 'Incremental outcomes per partner or program with confidence intervals (latest run)',
  tags: ['incrementality'],
  action: 'read:reports',
  params: z.object({}),
  query: z.object({
    by: z.enum(INCREMENTALITY_UNITS).optional().describe('partner or program (default both).'),
    partnerId: reportParams.partnerId,
    ...pageParams,
  }),
  response: page(incrementalitySchema).extend({ run_id: z.number().int() }),
  handler: async ({ wh, query, scope }) => {
    const partnerId = scope(query.partnerId);
    const by = partnerId ? 'partner' : query.by;
    const res = await getIncrementalityResults(wh, by ? { by } : {});
    const rows = res.rows
      .filter((r) => partnerId === undefined || (r.unit_kind === 'partner' && r.unit_id === partnerId))
      .map(({ balance: _b, ...r }) => ({
        ...r,
        engaged_accounts: Number(r.engaged_accounts),
        eligible_accounts: Number(r.eligible_accounts),
        matched_accounts: Number(r.matched_accounts),
        control_accounts: Number(r.control_accounts),
        attributed: cents(r.attributed),
        incremental: cents(r.incremental),
        ci_low: cents(r.ci_low),
        ci_high: cents(r.ci_high),
      }));
    return { run_id: res.run_id, items: rows.slice(query.offset, query.offset + query.limit), total: rows.length, limit: query.limit, offset: query.offset };
  },
});

const customerGroupSchema = z.object({
  key: z.string(),
  source_kind: z.enum(['partner', 'direct']),
  customers: z.number().int(),
  first_deal_amount: money,
  by_rule: z.record(z.string(), z.number()),
});

// GET /api/v1/customers: new customers by acquisition source, each counted once.
export const customers = defineRoute({
  method: 'GET',
  path: '/api/v1/customers',
  summary: 'New customers by acquisition source (partner, partner type or channel), no double counting',
  tags: ['customers'],
  action: 'read:reports',
  params: z.object({}),
  query: z.object({
    by: z.enum(NEW_CUSTOMER_GROUPINGS).default('partner'),
    from: reportParams.from,
    to: reportParams.to,
    partnerId: reportParams.partnerId,
  }),
  response: z.object({
    total: z.number().int().nullable().describe('All new customers (null for a partner token).'),
    partner_total: z.number().int().nullable(),
    direct_total: z.number().int().nullable(),
    method: z.string(),
    note: z.string().nullable(),
    groups: z.array(customerGroupSchema),
  }),
  handler: async ({ wh, query, scope }) => {
    checkPeriod(query);
    const partnerId = scope(query.partnerId);
    const by = partnerId ? 'partner' : query.by;
    const r = await newCustomers(wh, { by, ...(query.from ? { from: query.from } : {}), ...(query.to ? { to: query.to } : {}) });
    const groups = r.groups
      .filter((g) => partnerId === undefined || (g.source_kind === 'partner' && g.key === partnerId))
      .map((g) => ({ ...g, customers: Number(g.customers) }));
    return {
      total: partnerId ? null : Number(r.total),
      partner_total: partnerId ? null : Number(r.partner_total),
      direct_total: partnerId ? null : Number(r.direct_total),
      method: r.method,
      note: r.note,
      groups,
    };
  },
  csvRows: (body) => body.groups.map(({ by_rule, ...g }) => ({ ...g, by_rule })),
});

const cohortSchema = z.object({
  cohort: z.string(),
  segment: z.string(),
  customers: z.number().int(),
  observable_12m: z.number().int(),
  logo_retention_12m: z.number().nullable(),
  nrr_12m: z.number().nullable(),
  grr_12m: z.number().nullable(),
  revenue_q0: money,
  with_usage: z.number().int(),
  median_days_to_first_value: z.number().nullable(),
  referrals: z.number().int(),
});

const segmentSchema = z.object({
  segment: z.string(),
  customers: z.number().int(),
  churned: z.number().int(),
  censored: z.number().int(),
  projected_survival: z.array(z.number()),
  discounted_expected_lifetime: z.number().nullable(),
  annual_recurring_revenue: money.nullable(),
  ltv: money.nullable(),
  method: z.string(),
  note: z.string().nullable(),
});

// GET /api/v1/cohorts: acquisition cohorts with retention, NRR and lifetime value per segment.
export const cohorts = defineRoute({
  method: 'GET',
  path: '/api/v1/cohorts',
  summary: 'Customer cohorts by acquisition period and source: retention, NRR, lifetime value',
  tags: ['customers'],
  action: 'read:reports',
  params: z.object({}),
  query: z.object({
    grain: z.enum(['month', 'quarter']).optional(),
    by: z.enum(COHORT_SEGMENTS).default('source_kind'),
    partnerId: reportParams.partnerId,
  }),
  response: z.object({ grain: z.enum(['month', 'quarter']), by: z.enum(COHORT_SEGMENTS), cohorts: z.array(cohortSchema), segments: z.array(segmentSchema) }),
  handler: async ({ wh, query, scope }) => {
    const partnerId = scope(query.partnerId);
    // A partner sees only its own segment, so the grouping is by source (partner id).
    const by = partnerId ? 'source' : query.by;
    const r = await cohortReport(wh, { by, ...(query.grain ? { grain: query.grain } : {}) });
    const mine = (s: string) => partnerId === undefined || s === partnerId;
    return {
      grain: r.grain,
      by: r.by,
      cohorts: r.cohorts.filter((c) => mine(c.segment)).map((c) => ({
        cohort: c.cohort, segment: c.segment, customers: Number(c.customers), observable_12m: Number(c.observable_12m),
        logo_retention_12m: c.logo_retention_12m, nrr_12m: c.nrr_12m, grr_12m: c.grr_12m, revenue_q0: c.revenue_q0,
        with_usage: Number(c.with_usage), median_days_to_first_value: c.median_days_to_first_value, referrals: Number(c.referrals),
      })),
      segments: r.segments.filter((s) => mine(s.segment)).map((s) => ({
        segment: s.segment, customers: Number(s.customers), churned: Number(s.churned), censored: Number(s.censored),
        projected_survival: s.projected_survival, discounted_expected_lifetime: s.discounted_expected_lifetime,
        annual_recurring_revenue: s.annual_recurring_revenue, ltv: s.ltv, method: s.method, note: s.note,
      })),
    };
  },
  csvRows: (body) => body.cohorts,
});

export const routes = [incrementality, customers, cohorts];
