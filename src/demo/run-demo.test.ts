import { expect, test } from 'vitest';
import { lastFullQuarter } from './run-demo.js';

test('the last full quarter is the one that ended on or before the as-of date', () => {
  expect(lastFullQuarter('2026-10-31T00:00:00Z')).toBe('2026-Q3');
  expect(lastFullQuarter('2026-09-30T00:00:00Z')).toBe('2026-Q3');
  expect(lastFullQuarter('2026-09-29T00:00:00Z')).toBe('2026-Q2');
  expect(lastFullQuarter('2026-02-10T00:00:00Z')).toBe('2025-Q4');
});
