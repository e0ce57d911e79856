import { describe, expect, test } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse, sql } from '../../src/warehouse/index.js';
import {
  ACTIONS,
  authenticate,
  authorize,
  createToken,
  createUser,
  filterSharedFields,
  flagUnusualAccess,
  getSharingAgreement,
  listAudit,
  partnerScope,
  recordAudit,
  revokeToken,
  revokeUser,
  verifyAuditChain,
  type Principal,
} from '../../src/governance/index.js';
import * as governance from '../../src/governance/index.js';

function tempDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'jointly-gov-')), 'test.duckdb');
}

const partnerP1: Principal = { userId: 'u1', name: 'Acme portal', role: 'partner', partnerId: 'P001', tokenId: 't1' };
const analyst: Principal = { userId: 'u2', name: 'Ana', role: 'analyst', tokenId: 't2' };

describe('access control', () => {
  test('a token is stored hashed, authenticates once created and fails once revoked', async () => {
    const wh = await Warehouse.open(tempDb());
    const { userId } = await createUser(wh, { name: 'Acme portal', role: 'partner', partnerId: 'P001', email: 'pat@acme.example' });
    const { tokenId, token } = await createToken(wh, { userId, label: 'portal' });
    expect(token.startsWith(`jt_${tokenId}.`)).toBe(true);
    const stored = await wh.all(`select * from meta.tokens`);
    const users = await wh.all(`select * from meta.users`);
    // Neither the raw token, its secret, nor the email is anywhere in the tables.
    const secret = token.split('.')[1] ?? '';
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(JSON.stringify(users)).not.toContain('pat@acme.example');
    expect(await authenticate(wh, token)).toEqual({ userId, name: 'Acme portal', role: 'partner', partnerId: 'P001', tokenId });
    // One changed character, an unknown id, garbage: all refused.
    const tampered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expect(await authenticate(wh, tampered)).toBeUndefined();
    expect(await authenticate(wh, `jt_000000000000.${secret}`)).toBeUndefined();
    expect(await authenticate(wh, 'hello')).toBeUndefined();
    await revokeToken(wh, tokenId);
    expect(await authenticate(wh, token)).toBeUndefined();
    await wh.close();
  });

  test('revoking a user revokes its tokens', async () => {
    const wh = await Warehouse.open(tempDb());
    const { userId } = await createUser(wh, { name: 'Fin', role: 'finance' });
    const a = await createToken(wh, { userId });
    const b = await createToken(wh, { userId });
    expect((await authenticate(wh, a.token))?.role).toBe('finance');
    expect(await revokeUser(wh, userId)).toEqual({ tokensRevoked: 2 });
    expect(await authenticate(wh, a.token)).toBeUndefined();
    expect(await authenticate(wh, b.token)).toBeUndefined();
    await expect(createToken(wh, { userId })).rejects.toThrow(/revoked/);
    await wh.close();
  });

  test('a partner principal may read its own partner and no other, on every action', () => {
    expect(partnerScope(partnerP1)).toBe('P001');
    expect(partnerScope(analyst)).toBeUndefined();
    for (const action of ['read:reports', 'read:partners', 'read:credits', 'read:payouts', 'read:engagement', 'export']) {
      expect(() => authorize(partnerP1, action, { partnerId: 'P001' })).not.toThrow();
      expect(() => authorize(partnerP1, action, { partnerId: 'P002' })).toThrow(/only access partner P001/);
      expect(() => authorize(partnerP1, action, {})).toThrow(/partner scope/);
      expect(() => authorize(analyst, action, { partnerId: 'P002' })).not.toThrow();
    }
    for (const action of ACTIONS.filter((a) => a.startsWith('write:') && a !== 'write:disputes')) {
      expect(() => authorize(partnerP1, action, { partnerId: 'P001' })).toThrow(/may not/);
    }
    expect(() => authorize(analyst, 'write:users', {})).toThrow(/may not/);
    expect(() => authorize(analyst, 'delete:everything', {})).toThrow(/Unknown action/);
  });

  test('internal roles get exactly their permissions', () => {
    const as = (role: Principal['role']): Principal => ({ userId: 'u', name: 'n', role, tokenId: 't' });
    const allowed = (role: Principal['role']) => ACTIONS.filter((a) => {
      try {
        authorize(as(role), a, {});
        return true;
      } catch {
        return false;
      }
    });
    expect(allowed('admin')).toEqual([...ACTIONS]);
    expect(allowed('executive').filter((a) => a.startsWith('write:'))).toEqual([]);
    expect(allowed('finance').filter((a) => a.startsWith('write:'))).toEqual(['write:payouts', 'write:discrepancies', 'write:disputes']);
    expect(allowed('analyst').filter((a) => a.startsWith('write:'))).toEqual(['write:ingest', 'write:runs', 'write:discrepancies', 'write:disputes']);
    for (const role of ['analyst', 'finance', 'partner_manager', 'executive'] as const) {
      expect(allowed(role)).not.toContain('read:audit');
      expect(allowed(role)).not.toContain('write:users');
    }
  });

  test('a partner sees only its own rows and only agreed fields and metrics', () => {
    const rows = [
      { partner_id: 'P001', attributed_revenue: '100.00', internal_margin: '30.00' },
      { partner_id: 'P002', attributed_revenue: '999.00', internal_margin: '1.00' },
      { partner_id: 'P001', metric: 'cost_per_attributed_dollar', value: '0.12' },
      { partner_id: 'P001', metric: 'sourced_pipeline', value: '5000.00' },
    ];
    expect(filterSharedFields(partnerP1, rows)).toEqual([
      { partner_id: 'P001', attributed_revenue: '100.00' },
      { partner_id: 'P001', metric: 'sourced_pipeline', value: '5000.00' },
    ]);
    expect(filterSharedFields(analyst, rows)).toEqual(rows);
    const p3 = getSharingAgreement('P0003');
    expect(p3.metrics).not.toContain('engagement_score');
    expect(p3.retentionDays).toEqual({ touchpoints: 365, feedback: 365, experiments: 1095 });
    expect(getSharingAgreement('P001').isDefault).toBe(true);
  });

  test('unusual access: a read far above the usual volume and another partner scope are flagged', async () => {
    const wh = await Warehouse.open(tempDb());
    for (const n of [100, 120, 90, 110, 100]) {
      expect((await flagUnusualAccess(wh, partnerP1, { rowsRead: n, partnerId: 'P001' })).flagged).toBe(false);
    }
    expect(await flagUnusualAccess(wh, partnerP1, { rowsRead: 500, partnerId: 'P001' })).toEqual({ flagged: false, reasons: [], baselineMedian: 100 });
    expect((await flagUnusualAccess(wh, partnerP1, { rowsRead: 5000, partnerId: 'P001' })).reasons).toEqual(['volume']);
    expect((await flagUnusualAccess(wh, partnerP1, { rowsRead: 10, partnerId: 'P002' })).reasons).toEqual(['scope']);
    const flags = await listAudit(wh, { action: 'access.flagged' });
    expect(flags.map((f) => f.target)).toEqual(['partner:P002', 'partner:P001']);
    await wh.close();
  });

  describe('failures', () => {
    test('a partner user needs a partner and an internal user may not have one', async () => {
      const wh = await Warehouse.open(tempDb());
      await expect(createUser(wh, { name: 'x', role: 'partner' })).rejects.toThrow(/bound to a partner/);
      await expect(createUser(wh, { name: 'x', role: 'analyst', partnerId: 'P1' })).rejects.toThrow(/internal/);
      await wh.close();
    });

    test('a sharing file with a bad key is refused naming the file and key', () => {
      const dir = mkdtempSync(join(tmpdir(), 'jointly-cfg-'));
      writeFileSync(join(dir, 'sharing.yaml'), 'defaults:\n  fields: [a]\n  metrics: [b]\n  purposes: []\n  retention_days: { touchpoints: -3 }\n');
      expect(() => getSharingAgreement('P1', dir)).toThrow(/sharing\.yaml: defaults\.purposes.*defaults\.retention_days\.touchpoints/);
      writeFileSync(join(dir, 'sharing.yaml'), 'defaults:\n  fields: [a]\n  metrics: [attributed_revenue, happiness]\n  purposes: [x]\n');
      expect(() => getSharingAgreement('P1', dir)).toThrow(/sharing\.yaml: defaults\.metrics\.1: "happiness" is not defined in metrics\.yaml/);
    });
  });
});

describe('audit log', () => {
  test('entries are appended with no personal data, and any edit or deletion is detected', async () => {
    const wh = await Warehouse.open(tempDb());
    await recordAudit(wh, { actor: 'cli:alice', action: 'ingest.load', target: 'batch:1', details: { rows: 10, email: 'a@b.example', note: 'x' } });
    await recordAudit(wh, { actor: 'cli:alice', action: 'model.run', target: 'run:1', details: { by: 'bob@corp.example' } });
    await Promise.all([1, 2, 3].map((i) => recordAudit(wh, { actor: 'cli:alice', action: 'export', target: `file:${i}` })));
    const rows = await listAudit(wh, {});
    expect(rows.map((r) => r.seq)).toEqual([5, 4, 3, 2, 1]);
    expect(rows[4]?.details).toEqual({ rows: 10, email: '[redacted]', note: '[redacted]' });
    expect(rows[3]?.details).toEqual({ by: '[redacted]' });
    expect(await verifyAuditChain(wh)).toEqual({ ok: true, rows: 5 });
    // The module offers no way to change or remove an entry.
    expect(Object.keys(governance).filter((k) => /^(update|delete|remove|edit|purge)Audit/i.test(k))).toEqual([]);
    await wh.run(sql`update meta.audit_log set target = ${'run:2'} where seq = ${2}`);
    expect(await verifyAuditChain(wh)).toEqual({ ok: false, seq: 2, reason: 'the entry was changed' });
    await wh.close();
    const wh2 = await Warehouse.open(tempDb());
    for (let i = 0; i < 3; i++) await recordAudit(wh2, { actor: 'a', action: 'x' });
    await wh2.run(`delete from meta.audit_log where seq = 2`);
    expect(await verifyAuditChain(wh2)).toEqual({ ok: false, seq: 3, reason: 'the previous entry was removed or changed' });
    await wh2.close();
  });
});
