/**
 * Loads and model runs enter the audit log even when the code that made them did not call
 * `recordAudit`: every batch in meta.batches and every finished run in meta.runs without an audit
 * entry yet gets one (`ingest.load` with the batch's actor and file counts, `model.run` with the
 * run's kind, model, config hash and status). Called by `jointly check` and the governance CLI.
 */
import type { Warehouse } from '../warehouse/index.js';
import { recordAudit } from './audit.js';

const NEW_BATCHES_SQL = `
select b.batch_id, coalesce(b.actor, 'ingest') as actor, b.status,
       count(f.file)::integer as files,
       coalesce(sum(f.rows_in), 0)::bigint::varchar as rows_in,
       coalesce(sum(f.loaded + f.updated), 0)::bigint::varchar as rows_written,
       coalesce(sum(f.quarantined), 0)::bigint::varchar as quarantined
from meta.batches b
left join meta.batch_files f on f.batch_id = b.batch_id
where b.finished_at is not null
  and not exists (select 1 from meta.audit_log a where a.action = 'ingest.load' and a.target = 'batch:' || b.batch_id)
group by b.batch_id, b.actor, b.status
order by b.batch_id`;

const NEW_RUNS_SQL = `
select r.run_id, r.kind, r.model, r.config_hash, r.status
from meta.runs r
where r.finished_at is not null
  and not exists (select 1 from meta.audit_log a where a.action = 'model.run' and a.target = 'run:' || r.run_id)
order by r.run_id`;

/**
 * Audits loads and model runs not audited yet; returns how many entries it wrote.
 *
 * @example
 * await auditLoadsAndRuns(wh); // { batches: 2, runs: 5 }
 */
export async function auditLoadsAndRuns(wh: Warehouse): Promise<{ batches: number; runs: number }> {
  const batches = await wh.all<{ batch_id: number; actor: string; status: string; files: number; rows_in: string; rows_written: string; quarantined: string }>(NEW_BATCHES_SQL);
  for (const b of batches) {
    await recordAudit(wh, {
      actor: b.actor,
      action: 'ingest.load',
      target: `batch:${b.batch_id}`,
      details: { status: b.status, files: b.files, rows_in: Number(b.rows_in), rows_written: Number(b.rows_written), quarantined: Number(b.quarantined) },
    });
  }
  const runs = await wh.all<{ run_id: number; kind: string; model: string; config_hash: string | null; status: string }>(NEW_RUNS_SQL);
  for (const r of runs) {
    await recordAudit(wh, { actor: 'system', action: 'model.run', target: `run:${r.run_id}`, details: { kind: r.kind, model: r.model, config_hash: r.config_hash, status: r.status } });
  }
  return { batches: batches.length, runs: runs.length };
}
