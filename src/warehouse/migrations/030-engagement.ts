/**
 * Engagement outputs, keyed by the run that wrote them (meta.runs kind 'engagement'):
 * credits of engagement units to touches and partners, quality scores per grain, alerts and the
 * relation of engagement quality to later pipeline. See src/engagement/README.md.
 */
import type { Migration } from './types.js';

export const engagementTables: Migration = {
  version: 30,
  name: 'engagement: model.engagement_credits, _scores, _alerts, _pipeline keyed by run_id',
  async up(wh) {
    await wh.run(`create table if not exists model.engagement_credits (
      run_id INTEGER not null,
      unit_id VARCHAR not null,
      unit_kind VARCHAR not null,
      account_id VARCHAR,
      anchor_at TIMESTAMP not null,
      touchpoint_id VARCHAR,
      partner_id VARCHAR,
      activity_id VARCHAR,
      activity_type VARCHAR,
      channel VARCHAR,
      touch_type VARCHAR,
      weight DOUBLE not null,
      seconds_credit DOUBLE,
      rule VARCHAR not null
    )`);
    await wh.run(`create table if not exists model.engagement_scores (
      run_id INTEGER not null,
      grain VARCHAR not null,
      partner_id VARCHAR,
      key VARCHAR not null,
      content_depth DOUBLE,
      attendance DOUBLE,
      co_creation DOUBLE,
      onboarding DOUBLE,
      adoption DOUBLE,
      recurring_usage DOUBLE,
      score DOUBLE,
      engagement_touches DOUBLE not null,
      accounts INTEGER not null,
      customers INTEGER not null,
      credited_units DOUBLE,
      credited_usage_months DOUBLE
    )`);
    await wh.run(`create table if not exists model.engagement_alerts (
      run_id INTEGER not null,
      grain VARCHAR not null,
      partner_id VARCHAR not null,
      activity_type VARCHAR,
      month DATE not null,
      metric VARCHAR not null,
      direction VARCHAR not null,
      value DOUBLE not null,
      expected DOUBLE not null,
      expected_low DOUBLE not null,
      expected_high DOUBLE not null,
      z DOUBLE not null,
      history_months INTEGER not null,
      seasonal_index DOUBLE not null,
      accounts VARCHAR[] not null,
      missing_accounts VARCHAR[] not null
    )`);
    await wh.run(`create table if not exists model.engagement_pipeline (
      run_id INTEGER not null,
      dimension VARCHAR not null,
      key VARCHAR not null,
      bucket VARCHAR not null,
      account_periods INTEGER not null,
      mean_score DOUBLE,
      opportunities INTEGER not null,
      pipeline DECIMAL(18,2) not null,
      closed INTEGER not null,
      wins INTEGER not null,
      win_rate DOUBLE
    )`);
  },
};
