/**
 * One way to declare an API route: its path, zod schemas for params, query and response, the
 * action it needs, and a handler that receives parsed input and the caller. The same
 * declaration registers the Fastify route, validates input (clear 400s naming the parameter),
 * checks the response against its schema, renders CSV on request and feeds the OpenAPI doc.
 *
 * @example
 * export const listPartners = defineRoute({
 *   method: 'GET', path: '/api/v1/partners', summary: 'Partners', tags: ['partners'],
 *   action: 'read:partners', query: z.object({}), params: z.object({}),
 *   response: page(partnerSchema),
 *   handler: async ({ wh, scope }) => findPartners(wh, { partnerId: scope(undefined) }),
 * });
 */
import { z } from 'zod';
import { JointlyError } from '../core/errors.js';
import type { Warehouse } from '../warehouse/index.js';
import { scopeFor, type Action, type Principal } from './auth.js';
import { shareFilter, shareFilterRows } from './share-filter.js';

/** Query parameters every route accepts. */
export const formatParam = z
  .enum(['json', 'csv'])
  .optional()
  .describe('Response format; `csv` (or `Accept: text/csv`) returns the rows as CSV.');

/** Pagination parameters of list routes. */
export const pageParams = {
  limit: z.coerce.number().int().min(1).max(1000).default(50).describe('Rows per page (1-1000).'),
  offset: z.coerce.number().int().min(0).default(0).describe('Rows to skip.'),
};

/** The envelope of a paginated list. */
export function page<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int().describe('Rows matching, over all pages.'),
    limit: z.number().int(),
    offset: z.number().int(),
  });
}

/** Decimal money as a string with two decimals, base currency. */
export const money = z.string().regex(/^-?\d+\.\d{2}$/).describe('Money, base currency, decimal string.');

export interface RouteContext<P, Q> {
  wh: Warehouse;
  principal: Principal;
  params: P;
  query: Q;
  /**
   * The partner this request reads: the requested one (checked against a partner principal,
   * FORBIDDEN across partners) or the principal's own; undefined = all partners.
   */
  scope: (requested: string | undefined) => string | undefined;
}

type AnyObject = z.ZodObject<z.ZodRawShape>;

export interface RouteDef<P extends AnyObject, Q extends AnyObject, R extends z.ZodType> {
  method: 'GET';
  /** Fastify path, `:name` for parameters. */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  /** The governance action the route needs; null = any signed-in caller. */
  action: Action | null;
  /** True for routes with no partner data (the caller, the metric dictionary). */
  global?: boolean;
  /**
   * Whether the answer may be reused until the warehouse's data version changes (default true;
   * false for answers that depend on the caller or on the clock).
   */
  cacheable?: boolean;
  params: P;
  query: Q;
  response: R;
  /** Rows for CSV; defaults to `items` of a page, else the body as one row. */
  csvRows?: (body: z.output<R>) => Record<string, unknown>[];
  handler: (ctx: RouteContext<z.output<P>, z.output<Q>>) => Promise<z.input<R>>;
}

/** A route with its types erased, for the registry. */
export interface AnyRoute {
  method: 'GET';
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  action: Action | null;
  cacheable: boolean;
  params: AnyObject;
  query: AnyObject;
  response: z.ZodType;
  run: (ctx: { wh: Warehouse; principal: Principal }, rawParams: unknown, rawQuery: unknown) => Promise<RouteResult>;
}

export interface RouteResult {
  body: unknown;
  csvRows: Record<string, unknown>[];
  format: 'json' | 'csv' | undefined;
  /** Rows returned, for the access log. */
  rowsRead: number;
  /** The partner the request was scoped to, if any. */
  partnerId: string | undefined;
  /** The JSON text of `body`, kept once rendered (answers are reused). */
  json?: string;
}

/** Formats zod issues as one sentence naming each parameter and what was expected. */
export function describeIssues(where: string, error: z.ZodError): string {
  return error.issues
    .map((i) => {
      if (i.code === 'unrecognized_keys') {
        return `unknown ${where} parameter ${i.keys.map((k) => `"${k}"`).join(', ')}`;
      }
      const name = i.path.join('.') || '(all)';
      return `${where} parameter "${name}": ${i.message}`;
    })
    .join('; ');
}

/** Declares a route; see the module header. */
export function defineRoute<P extends AnyObject, Q extends AnyObject, R extends z.ZodType>(
  def: RouteDef<P, Q, R>,
): AnyRoute {
  const query = def.query.extend({ format: formatParam });
  return {
    method: def.method,
    path: def.path,
    summary: def.summary,
    ...(def.description ? { description: def.description } : {}),
    tags: def.tags,
    action: def.action,
    cacheable: def.cacheable ?? true,
    params: def.params,
    query,
    response: def.response,
    async run(ctx, rawParams, rawQuery) {
      const p = def.params.safeParse(rawParams ?? {});
      if (!p.success) throw new JointlyError('BAD_ARGUMENT', `Bad request: ${describeIssues('path', p.error)}.`);
      const { format: rawFormat, ...rawRest } = isRecord(rawQuery) ? rawQuery : {};
      const unknown = Object.keys(rawRest).filter((k) => !(k in def.query.shape));
      if (unknown.length) {
        const allowed = [...Object.keys(def.query.shape), 'format'].join(', ');
        throw new JointlyError(
          'BAD_ARGUMENT',
          `Bad request: unknown query parameter ${unknown.map((k) => `"${k}"`).join(', ')} (allowed: ${allowed}).`,
        );
      }
      const f = formatParam.safeParse(rawFormat);
      if (!f.success) throw new JointlyError('BAD_ARGUMENT', `Bad request: ${describeIssues('query', f.error).replace('"(all)"', '"format"')}.`);
      const q = def.query.safeParse(rawRest);
      if (!q.success) throw new JointlyError('BAD_ARGUMENT', `Bad request: ${describeIssues('query', q.error)}.`);
      const format = f.data;
      let scoped: string | undefined;
      const scope = (requested: string | undefined) => {
        scoped = def.action === null ? requested : scopeFor(ctx.principal, def.action, requested);
        return scoped;
      };
      const raw = await def.handler({ ...ctx, params: p.data, query: q.data, scope });
      if (ctx.principal.role === 'partner' && !def.global && scoped === undefined) {
        // Fail closed: a partner read must go through its scope.
        throw new JointlyError('INVARIANT_BROKEN', `Route ${def.path} did not apply the partner scope.`);
      }
      const checked = def.response.safeParse(raw);
      if (!checked.success) {
        throw new JointlyError(
          'INVARIANT_BROKEN',
          `Response of ${def.path} does not match its schema: ${describeIssues('response', checked.error)}`,
          { cause: checked.error },
        );
      }
      // A partner sees only what its sharing agreement allows (checked after the schema: fields
      // outside the agreement are absent, not null).
      const shared = ctx.principal.role === 'partner' && !def.global;
      const body = shared ? shareFilter(ctx.principal, checked.data) : checked.data;
      const fullRows = def.csvRows
        ? def.csvRows(checked.data)
        : isPage(checked.data)
          ? checked.data.items
          : [checked.data as Record<string, unknown>];
      const csvRows = shared ? shareFilterRows(ctx.principal, fullRows) : fullRows;
      return { body, csvRows, format, rowsRead: isPage(body) ? body.items.length : 1, partnerId: scoped };
    },
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPage(v: unknown): v is { items: Record<string, unknown>[] } {
  return typeof v === 'object' && v !== null && 'items' in v && Array.isArray(v.items);
}
