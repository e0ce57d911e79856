/**
 * The HTTP server: Fastify with the versioned JSON API under /api/v1, the OpenAPI document at
 * /api/docs, and the dashboard (src/web/dist) as static files with an SPA fallback.
 *
 * Errors are mapped once here: a JointlyError of a user kind answers with its HTTP status and
 * `{ error: { code, message } }`; anything else is logged and answers a generic 500 without
 * details.
 *
 * @example
 * const app = await buildServer({ wh });
 * const res = await app.inject({ url: '/api/v1/health' });
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isJointlyError, messageOf } from '../core/errors.js';
import { flagUnusualAccessBatch, type AccessRead } from '../governance/index.js';
import type { Warehouse } from '../warehouse/index.js';
import { authenticateRequest, authorizeAction, type Principal } from './auth.js';
import { toCsv } from './csv.js';
import { buildOpenApi } from './openapi.js';
import { AnswerCache } from './answer-cache.js';
import type { AnyRoute, RouteResult } from './route.js';
import { ROUTES } from './routes/index.js';
import { disputeOpenApi, registerDisputeRoute } from './routes/disputes.js';

export interface ServerOptions {
  wh: Warehouse;
  /** Folder of the built dashboard; found next to the sources by default. */
  webRoot?: string;
  /** Log requests (off by default: the benchmark measures the server, not the logger). */
  logger?: boolean;
  /** Reuse answers until the data changes (default true; see answer-cache.ts). */
  cache?: boolean;
  /** Compute the dashboard's first-page answers in the background once listening (default false). */
  warmup?: boolean;
}

/** The built dashboard folder: src/web/dist next to the sources, also when running from dist/. */
export function findWebRoot(): string | undefined {
  const candidates = [
    new URL('../web/dist/', import.meta.url),
    new URL('../../../src/web/dist/', import.meta.url),
  ].map((u) => fileURLToPath(u));
  return candidates.find((c) => existsSync(`${c}index.html`));
}

// A small inline icon so browsers never log a missing favicon.
const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#1f4e79"/>' +
  '<circle cx="25" cy="32" r="13" fill="none" stroke="#fff" stroke-width="6"/>' +
  '<circle cx="39" cy="32" r="13" fill="none" stroke="#7fc8f8" stroke-width="6"/></svg>';

const NOT_BUILT_HTML =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>jointly</title>' +
  '<link rel="icon" href="/favicon.svg"></head><body><h1>jointly</h1>' +
  '<p>The dashboard is not built yet. Run <code>npx vite build --config src/web/vite.config.ts</code> ' +
  'and reload. The API is available under <a href="/api/docs">/api/docs</a>.</p></body></html>';

function wantsCsv(request: FastifyRequest, format: 'json' | 'csv' | undefined): boolean {
  if (format) return format === 'csv';
  const accept = request.headers.accept ?? '';
  return /\btext\/csv\b/.test(accept) && !/application\/json/.test(accept);
}

function csvName(path: string): string {
  return path.replace(/^\/api\/v1\//, '').replace(/[:/]+/g, '-').replace(/-+$/, '') || 'export';
}

function requestedPartner(request: FastifyRequest): string | undefined {
  for (const bag of [request.params, request.query]) {
    if (typeof bag === 'object' && bag !== null && 'partnerId' in bag && typeof bag.partnerId === 'string') {
      return bag.partnerId;
    }
  }
  return undefined;
}

/**
 * Records reads in governance's access log (and flags unusual ones) after answering, in batches:
 * reads are buffered and written every `ACCESS_FLUSH_MS` in a few set-wise statements, so a
 * request never waits on the log and the log does not hold the connection per request. A
 * failure to log is reported, never swallowed; closing the server flushes what is buffered.
 */
const ACCESS_FLUSH_MS = 250;

class AccessLog {
  private buffer: AccessRead[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly wh: Warehouse,
    private readonly pending: Set<Promise<unknown>>,
  ) {}

  add(principal: Principal, rowsRead: number, partnerId: string | undefined): void {
    if (principal.tokenId === 'env-admin') return;
    this.buffer.push({ principal, rowsRead, partnerId });
    this.timer ??= setTimeout(() => this.flush(), ACCESS_FLUSH_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length === 0) return;
    const write = flagUnusualAccessBatch(this.wh, batch)
      .catch((error: unknown) => process.stderr.write(`jointly serve: access log failed: ${messageOf(error)}\n`))
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
  }
}

/** The cache key of a request: route, parameters, query (sorted, format included) and the caller's partner scope. */
function cacheKey(route: AnyRoute, principal: Principal, params: unknown, query: unknown): string {
  const sorted = (v: unknown) =>
    typeof v === 'object' && v !== null ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : {};
  return JSON.stringify([route.path, principal.role === 'partner' ? `partner:${principal.partnerId ?? ''}` : 'staff', sorted(params), sorted(query)]);
}

function register(
  app: FastifyInstance,
  wh: Warehouse,
  route: AnyRoute,
  access: AccessLog,
  cache: AnswerCache<RouteResult> | undefined,
): void {
  app.route({
    method: route.method,
    url: route.path,
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const principal = await authenticateRequest(wh, request.headers.authorization);
      if (route.action) authorizeAction(principal, route.action);
      let result;
      try {
        const run = () => route.run({ wh, principal }, request.params, request.query);
        result = cache && route.cacheable ? await cache.get(cacheKey(route, principal, request.params, request.query), run) : await run();
      } catch (error) {
        if (isJointlyError(error) && error.code === 'FORBIDDEN') access.add(principal, 0, requestedPartner(request));
        throw error;
      }
      access.add(principal, result.rowsRead, result.partnerId);
      reply.header('cache-control', 'no-store');
      if (wantsCsv(request, result.format)) {
        authorizeAction(principal, 'export');
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${csvName(route.path)}.csv"`);
        return toCsv(result.csvRows);
      }
      reply.type('application/json; charset=utf-8');
      result.json ??= JSON.stringify(result.body);
      return result.json;
    },
  });
}

// What the dashboard asks first (query values as the URL parser gives them: strings).
const WARM_REQUESTS: { path: string; query: Record<string, string> }[] = [
  { path: '/api/v1/models', query: {} },
  { path: '/api/v1/metrics', query: { limit: '1000' } },
  { path: '/api/v1/overview', query: {} },
  { path: '/api/v1/attribution', query: { by: 'partner', limit: '100', offset: '0' } },
  { path: '/api/v1/attribution', query: { by: 'activity', limit: '100', offset: '0' } },
];

/** The first pages again for every other model with a run (the model chooser's choices). */
async function perModelRequests(wh: Warehouse): Promise<{ path: string; query: Record<string, string> }[]> {
  const models = await wh.all<{ model: string }>(
    `select distinct model from meta.runs where kind = 'attribution' and status = 'succeeded' order by model`,
  );
  return models.flatMap(({ model }): { path: string; query: Record<string, string> }[] => [
    { path: '/api/v1/overview', query: { model } },
    { path: '/api/v1/attribution', query: { model, by: 'partner', limit: '100', offset: '0' } },
    { path: '/api/v1/attribution', query: { model, by: 'activity', limit: '100', offset: '0' } },
  ]);
}

/**
 * Computes the first-page answers for staff callers, so the first visitor does not wait: the
 * default model's pages first, then each model's (precomputed once per run: answers are kept
 * until the data version changes).
 */
async function warmCache(wh: Warehouse, cache: AnswerCache<RouteResult>): Promise<void> {
  const system: Principal = { userId: 'system-warmup', name: 'warm-up', role: 'admin', tokenId: 'env-admin' };
  for (const w of [...WARM_REQUESTS, { path: '/api/v1/report-status', query: {} }, ...(await perModelRequests(wh))]) {
    const route = ROUTES.find((r) => r.path === w.path);
    if (!route) continue;
    try {
      await cache.get(cacheKey(route, system, {}, w.query), () => route.run({ wh, principal: system }, {}, w.query));
    } catch (error) {
      // No data yet (no run) is normal right after a fresh install; anything else is reported.
      if (!(isJointlyError(error) && error.kind === 'user')) throw error;
    }
  }
}

/** Builds the Fastify app (not listening); tests use `app.inject`. */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { wh } = options;
  const app = Fastify({ logger: options.logger ?? false });
  // Access-log writes run after the answer; closing waits for them so the warehouse closes clean.
  const pending = new Set<Promise<unknown>>();
  const access = new AccessLog(wh, pending);
  app.addHook('onClose', async () => {
    access.flush();
    await Promise.allSettled([...pending]);
  });

  app.setErrorHandler((error, request, reply) => {
    if (isJointlyError(error) && error.kind === 'user') {
      void reply.status(error.httpStatus).send({ error: { code: error.code, message: error.message } });
      return;
    }
    const status = (error as { statusCode?: unknown }).statusCode;
    if (!isJointlyError(error) && typeof status === 'number' && status >= 400 && status < 500) {
      // Fastify's own client errors (malformed URL, unsupported media type).
      void reply.status(status).send({ error: { code: 'BAD_ARGUMENT', message: (error as Error).message } });
      return;
    }
    request.log.error(error);
    if (!options.logger) process.stderr.write(`jointly serve: ${request.method} ${request.url}: ${(error as Error).message}\n`);
    void reply.status(500).send({ error: { code: 'INTERNAL', message: 'Internal error.' } });
  });

  const openapi = buildOpenApi(ROUTES);
  const paths = openapi['paths'];
  if (typeof paths === 'object' && paths !== null) Object.assign(paths, { '/api/v1/disputes': disputeOpenApi() });
  // GET /api/docs: the OpenAPI 3.1 document of every route (no token needed).
  app.get('/api/docs', async () => openapi);
  // GET /api/v1/health: liveness for scripts and the demo (no token needed).
  app.get('/api/v1/health', async () => ({ ok: true }));
  const cache = options.cache === false ? undefined : new AnswerCache<RouteResult>(wh);
  for (const route of ROUTES) register(app, wh, route, access, cache);
  registerDisputeRoute(app, wh);
  if (cache && options.warmup) {
    app.addHook('onReady', async () => {
      const warm = warmCache(wh, cache).catch((error: unknown) =>
        process.stderr.write(`jointly serve: warm-up failed: ${messageOf(error)}\n`),
      );
      pending.add(warm);
      void warm.finally(() => pending.delete(warm));
    });
  }

  // GET /favicon.svg and /favicon.ico: the icon.
  app.get('/favicon.svg', async (_req, reply) => reply.type('image/svg+xml').send(FAVICON_SVG));
  app.get('/favicon.ico', async (_req, reply) => reply.type('image/svg+xml').send(FAVICON_SVG));

  const webRoot = options.webRoot ?? findWebRoot();
  // A wildcard route looks files up per request, so a dashboard rebuilt while the server runs
  // (new hashed asset names) is served without a restart.
  if (webRoot) {
    await app.register(fastifyStatic, { root: webRoot, wildcard: true, index: false });
    // GET /: the dashboard (the static wildcard refuses to list the folder itself).
    app.get('/', async (_req, reply) => reply.type('text/html').sendFile('index.html'));
  }

  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api/') || request.method !== 'GET') {
      void reply
        .status(404)
        .send({ error: { code: 'NOT_FOUND', message: `No route ${request.method} ${request.url.split('?')[0]}.` } });
      return;
    }
    // A missing file (a path with an extension) is a 404, never the dashboard page served as
    // HTML in its place.
    const path = request.url.split('?')[0] ?? '';
    if (/\.[A-Za-z0-9]+$/.test(path.slice(path.lastIndexOf('/') + 1))) {
      void reply.status(404).type('text/plain').send(`Not found: ${path}`);
      return;
    }
    // SPA fallback: every other page is the dashboard; its router shows the right screen.
    if (webRoot) void reply.type('text/html').sendFile('index.html');
    else void reply.type('text/html').send(NOT_BUILT_HTML);
  });
  return app;
}
