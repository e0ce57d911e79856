/**
 * The dashboard's API client: bearer token from session storage, JSON in and out, errors as
 * `ApiError` with the server's code and message (the UI shows the message as is).
 */
const TOKEN_KEY = 'jointly.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

type Params = Record<string, string | number | undefined | null>;

export function apiUrl(path: string, params: Params = {}): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return `/api/v1${path}${s ? `?${s}` : ''}`;
}

export async function apiGet<T>(path: string, params: Params = {}, token = getToken()): Promise<T> {
  const res = await fetch(apiUrl(path, params), {
    headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(res.status, 'BAD_RESPONSE', `The server answered ${res.status} with something that is not JSON.`);
  }
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? 'HTTP_' + res.status, err?.message ?? `Request failed (${res.status}).`);
  }
  return body as T;
}

/** Downloads a CSV export with the token (an <a href> could not send the header). */
export async function downloadCsv(path: string, params: Params, fileName: string): Promise<void> {
  const token = getToken();
  const res = await fetch(apiUrl(path, { ...params, format: 'csv', limit: 1000 }), {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (!res.ok) throw new ApiError(res.status, 'EXPORT_FAILED', `Export failed (${res.status}).`);
  const blob = await res.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = fileName;
  a.click();
  URL.revokeObjectURL(a.href);
}

// ---- response types (mirror src/api/routes) ----
export interface Me {
  userId: string;
  name: string;
  role: string;
  partnerId: string | null;
}
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}
export interface ModelRun {
  model: string;
  run_id: number;
  finished_at: string | null;
  is_default?: boolean;
}
export interface ReportRow {
  key: string;
  name: string;
  partner_id?: string | null;
  sourced_pipeline: string;
  sourced_revenue: string;
  influenced_pipeline: string;
  influenced_revenue: string;
  attributed_pipeline: string;
  attributed_revenue: string;
  opportunities_influenced: number;
  win_rate_with_partner: number | null;
  win_rate_without_partner?: number | null;
  activity_cost?: string | null;
  return_on_activity_cost?: number | null;
  [k: string]: unknown;
}
export interface TrendRow {
  month: string;
  pipeline: string;
  revenue: string;
  attributed_pipeline_partner: string;
  attributed_revenue_partner: string;
  sourced_pipeline: string;
  influenced_pipeline: string;
  sourced_revenue: string;
  influenced_revenue: string;
}
export interface Overview {
  run_id: number;
  model: string;
  totals: Record<string, string | number | null>;
  trend: TrendRow[];
  top_partners: ReportRow[];
}
export interface Deal {
  opportunity_id: string;
  name: string | null;
  account_name: string | null;
  created_date: string;
  close_date: string | null;
  stage: string;
  is_won: boolean;
  amount: string;
  partner_credit: string;
  is_sourced: boolean;
}
export interface ExplanationTouch {
  position: number;
  touchpoint_id: string | null;
  occurred_at: string | null;
  channel: string | null;
  touch_type: string | null;
  partner_id: string | null;
  partner_name: string | null;
  activity_name: string | null;
  weight: number;
  credit: string;
  reason: string;
}
export interface Explanation {
  opportunity: Record<string, unknown>;
  model: string;
  run_id: number;
  purposes: { purpose: string; base_amount: string; touches: ExplanationTouch[] }[];
  narrative: string[];
}
export interface Comparison {
  models: string[];
  rows: { key: string; name: string; values: Record<string, { attributed_pipeline: string; attributed_revenue: string }> }[];
}
export interface MetricDef {
  name: string;
  description: string;
  formula: string;
  unit: string;
  owner: string;
}
