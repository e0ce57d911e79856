/** Small inline fixtures for the ingest tests: temp folders with named files, a fresh warehouse. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../../src/warehouse/index.js';

export function tempDir(prefix = 'jointly-ingest-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes `files` (name -> content) into a new temp folder and returns it. */
export function writeFiles(files: Record<string, string | Buffer>, dir = tempDir()): string {
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

export async function freshWarehouse(): Promise<Warehouse> {
  return Warehouse.open(join(tempDir('jointly-ingest-db-'), 'test.duckdb'));
}

/** A fixed "now" so that future-timestamp checks do not depend on the clock. */
export const NOW = new Date('2024-12-31T00:00:00Z');

export const FX = 'currency,valid_from,rate_to_base\nEUR,2024-01-01,1.10\nEUR,2024-06-01,1.20\n';
export const PARTNERS =
  'partner_id,name,partner_type,tier,aliases\n' +
  'p1,Acme Partners,reseller,gold,ACME|acme-sf\n' +
  'p2,Beta Referrals,referral,silver,\n';
export const ACCOUNTS =
  'account_id,name,domain,employees\n' + 'a1,Alpha,https://www.alpha.com/about,120\n' + 'a2,Bravo,bravo.io,40\n';
