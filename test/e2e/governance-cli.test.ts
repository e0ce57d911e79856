import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/program.js';
import { Warehouse } from '../../src/warehouse/index.js';
import { authenticate } from '../../src/governance/index.js';
import { captureOutput } from './capture-output.js';

const io = captureOutput();

beforeEach(() => {
  process.env['JOINTLY_ACTOR'] = 'cli:tester';
});
afterEach(() => {
  delete process.env['JOINTLY_ACTOR'];
});

const json = <T>() => JSON.parse(io.out) as T;
const db = () => join(mkdtempSync(join(tmpdir(), 'jointly-gcli-')), 'g.duckdb');

describe('jointly user / token / audit', () => {
  test('a partner user gets a token printed once that authenticates until revoked; every step is audited', async () => {
    const file = db();
    expect(await runCli(['user', 'add', '--name', 'Acme portal', '--role', 'partner', '--partner', 'P001', '--db', file, '--json'])).toBe(0);
    const { user_id: userId } = json<{ user_id: string }>();
    expect(json<Record<string, unknown>>()).toEqual({ user_id: userId, role: 'partner', partner_id: 'P001' });
    io.out = '';
    expect(await runCli(['token', 'create', '--user', userId, '--label', 'portal', '--db', file, '--json'])).toBe(0);
    const created = json<{ token_id: string; user_id: string; token: string }>();
    expect(Object.keys(created)).toEqual(['token_id', 'user_id', 'token']);
    io.out = '';
    expect(await runCli(['token', 'list', '--db', file, '--json'])).toBe(0);
    expect(io.out).not.toContain(created.token.split('.')[1]);
    let wh = await Warehouse.open(file);
    expect((await authenticate(wh, created.token))?.partnerId).toBe('P001');
    await wh.close();
    io.out = '';
    expect(await runCli(['token', 'revoke', created.token_id, '--db', file])).toBe(0);
    expect(io.out).toBe(`revoked token ${created.token_id}\n`);
    wh = await Warehouse.open(file);
    expect(await authenticate(wh, created.token)).toBeUndefined();
    await wh.close();
    io.out = '';
    expect(await runCli(['audit', '--db', file, '--json'])).toBe(0);
    const audit = json<{ actor: string; action: string; target: string }[]>();
    expect(audit.map((a) => [a.actor, a.action, a.target])).toEqual([
      ['cli:tester', 'token.revoke', `token:${created.token_id}`],
      ['cli:tester', 'token.create', `token:${created.token_id}`],
      ['cli:tester', 'user.add', `user:${userId}`],
    ]);
    expect(io.out).not.toContain(created.token);
    io.out = '';
    expect(await runCli(['audit', '--verify', '--db', file])).toBe(0);
    expect(io.out).toBe('audit log intact: 3 entries\n');
  });

  test('jointly metrics --json lists the dictionary', async () => {
    expect(await runCli(['metrics', '--json'])).toBe(0);
    const metrics = json<{ name: string; unit: string; owner: string }[]>();
    expect(metrics.find((m) => m.name === 'payout_amount')).toMatchObject({ unit: 'currency', owner: 'Finance' });
  });

  test('check --json on an empty warehouse fails freshness and marks reports not current; discrepancies lists them', async () => {
    const file = db();
    expect(await runCli(['check', '--db', file, '--json'])).toBe(0);
    const run = json<{ status: string; counts: Record<string, number>; reports: { report: string; is_current: boolean }[]; discrepancies: { opened: number[] } }>();
    expect(run.status).toBe('fail');
    expect(run.reports.find((r) => r.report === 'attribution')?.is_current).toBe(false);
    expect(run.reports.find((r) => r.report === 'data_quality')?.is_current).toBe(true);
    io.out = '';
    expect(await runCli(['report-status', '--db', file])).toBe(0);
    expect(io.out).toMatch(/attribution\s+NO\s+1\s+failed checks: freshness:opportunities, freshness:touchpoints/);
    io.out = '';
    expect(await runCli(['discrepancies', 'list', '--db', file, '--json'])).toBe(0);
    expect(json<unknown[]>().length).toBe(run.discrepancies.opened.length);
    io.out = '';
    expect(await runCli(['discrepancies', 'resolve', String(run.discrepancies.opened[0]), '--note', 'first load is tonight', '--db', file])).toBe(0);
    expect(await runCli(['check', '--db', file, '--fail-on-error'])).not.toBe(0);
    expect(io.err).toMatch(/^jointly: \d+ data quality checks failed \(check run 2\)\.\n$/);
  });

  describe('failures', () => {
    test('bad role, partner for an internal role, unknown token and unknown discrepancy are one-line errors', async () => {
      const file = db();
      expect(await runCli(['user', 'add', '--name', 'x', '--role', 'boss', '--db', file])).toBe(2);
      expect(io.err).toBe('jointly: --role expects one of admin, analyst, finance, partner_manager, executive, partner, got "boss".\n');
      io.err = '';
      expect(await runCli(['user', 'add', '--name', 'x', '--role', 'analyst', '--partner', 'P1', '--db', file])).toBe(2);
      expect(io.err).toMatch(/^jointly: Only partner users are bound to a partner/);
      io.err = '';
      expect(await runCli(['token', 'revoke', 'abcdefabcdef', '--db', file])).toBe(66);
      expect(io.err).toBe('jointly: No token abcdefabcdef.\n');
      io.err = '';
      expect(await runCli(['discrepancies', 'resolve', '42', '--note', 'x', '--db', file])).toBe(66);
      expect(io.err).toMatch(/No discrepancy 42/);
    });
  });
});
