/**
 * Statement periods: a quarter (`2026-Q3`), a month (`2026-07`), a year (`2026`) or an explicit
 * range (`2026-07-01..2026-09-30`, both days included). All dates are UTC calendar days.
 *
 * @example
 * parsePeriod('2026-Q3') // => { label: '2026-Q3', start: '2026-07-01', end: '2026-09-30' }
 */
import { JointlyError } from '../core/index.js';

export interface Period {
  label: string;
  /** First day, inclusive (YYYY-MM-DD). */
  start: string;
  /** Last day, inclusive (YYYY-MM-DD). */
  end: string;
}

const iso = (d: Date): string => d.toISOString().slice(0, 10);
const lastDay = (y: number, m: number): string => iso(new Date(Date.UTC(y, m, 0)));

/** Parses a period label; throws BAD_ARGUMENT with the accepted forms. */
export function parsePeriod(text: string): Period {
  const t = text.trim();
  let m = /^(\d{4})-Q([1-4])$/.exec(t);
  if (m) {
    const y = Number(m[1]);
    const q = Number(m[2]);
    return { label: t, start: iso(new Date(Date.UTC(y, 3 * (q - 1), 1))), end: lastDay(y, 3 * q) };
  }
  m = /^(\d{4})-(\d{2})$/.exec(t);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    return { label: t, start: iso(new Date(Date.UTC(y, mo - 1, 1))), end: lastDay(y, mo) };
  }
  m = /^(\d{4})$/.exec(t);
  if (m) return { label: t, start: `${m[1]}-01-01`, end: `${m[1]}-12-31` };
  m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(t);
  if (m && m[1] && m[2] && validDate(m[1]) && validDate(m[2]) && m[1] <= m[2]) {
    return { label: t, start: m[1], end: m[2] };
  }
  throw new JointlyError(
    'BAD_ARGUMENT',
    `Expected a period like 2026-Q3, 2026-07, 2026 or 2026-07-01..2026-09-30, got "${text}".`,
  );
}

function validDate(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && iso(d) === s;
}

/** The quarter containing `day` (YYYY-MM-DD) and the `n` following ones. */
export function quartersFrom(day: string, n: number): Period[] {
  const y0 = Number(day.slice(0, 4));
  const q0 = Math.floor((Number(day.slice(5, 7)) - 1) / 3);
  return Array.from({ length: n }, (_, i) => {
    const y = y0 + Math.floor((q0 + i) / 4);
    const q = ((q0 + i) % 4) + 1;
    return parsePeriod(`${y}-Q${q}`);
  });
}
