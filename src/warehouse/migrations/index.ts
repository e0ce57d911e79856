/**
 * Versioned schema migrations, discovered: every file in this folder named `NNN-name.ts`
 * exports one `Migration` (any export whose value has `version` and `up`). Version ranges:
 * 1-9 warehouse/ingest, 10-19 attribution, 20-29 incrementality and customers, 30-39 engagement,
 * 40-49 finance, 50-59 governance, 60-69 api. A new migration is one new file.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Warehouse } from '../connection.js';
import type { Migration } from './types.js';

let cache: Migration[] | undefined;

function isMigration(v: unknown): v is Migration {
  return (
    typeof v === 'object' && v !== null && 'version' in v && 'up' in v && typeof v.up === 'function'
  );
}

export async function loadMigrations(): Promise<Migration[]> {
  if (cache) return cache;
  const dir = fileURLToPath(new URL('./', import.meta.url));
  const files = readdirSync(dir).filter((f) => /^\d{3}-.*\.(js|ts)$/.test(f) && !/\.d\.ts$|\.test\./.test(f));
  const found: Migration[] = [];
  for (const file of files) {
    const mod = (await import(new URL(`./${file}`, import.meta.url).href)) as Record<string, unknown>;
    for (const v of Object.values(mod)) if (isMigration(v)) found.push(v);
  }
  found.sort((a, b) => a.version - b.version);
  const seen = new Set<number>();
  for (const m of found) {
    if (seen.has(m.version)) throw new Error(`Two migrations share version ${m.version}`);
    seen.add(m.version);
  }
  cache = found;
  return found;
}

export async function migrate(wh: Warehouse): Promise<number[]> {
  await wh.run(`create schema if not exists meta`);
  await wh.run(`create table if not exists meta.migrations (
    version INTEGER primary key, name VARCHAR not null, applied_at TIMESTAMP not null
  )`);
  const done = new Set(
    (await wh.all<{ version: number }>('select version from meta.migrations')).map((r) => Number(r.version)),
  );
  const applied: number[] = [];
  for (const m of await loadMigrations()) {
    if (done.has(m.version)) continue;
    await wh.transaction(async (tx) => {
      await m.up(tx);
      await tx.run({
        text: 'insert into meta.migrations values ($1, $2, now())',
        values: [m.version, m.name],
      });
    });
    applied.push(m.version);
  }
  return applied;
}
