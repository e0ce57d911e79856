/**
 * A tiny warehouse for API tests: three partners, four accounts, activities, touches, deals,
 * one batch with a quarantined row. Inserted with SQL into the core tables (no generator
 * needed); values are small enough to check by hand.
 */
import { afterAll, beforeAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createToken, createUser, type NewUser } from '../../src/governance/index.js';
import { runAttribution } from '../../src/attribution/index.js';
import { buildServer } from '../../src/api/index.js';
import { Warehouse } from '../../src/warehouse/index.js';

export interface FixtureTokens {
  admin: string;
  analyst: string;
  partnerA: string;
  partnerB: string;
}

/** Creates a governance user with one token and returns the token. */
async function userToken(wh: Warehouse, user: NewUser): Promise<string> {
  const { userId } = await createUser(wh, user);
  return (await createToken(wh, { userId })).token;
}

export async function buildFixture(): Promise<{ dir: string; dbPath: string; tokens: FixtureTokens; cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'jointly-api-'));
  const dbPath = join(dir, 'test.duckdb');
  const wh = await Warehouse.open(dbPath);
  await wh.run(`
    insert into meta.batches values (1, '2025-01-01 00:00:00', '2025-01-01 00:00:05', 'done', 'test', null);
    insert into meta.batch_files (batch_id, file, table_name, format, rows_in, loaded, updated, duplicates, quarantined)
      values (1, 'partners.csv', 'partners', 'csv', 4, 3, 0, 0, 1);
    insert into meta.quarantine (batch_id, file, table_name, line, row_number, column_name, reason_code, reason)
      values (1, 'partners.csv', 'partners', 5, 4, 'partner_type', 'BAD_ENUM', 'partner_type "x" is not one of reseller, referral, ...');
    insert into core.partners (partner_id, name, partner_type, tier, region, joined_at, batch_id)
      values ('p_a', 'Acme Resellers', 'reseller', 'gold', 'EMEA', '2023-01-01', 1),
             ('p_b', 'Bolt Referrals', 'referral', null, 'NA', '2023-06-01', 1),
             ('p_c', 'Cloud Tech', 'technology', 'silver', null, null, 1);
    insert into core.accounts (account_id, name, domain, batch_id)
      values ('a1', 'Alpha', 'alpha.com', 1), ('a2', 'Beta', 'beta.com', 1),
             ('a3', 'Gamma', 'gamma.com', 1), ('a4', 'Delta', 'delta.com', 1);
    insert into core.activities (activity_id, partner_ids, program, activity_type, name, start_at, cost, cost_base, currency, batch_id)
      values ('act1', ['p_a'], 'co-sell', 'co_sell', 'Acme co-sell Q1', '2024-01-10', 1000.00, 1000.00, 'USD', 1),
             ('act2', ['p_a', 'p_b'], 'events', 'event', 'Joint summit', '2024-02-01', 3000.00, 3000.00, 'USD', 1),
             ('act3', ['p_c'], 'tech', 'webinar', 'Cloud webinar', '2024-03-01', 500.00, 500.00, 'USD', 1);
    insert into core.touchpoints (touchpoint_id, occurred_at, account_id, activity_id, partner_id, channel, touch_type, batch_id)
      values ('t1', '2024-01-12', 'a1', 'act1', 'p_a', 'partner', 'meeting', 1),
             ('t2', '2024-01-20', 'a1', null, null, 'paid', 'click', 1),
             ('t3', '2024-02-02', 'a2', 'act2', 'p_b', 'partner', 'attended', 1),
             ('t4', '2024-03-02', 'a3', 'act3', 'p_c', 'partner', 'attended', 1),
             ('t5', '2024-03-05', 'a4', null, null, 'organic', 'visit', 1);
    insert into core.opportunities (opportunity_id, account_id, name, type, created_at, close_date, stage, is_closed, is_won, amount, amount_base, currency, sourced_partner_id, batch_id)
      values ('o1', 'a1', 'Alpha platform', 'new_business', '2024-02-01', '2024-04-01', 'Closed Won', true, true, 12000.00, 12000.00, 'USD', 'p_a', 1),
             ('o2', 'a2', 'Beta expansion', 'expansion', '2024-02-15', null, 'Proposal', false, false, 8000.50, 8000.50, 'USD', null, 1),
             ('o3', 'a3', 'Gamma pilot', 'new_business', '2024-03-10', '2024-05-01', 'Closed Lost', true, false, 5000.00, 5000.00, 'USD', null, 1),
             ('o4', 'a4', 'Delta direct', 'new_business', '2024-03-20', '2024-06-01', 'Closed Won', true, true, 7000.00, 7000.00, 'USD', null, 1);
  `);
  // Attribution runs: first_touch first, so linear is the most recent (the default model).
  await runAttribution(wh, { model: 'first_touch' });
  await runAttribution(wh, { model: 'linear' });
  const tokens: FixtureTokens = {
    admin: await userToken(wh, { name: 'Ada Admin', role: 'admin' }),
    analyst: await userToken(wh, { name: 'Ann Analyst', role: 'analyst' }),
    partnerA: await userToken(wh, { name: 'Acme portal', role: 'partner', partnerId: 'p_a' }),
    partnerB: await userToken(wh, { name: 'Bolt portal', role: 'partner', partnerId: 'p_b' }),
  };
  await wh.close();
  return { dir, dbPath, tokens, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The answer of one in-process request. */
export interface ApiAnswer {
  status: number;
  body: string;
  type: string;
  json(): Record<string, unknown>;
}

/** A server on the fixture warehouse, set up before the file's tests and closed after them. */
export interface ApiServer {
  app: FastifyInstance;
  wh: Warehouse;
  tokens: FixtureTokens;
  /** GET with a bearer token (admin by default; null sends none). */
  get(url: string, token?: string | null, headers?: Record<string, string>): Promise<ApiAnswer>;
}

/**
 * Builds the fixture and a server on it for the calling test file (beforeAll/afterAll).
 *
 * @example
 * const api = useApiServer();
 * test('…', async () => expect((await api.get('/api/v1/partners')).status).toBe(200));
 */
export function useApiServer(): ApiServer {
  let cleanup = () => {};
  const api = {
    async get(url: string, token: string | null = api.tokens.admin, headers: Record<string, string> = {}) {
      const res = await api.app.inject({
        method: 'GET',
        url,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      });
      return {
        status: res.statusCode,
        body: res.body,
        type: String(res.headers['content-type']),
        json: () => JSON.parse(res.body) as Record<string, unknown>,
      };
    },
  } as ApiServer;
  beforeAll(async () => {
    const fx = await buildFixture();
    cleanup = fx.cleanup;
    api.tokens = fx.tokens;
    api.wh = await Warehouse.open(fx.dbPath);
    api.app = await buildServer({ wh: api.wh, webRoot: fx.dir });
  });
  afterAll(async () => {
    await api.app?.close();
    await api.wh?.close();
    cleanup();
  });
  return api;
}
