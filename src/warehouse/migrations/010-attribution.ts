/**
 * Attribution outputs (docs/ARCHITECTURE.md "Attribution outputs") and the precomputed report
 * tables the CLI and API read. Every row is keyed by the run that wrote it (meta.runs).
 */
import type { Migration } from './types.js';

export const attributionTables: Migration = {
  version: 10,
  name: 'attribution: model.credits, model.sourced, report facts keyed by run_id',
  async up(wh) {
    await wh.run(`create table if not exists model.credits (
      run_id INTEGER not null,
      opportunity_id VARCHAR not null,
      purpose VARCHAR not null,
      touchpoint_id VARCHAR,
      partner_id VARCHAR,
      activity_id VARCHAR,
      channel VARCHAR,
      touch_type VARCHAR,
      occurred_at TIMESTAMP,
      weight DOUBLE not null,
      pipeline_credit DECIMAL(18,2) not null,
      revenue_credit DECIMAL(18,2) not null,
      rule VARCHAR not null
    )`);
    await wh.run(`create table if not exists model.sourced (
      run_id INTEGER not null,
      opportunity_id VARCHAR not null,
      partner_id VARCHAR not null,
      reason VARCHAR not null,
      touchpoint_id VARCHAR
    )`);
    await wh.run(`create table if not exists report.credit_facts (
      run_id INTEGER not null,
      purpose VARCHAR not null,
      day DATE,
      partner_id VARCHAR,
      activity_id VARCHAR,
      channel VARCHAR,
      touch_type VARCHAR,
      credit DECIMAL(18,2) not null,
      weight DOUBLE not null
    )`);
    await wh.run(`create table if not exists report.opportunity_facts (
      run_id INTEGER not null,
      opportunity_id VARCHAR not null,
      created_date DATE not null,
      close_date DATE,
      is_closed BOOLEAN not null,
      is_won BOOLEAN not null,
      amount DECIMAL(18,2) not null,
      days_to_close INTEGER,
      has_partner BOOLEAN not null
    )`);
    await wh.run(`create table if not exists report.involvement (
      run_id INTEGER not null,
      opportunity_id VARCHAR not null,
      partner_id VARCHAR not null,
      activity_id VARCHAR,
      channel VARCHAR,
      is_sourced BOOLEAN not null,
      is_influenced BOOLEAN not null,
      first_touch_at TIMESTAMP
    )`);
  },
};
