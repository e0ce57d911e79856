/**
 * Every metric the dashboard labels with a definition (a `metric` on a headline card or a table
 * column) and every metric a sharing agreement names is defined in config/metrics.yaml, so no
 * number shows "no definition in the metric dictionary".
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { listMetrics, loadSharingConfig } from '../../src/governance/index.js';

const webSrc = fileURLToPath(new URL('../../src/web/src/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}

/** `metric="x"` (JSX) and `metric: 'x'` (column specs) in the dashboard sources. */
function labelledMetrics(): Map<string, string> {
  const found = new Map<string, string>();
  for (const f of files(webSrc)) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\bmetric(?:=|:\s*)["']([a-z][a-z0-9_]*)["']/g)) found.set(m[1] ?? '', f);
  }
  return found;
}

describe('metric dictionary', () => {
  test('the scan finds the dashboard\'s labelled metrics', () => {
    // Guards the scan itself: these are on the overview cards and attribution columns.
    expect([...labelledMetrics().keys()]).toEqual(expect.arrayContaining(['sourced_pipeline', 'attributed_revenue', 'incremental_revenue']));
  });

  test('every metric the dashboard labels is defined', () => {
    const defined = new Set(listMetrics().map((m) => m.name));
    const missing = [...labelledMetrics()].filter(([m]) => !defined.has(m)).map(([m, f]) => `${m} (${f})`);
    expect(missing).toEqual([]);
  });

  test('every definition has a description, formula, unit, owner and approval date', () => {
    for (const m of listMetrics()) {
      expect(m.description.length, m.name).toBeGreaterThan(10);
      expect(m.formula.length, m.name).toBeGreaterThan(3);
      expect(m.owner, m.name).toMatch(/\S/);
      expect(m.approved_at, m.name).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  test('sharing agreements name only defined metrics', () => {
    const defined = new Set(listMetrics().map((m) => m.name));
    const cfg = loadSharingConfig();
    const named = [...cfg.defaults.metrics, ...Object.values(cfg.partners).flatMap((p) => p.metrics ?? [])];
    expect(named.filter((m) => !defined.has(m))).toEqual([]);
  });
});
