/**
 * The layout rules of STYLE.md, enforced: folders by domain, arrows point down, and another
 * domain is imported only through its index.ts (core's small leaf modules excepted).
 */
import { describe, expect, test } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const SRC = resolve('src');

/** Which domains each domain may import. Surfaces sit on top. */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  warehouse: ['core'],
  generate: ['core', 'warehouse'],
  ingest: ['core', 'warehouse'],
  attribution: ['core', 'warehouse'],
  reports: ['core', 'warehouse', 'attribution'],
  incrementality: ['core', 'warehouse', 'attribution', 'reports'],
  customers: ['core', 'warehouse', 'attribution', 'reports', 'incrementality'],
  engagement: ['core', 'warehouse', 'attribution', 'reports', 'incrementality'],
  governance: ['core', 'warehouse', 'attribution', 'reports'],
  finance: ['core', 'warehouse', 'attribution', 'reports', 'incrementality', 'customers'],
  demo: ['core', 'warehouse', 'generate', 'ingest', 'attribution', 'reports', 'incrementality', 'customers', 'engagement', 'governance', 'finance'],
  api: ['core', 'warehouse', 'attribution', 'reports', 'incrementality', 'customers', 'engagement', 'governance', 'finance', 'ingest'],
  cli: ['core', 'warehouse', 'generate', 'ingest', 'attribution', 'reports', 'incrementality', 'customers', 'engagement', 'governance', 'finance', 'api', 'demo'],
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'web' || f === 'node_modules' ? [] : walk(p);
    return /\.ts$/.test(f) && !/\.test\.ts$/.test(f) ? [p] : [];
  });
}

const IMPORT_RE = /(?:from|import)\s*\(?\s*'(\.[^']+)'/g;

function imports(): { file: string; from: string; to: string; target: string }[] {
  const out: { file: string; from: string; to: string; target: string }[] = [];
  for (const file of walk(SRC)) {
    const from = relative(SRC, file).split('/')[0] ?? '';
    if (from.endsWith('.ts')) continue; // src/index.ts is the library surface
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT_RE)) {
      const spec = m[1] ?? '';
      const target = relative(SRC, resolve(dirname(file), spec));
      const to = target.split('/')[0] ?? '';
      if (to !== from) out.push({ file: relative(SRC, file), from, to, target });
    }
  }
  return out;
}

describe('architecture', () => {
  test('every domain imports only the domains below it', () => {
    const bad = imports()
      .filter((i) => ALLOWED[i.from] !== undefined && !ALLOWED[i.from]?.includes(i.to))
      .map((i) => `${i.file} -> ${i.target}`);
    expect(bad).toEqual([]);
  });

  test('another domain is imported only through its index.ts (core excepted)', () => {
    const bad = imports()
      .filter((i) => i.to !== 'core' && !/^[a-z-]+(\/[a-z-]+)?\/index\.js$/.test(i.target))
      .map((i) => `${i.file} -> ${i.target}`);
    expect(bad).toEqual([]);
  });

  test('every domain folder is known to the layering table and has a README', () => {
    const domains = readdirSync(SRC).filter((f) => statSync(join(SRC, f)).isDirectory() && f !== 'web');
    expect(domains.filter((d) => ALLOWED[d] === undefined)).toEqual([]);
    const missing = domains.filter((d) => {
      try {
        return !statSync(join(SRC, d, 'README.md')).isFile();
      } catch {
        return true;
      }
    });
    expect(missing.filter((d) => !['core', 'warehouse', 'cli', 'demo'].includes(d))).toEqual([]);
  });
});
