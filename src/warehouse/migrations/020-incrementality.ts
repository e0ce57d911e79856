/**
 * Incrementality outputs: one row per (run, unit, metric) of the counterfactual estimate, with
 * its sample sizes, method and balance diagnostics, so the API reads them without recomputing.
 */
import type { Migration } from './types.js';

export const incrementalityTables: Migration = {
  version: 20,
  name: 'incrementality: model.incrementality keyed by run_id',
  async up(wh) {
    await wh.run(`create table if not exists model.incrementality (
      run_id INTEGER not null,
      unit_kind VARCHAR not null,
      unit_id VARCHAR not null,
      metric VARCHAR not null,
      engaged_accounts INTEGER not null,
      eligible_accounts INTEGER not null,
      matched_accounts INTEGER not null,
      control_accounts INTEGER not null,
      attributed DECIMAL(18,2),
      incremental DECIMAL(18,2),
      ci_low DECIMAL(18,2),
      ci_high DECIMAL(18,2),
      att_per_account DOUBLE,
      incrementality_factor DOUBLE,
      method VARCHAR not null,
      note VARCHAR,
      balance JSON
    )`);
  },
};
