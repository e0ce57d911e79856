/** Display formatting. Money stays a decimal string until shown; sums use BigInt cents. */

export function toCents(v: string | null | undefined): bigint {
  if (!v) return 0n;
  const m = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(v);
  if (!m) return 0n;
  const cents = BigInt(m[2] ?? '0') * 100n + BigInt(((m[3] ?? '') + '00').slice(0, 2));
  return m[1] ? -cents : cents;
}

export function fromCents(c: bigint): string {
  const neg = c < 0n;
  const a = neg ? -c : c;
  return `${neg ? '-' : ''}${a / 100n}.${(a % 100n).toString().padStart(2, '0')}`;
}

/** Compact money for headlines: 1234567.89 -> "$1.23M". */
export function money(v: string | null | undefined): string {
  if (v === null || v === undefined) return '—';
  const n = Number(v);
  const abs = Math.abs(n);
  const sign = n < 0 ? '-' : '';
  if (abs >= 1e9) return `${sign}$${(abs / 1e9).toFixed(2)}B`;
  if (abs >= 1e6) return `${sign}$${(abs / 1e6).toFixed(2)}M`;
  if (abs >= 1e4) return `${sign}$${(abs / 1e3).toFixed(1)}k`;
  return `${sign}$${abs.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** Exact money with grouping: "1,234,567.89". */
export function moneyExact(v: string | null | undefined): string {
  if (v === null || v === undefined) return '—';
  const [w = '0', f = '00'] = v.replace('-', '').split('.');
  return `${v.startsWith('-') ? '-' : ''}$${w.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${f.padEnd(2, '0')}`;
}

export function pct(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`;
}

export function ratio(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : `${v.toFixed(2)}×`;
}

export function count(v: number | string | null | undefined): string {
  return v === null || v === undefined ? '—' : Number(v).toLocaleString('en-US');
}

export function quarterOf(month: string): string {
  const [y, m] = month.split('-');
  return `${y}-Q${Math.floor((Number(m) - 1) / 3) + 1}`;
}
