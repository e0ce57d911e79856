/**
 * CSV rendering for `?format=csv` (RFC 4180: comma, CRLF, quotes doubled). Nested values
 * (arrays, objects) are written as JSON text in one cell; null is an empty cell.
 *
 * @example
 * toCsv([{ a: 1, b: 'x,y' }]) // => 'a,b\r\n1,"x,y"\r\n'
 */
export function toCsv(rows: readonly Record<string, unknown>[]): string {
  const headers: string[] = [];
  for (const row of rows) for (const k of Object.keys(row)) if (!headers.includes(k)) headers.push(k);
  const lines = [headers.map(cell).join(',')];
  for (const row of rows) lines.push(headers.map((h) => cell(row[h])).join(','));
  return lines.join('\r\n') + '\r\n';
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  // Guard spreadsheet formula injection as well as quoting.
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
