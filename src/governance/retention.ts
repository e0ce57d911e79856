/**
 * `jointly retention-purge`: deletes a partner's rows (touchpoints, feedback, experiment
 * assignments, and their replaced versions in core.*_history) older than its data-sharing
 * agreement's retention, set-wise in one transaction. The audit log records the counts per table
 * and partner, never the content. `dryRun` only counts.
 *
 * Not yet: touches of a joint activity that carry no partner_id are not treated as partner data.
 */
import { ident, sql, type Warehouse } from '../warehouse/index.js';
import { recordAudit } from './audit.js';
import { RETENTION_TABLES, loadSharingConfig, type RetentionTable } from './sharing.js';

export interface PurgeCount {
  table: RetentionTable;
  partner_id: string;
  retention_days: number;
  rows: number;
  history_rows: number;
}

export interface PurgeResult {
  dryRun: boolean;
  asOf: string;
  removed: PurgeCount[];
  totalRows: number;
}

function dueSql(table: RetentionTable, target: string): string {
  const { time, partner } = RETENTION_TABLES[table];
  return `from ${target} t
    join gov_retention r on r.table_name = '${table}' and r.partner_id = t.${ident(partner)}
    where t.${ident(time)} < $1::timestamp - to_days(r.days)`;
}

/**
 * Purges (or with dryRun counts) rows past their partner's retention period.
 *
 * @example
 * const { removed } = await purgeRetention(wh, { actor: 'cli:ops', dryRun: true });
 */
export async function purgeRetention(
  wh: Warehouse,
  opts: { actor: string; dryRun?: boolean; configDir?: string; now?: string },
): Promise<PurgeResult> {
  const cfg = loadSharingConfig(opts.configDir);
  // The warehouse's clock, in the same time zone as the timestamps ingest and runs write with now().
  const asOf = opts.now ?? (await wh.get<{ t: string }>(`select strftime(now()::timestamp, '%Y-%m-%dT%H:%M:%S.%f') as t`, 'clock')).t;
  const dryRun = opts.dryRun ?? false;
  const tables = Object.keys(RETENTION_TABLES) as RetentionTable[];
  const removed = await wh.transaction(async (tx) => {
    // The policy: one row per (table, partner) present in the data, from its agreement or defaults.
    await tx.run(`create or replace temp table gov_retention (table_name VARCHAR, partner_id VARCHAR, days INTEGER)`);
    for (const table of tables) {
      const partnerCol = ident(RETENTION_TABLES[table].partner);
      const overrides = Object.entries(cfg.partners)
        .filter(([, a]) => a.retention_days?.[table] !== undefined)
        .map(([id, a]) => ({ id, days: a.retention_days?.[table] ?? 0 }));
      const json = JSON.stringify(overrides);
      await tx.run(sql`insert into gov_retention
        select ${table}, p.partner_id, coalesce(o.days, ${cfg.defaults.retention_days[table] ?? null}::integer)
        from (select distinct ${{ text: partnerCol, values: [] }} as partner_id from core.${{ text: ident(table), values: [] }}
              union select distinct ${{ text: partnerCol, values: [] }} from core.${{ text: ident(table + '_history'), values: [] }}) p
        left join (select unnest(from_json(${json}::json, '[{"id":"VARCHAR","days":"INTEGER"}]'), recursive := true)) o on o.id = p.partner_id
        where p.partner_id is not null`);
    }
    await tx.run(`delete from gov_retention where days is null`);
    const counts: PurgeCount[] = [];
    for (const table of tables) {
      const main = await tx.all<{ partner_id: string; days: number; n: number }>({
        text: `select t.${ident(RETENTION_TABLES[table].partner)} as partner_id, any_value(r.days) as days, count(*)::integer as n ${dueSql(table, `core.${ident(table)}`)} group by 1`,
        values: [asOf],
      });
      const hist = await tx.all<{ partner_id: string; days: number; n: number }>({
        text: `select t.${ident(RETENTION_TABLES[table].partner)} as partner_id, any_value(r.days) as days, count(*)::integer as n ${dueSql(table, `core.${ident(table + '_history')}`)} group by 1`,
        values: [asOf],
      });
      const ids = [...new Set([...main, ...hist].map((r) => r.partner_id))].sort();
      for (const id of ids) {
        const m = main.find((r) => r.partner_id === id);
        const h = hist.find((r) => r.partner_id === id);
        counts.push({ table, partner_id: id, retention_days: m?.days ?? h?.days ?? 0, rows: m?.n ?? 0, history_rows: h?.n ?? 0 });
      }
      if (!dryRun) {
        for (const target of [`core.${ident(table)}`, `core.${ident(table + '_history')}`]) {
          const { time, partner } = RETENTION_TABLES[table];
          await tx.run({
            text: `delete from ${target} t using gov_retention r
              where r.table_name = '${table}' and r.partner_id = t.${ident(partner)} and t.${ident(time)} < $1::timestamp - to_days(r.days)`,
            values: [asOf],
          });
        }
      }
    }
    await tx.run(`drop table if exists gov_retention`);
    return counts;
  });
  const totalRows = removed.reduce((a, r) => a + r.rows + r.history_rows, 0);
  await recordAudit(wh, {
    actor: opts.actor,
    action: dryRun ? 'retention.purge.dry_run' : 'retention.purge',
    details: { as_of: asOf, total_rows: totalRows, removed: removed.map((r) => ({ ...r })) },
  });
  return { dryRun, asOf, removed, totalRows };
}
