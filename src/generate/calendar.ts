/**
 * Fixed calendar of the demo company: an "as of" date and ~2.5 years of history before it.
 * Times are whole days since the Unix epoch plus seconds in the day, formatted once per day
 * (a lookup table) because the generator formats tens of millions of timestamps.
 */

const MS_PER_DAY = 86_400_000;

/** The data's "as of" instant: nothing valid happens at or after it. */
export const AS_OF = '2026-10-31T00:00:00Z';
export const AS_OF_DAY = Date.UTC(2026, 9, 31) / MS_PER_DAY;
/** First month of history (30 months before the as-of month ends). */
export const HISTORY_START_DAY = Date.UTC(2024, 4, 1) / MS_PER_DAY;
export const MONTHS = 30;

/** First day (epoch days) of history month m (0 = May 2024). */
export const MONTH_START: readonly number[] = Array.from({ length: MONTHS + 1 }, (_, m) =>
  Date.UTC(2024, 4 + m, 1) / MS_PER_DAY,
);

const TABLE_FROM = HISTORY_START_DAY - 2000;
const TABLE_TO = AS_OF_DAY + 3000;
const DAY_STR: string[] = [];
for (let d = TABLE_FROM; d <= TABLE_TO; d++) DAY_STR.push(new Date(d * MS_PER_DAY).toISOString().slice(0, 10));
const TWO: string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** 'YYYY-MM-DD' of an epoch day. */
export function dateStr(day: number): string {
  const s = DAY_STR[day - TABLE_FROM];
  return s ?? new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** ISO timestamp 'YYYY-MM-DDTHH:MM:SSZ' of an epoch day and seconds in that day. */
export function tsStr(day: number, secondOfDay: number): string {
  const h = Math.floor(secondOfDay / 3600);
  const m = Math.floor((secondOfDay % 3600) / 60);
  const s = secondOfDay % 60;
  return `${dateStr(day)}T${TWO[h] ?? '00'}:${TWO[m] ?? '00'}:${TWO[s] ?? '00'}Z`;
}

/** Spreadsheet forms of a date/time: 'MM/DD/YYYY' and 'YYYY-MM-DD HH:MM'. */
export function usDateStr(day: number): string {
  const iso = dateStr(day);
  return `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`;
}
export function spreadsheetTsStr(day: number, secondOfDay: number): string {
  const h = Math.floor(secondOfDay / 3600);
  const m = Math.floor((secondOfDay % 3600) / 60);
  return `${dateStr(day)} ${TWO[h] ?? '00'}:${TWO[m] ?? '00'}`;
}

/** History month index (0..MONTHS-1) of an epoch day, clamped. */
export function monthOf(day: number): number {
  let m = Math.floor((day - HISTORY_START_DAY) / 30.4375);
  if (m < 0) return 0;
  if (m > MONTHS - 1) m = MONTHS - 1;
  while (m > 0 && (MONTH_START[m] ?? 0) > day) m--;
  while (m < MONTHS - 1 && (MONTH_START[m + 1] ?? Infinity) <= day) m++;
  return m;
}

/** 'YYYY-MM' of history month m. */
export function monthLabel(m: number): string {
  return dateStr(MONTH_START[m] ?? HISTORY_START_DAY).slice(0, 7);
}

/** Adds whole months to an epoch day (same day of month, clamped to the month's end). */
export function addMonths(day: number, months: number): number {
  const d = new Date(day * MS_PER_DAY);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth() + months;
  const dom = d.getUTCDate();
  const last = new Date(Date.UTC(y, mo + 1, 0)).getUTCDate();
  return Date.UTC(y, mo, Math.min(dom, last)) / MS_PER_DAY;
}

/** Formats integer cents (a safe integer) as a decimal string: 123456 -> '1234.56'. */
export function centsStr(cents: number): string {
  const neg = cents < 0;
  const abs = neg ? -cents : cents;
  const whole = Math.floor(abs / 100);
  const frac = abs - whole * 100;
  return `${neg ? '-' : ''}${whole}.${TWO[frac] ?? String(frac).padStart(2, '0')}`;
}
