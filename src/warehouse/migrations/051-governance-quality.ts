/**
 * Governance, part 2: data quality check runs and results, report currency (read by the API and
 * dashboard: a report whose inputs failed a check is not current) and discrepancies with owners,
 * service levels and escalation.
 */
import type { Migration } from './types.js';

export const governanceQuality: Migration = {
  version: 51,
  name: 'governance: check runs and results, report status, discrepancies',
  async up(wh) {
    await wh.run(`create sequence if not exists meta.check_run_seq start 1`);
    await wh.run(`create table if not exists meta.check_runs (
      check_run_id INTEGER primary key,
      started_at TIMESTAMP not null,
      finished_at TIMESTAMP,
      status VARCHAR not null,
      n_pass INTEGER not null,
      n_warn INTEGER not null,
      n_fail INTEGER not null,
      n_skip INTEGER not null,
      config_hash VARCHAR not null,
      actor VARCHAR not null
    )`);
    await wh.run(`create table if not exists meta.check_results (
      check_run_id INTEGER not null,
      check_id VARCHAR not null,
      kind VARCHAR not null,
      table_name VARCHAR,
      column_name VARCHAR,
      status VARCHAR not null,
      severity VARCHAR not null,
      observed VARCHAR,
      threshold VARCHAR,
      message VARCHAR not null,
      affected_reports VARCHAR[],
      primary key (check_run_id, check_id)
    )`);
    await wh.run(`create table if not exists meta.report_status (
      report VARCHAR primary key,
      is_current BOOLEAN not null,
      reason VARCHAR,
      check_run_id INTEGER,
      updated_at TIMESTAMP not null
    )`);
    await wh.run(`create sequence if not exists meta.discrepancy_seq start 1`);
    await wh.run(`create table if not exists meta.discrepancies (
      discrepancy_id INTEGER primary key,
      source VARCHAR not null,
      check_id VARCHAR,
      partner_id VARCHAR,
      title VARCHAR not null,
      details JSON,
      severity VARCHAR not null,
      owner VARCHAR not null,
      status VARCHAR not null,
      opened_by VARCHAR not null,
      opened_at TIMESTAMP not null,
      due_at TIMESTAMP not null,
      escalate_to VARCHAR,
      escalated_at TIMESTAMP,
      resolved_at TIMESTAMP,
      resolution VARCHAR
    )`);
  },
};
