/**
 * The stages as schemas (STYLE.md: Pipeline): raw -> core -> model -> report; meta holds load
 * batches, quarantine, runs and the migration record. Core tables come from tables.ts.
 */
import type { Migration } from './types.js';
import { TABLES, TABLE_NAMES, storedColumns, LINEAGE_COLUMNS, ident } from '../tables.js';

function coreTableDdl(table: (typeof TABLE_NAMES)[number], suffix = ''): string {
  const spec = TABLES[table];
  const cols = spec.columns.flatMap(storedColumns).map((c) => `${ident(c.name)} ${c.type}`);
  const lineage = LINEAGE_COLUMNS.map((c) => `${ident(c.name)} ${c.type}`);
  const extra = suffix ? ['replaced_at TIMESTAMP', 'replaced_by_batch INTEGER'] : [];
  return `create table if not exists core.${ident(table + suffix)} (${[...cols, ...lineage, ...extra].join(', ')})`;
}

export const init: Migration = {
  version: 1,
  name: 'init: stage schemas, canonical core tables with history, batches, quarantine, runs',
  async up(wh) {
    for (const schema of ['raw', 'core', 'model', 'report', 'meta']) {
      await wh.run(`create schema if not exists ${schema}`);
    }
    for (const t of TABLE_NAMES) {
      await wh.run(coreTableDdl(t));
      await wh.run(coreTableDdl(t, '_history'));
    }
    await wh.run(`create table if not exists core.account_aliases (
      alias_id VARCHAR primary key,
      account_id VARCHAR not null,
      reason VARCHAR not null,
      batch_id INTEGER
    )`);
    await wh.run(`create sequence if not exists meta.batch_seq start 1`);
    await wh.run(`create table if not exists meta.batches (
      batch_id INTEGER primary key,
      started_at TIMESTAMP not null,
      finished_at TIMESTAMP,
      status VARCHAR not null,
      actor VARCHAR,
      message VARCHAR
    )`);
    await wh.run(`create table if not exists meta.batch_files (
      batch_id INTEGER not null,
      file VARCHAR not null,
      table_name VARCHAR not null,
      format VARCHAR not null,
      file_sha256 VARCHAR,
      rows_in BIGINT not null,
      loaded BIGINT not null,
      updated BIGINT not null,
      duplicates BIGINT not null,
      quarantined BIGINT not null,
      amount_total_base DECIMAL(18,2)
    )`);
    await wh.run(`create table if not exists meta.quarantine (
      batch_id INTEGER not null,
      file VARCHAR not null,
      table_name VARCHAR not null,
      line BIGINT,
      row_number BIGINT not null,
      column_name VARCHAR,
      reason_code VARCHAR not null,
      reason VARCHAR not null,
      raw JSON
    )`);
    await wh.run(`create sequence if not exists meta.run_seq start 1`);
    await wh.run(`create table if not exists meta.runs (
      run_id INTEGER primary key,
      kind VARCHAR not null,
      model VARCHAR not null,
      params JSON,
      config_hash VARCHAR,
      batch_ids INTEGER[],
      started_at TIMESTAMP not null,
      finished_at TIMESTAMP,
      duration_ms INTEGER,
      status VARCHAR not null,
      summary JSON
    )`);
  },
};
