/**
 * Engagement (src/engagement, issue 5): quality scores by partner, activity, activity type or
 * account, and alerts on unusual engagement (figure, expected range, accounts behind it), from
 * the latest engagement run. A partner token reads only its own rows (the engagement readers
 * take the partner scope) and, through the sharing filter, only what its agreement allows.
 */
import { z } from 'zod';
import { ENGAGEMENT_BY, getAlerts, getEngagement } from '../../engagement/index.js';
import { defineRoute, page, pageParams } from '../route.js';
import { reportParams } from './common.js';

const share = z.number().min(0).max(1).nullable();

const scoreSchema = z.object({
  key: z.string(),
  engagement_score: z.number().min(0).max(100).nullable().describe('0-100 score (weights in config/engagement.yaml).'),
  content_depth: share,
  attendance: share,
  co_creation: share,
  onboarding: share,
  adoption: share,
  recurring_usage: share,
  engagement_touches: z.number().describe('Credited engagement touches (fractional under shared credit).'),
  accounts: z.number().int(),
  customers: z.number().int(),
  credited_units: z.number(),
  credited_usage_months: z.number(),
});

const alertSchema = z.object({
  grain: z.enum(['partner', 'partner_activity_type']),
  partner_id: z.string(),
  activity_type: z.string().nullable(),
  month: z.string(),
  metric: z.string().describe('The figure watched (engagement_touches: engagement touches in the month).'),
  direction: z.enum(['drop', 'spike']),
  value: z.number(),
  expected: z.number(),
  expected_low: z.number(),
  expected_high: z.number(),
  z: z.number(),
  history_months: z.number().int(),
  seasonal_index: z.number(),
  accounts: z.array(z.string()).describe('Accounts engaged in the month (up to a configured number).'),
  missing_accounts: z.array(z.string()).describe('Accounts engaged in the three months before but not in this one.'),
});

/** The alert's figure under its metric dictionary name. */
const ALERT_METRICS: Record<string, string> = { touches: 'engagement_touches' };

// GET /api/v1/engagement: engagement quality scores by partner, activity, activity type or account.
export const engagement = defineRoute({
  method: 'GET',
  path: '/api/v1/engagement',
  summary: 'Engagement quality (0-100 score and its components) by partner, activity, activity type or account (latest run)',
  tags: ['engagement'],
  action: 'read:engagement',
  params: z.object({}),
  query: z.object({
    by: z.enum(ENGAGEMENT_BY).default('partner').describe('Grouping.'),
    partnerId: reportParams.partnerId,
    ...pageParams,
  }),
  response: page(scoreSchema).extend({ run_id: z.number().int(), model: z.string(), by: z.enum(ENGAGEMENT_BY) }),
  handler: async ({ wh, query, scope }) => {
    const partnerId = scope(query.partnerId);
    const res = await getEngagement(wh, { by: query.by, partnerId });
    const rows = res.rows.map(({ score, ...r }) => ({
      ...r,
      engagement_score: score,
      engagement_touches: Number(r.engagement_touches),
      accounts: Number(r.accounts),
      customers: Number(r.customers),
      credited_units: Number(r.credited_units),
      credited_usage_months: Number(r.credited_usage_months),
    }));
    return {
      run_id: res.run.run_id,
      model: res.run.model,
      by: res.by,
      items: rows.slice(query.offset, query.offset + query.limit),
      total: rows.length,
      limit: query.limit,
      offset: query.offset,
    };
  },
});

// GET /api/v1/alerts: unusual drops and spikes of engagement per partner and activity type.
export const alerts = defineRoute({
  method: 'GET',
  path: '/api/v1/alerts',
  summary: "Unusual engagement (drops and spikes against the partner's own seasonal history): figure, expected range, accounts",
  tags: ['engagement'],
  action: 'read:engagement',
  params: z.object({}),
  query: z.object({ partnerId: reportParams.partnerId, ...pageParams }),
  response: page(alertSchema).extend({ run_id: z.number().int() }),
  handler: async ({ wh, query, scope }) => {
    const partnerId = scope(query.partnerId);
    const res = await getAlerts(wh, { partnerId });
    const rows = res.alerts.map((a) => ({
      ...a,
      metric: ALERT_METRICS[a.metric] ?? a.metric,
      history_months: Number(a.history_months),
      accounts: [...a.accounts],
      missing_accounts: [...a.missing_accounts],
    }));
    return { run_id: res.run.run_id, items: rows.slice(query.offset, query.offset + query.limit), total: rows.length, limit: query.limit, offset: query.offset };
  },
  csvRows: (body) => body.items.map((a) => ({ ...a, accounts: a.accounts.join(' '), missing_accounts: a.missing_accounts.join(' ') })),
});

export const routes = [engagement, alerts];
