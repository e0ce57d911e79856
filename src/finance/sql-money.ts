import type { SqlValue, Warehouse } from '../warehouse/index.js';
/**
 * SQL fragments for exact money in DuckDB. Amounts inside finance queries are HUGEINT cents;
 * they become DECIMAL(18,2) only on the way out. (DuckDB evaluates DECIMAL / INTEGER as DOUBLE,
 * so cents are turned into decimals by multiplying with DECIMAL 0.01, never by dividing.)
 *
 * @example
 * `select ${centsToDecimal('c')} as amount from ...`
 */

/** HUGEINT cents -> DECIMAL(18,2), exactly. */
export function centsToDecimal(expr: string): string {
  return `((${expr})::DECIMAL(38,0) * 0.01::DECIMAL(3,2))::DECIMAL(18,2)`;
}

/** DECIMAL money -> HUGEINT cents, exactly. */
export function decimalToCents(expr: string): string {
  return `((${expr}) * 100)::HUGEINT`;
}

/** num / den rounded half away from zero, in integers (den > 0). */
export function divRoundSql(num: string, den: string): string {
  return `(sign(${num})::HUGEINT * ((2 * abs(${num})::HUGEINT + (${den})::HUGEINT) // (2 * (${den})::HUGEINT)))`;
}

/**
 * Largest-remainder split in SQL. `input` is a select with columns `grp` (the amount being
 * split), `k` (a unique key within the group: ties in the remainder go to the smaller `k`),
 * `total` (HUGEINT cents, the same on every row of a group) and `w` (non-negative integer weight;
 * every group needs a positive sum). Returns `grp, k, part` with parts adding up to `total`
 * exactly; a negative total is split as its absolute value and negated.
 */
export function largestRemainderSql(input: string): string {
  return `
select grp, k, (case when total < 0 then -1 else 1 end)::HUGEINT * (base + case when rk <= left_over then 1 else 0 end) as part
from (
  select *, abs(total) - sum(base) over (partition by grp) as left_over,
    row_number() over (partition by grp order by rem desc, k) as rk
  from (
    select grp, k, total, w,
      (abs(total) * w) // sum(w) over (partition by grp) as base,
      (abs(total) * w) % sum(w) over (partition by grp) as rem
    from (select grp, k, total::HUGEINT as total, w::HUGEINT as w from (${input}))
  )
)`;
}

/**
 * Inserts small, config-sized rows (plans, stage probabilities, per-partner totals) in one
 * statement with every value bound. Not for bulk data: that stays in SQL.
 *
 * @example
 * await insertRows(wh, 'fc_stage', [['Proposal', 0.4, 0.3, 0.5]]);
 */
export async function insertRows(wh: Warehouse, table: string, rows: readonly (readonly SqlValue[])[]): Promise<void> {
  if (rows.length === 0) return;
  if (!/^[a-z_][a-z0-9_.]*$/.test(table)) throw new Error(`Unsafe table name: ${table}`);
  const values: SqlValue[] = [];
  const tuples = rows.map((r) => `(${r.map((v) => { values.push(v); return `$${values.length}`; }).join(', ')})`);
  await wh.run({ text: `insert into ${table} values ${tuples.join(', ')}`, values });
}
