/**
 * The kinds of bad rows the generator plants on purpose, and which column of which table each
 * kind corrupts. Every dirty row is an extra row (a corrupted copy of the clean row written just
 * before it, with a fresh id where the table has a single id column), so the clean data set stays
 * complete and nothing else is lost when ingest quarantines it.
 */
import type { TableName } from '../warehouse/index.js';

export const DIRTY_KINDS = [
  'bad_date',
  'unparseable_number',
  'unknown_partner',
  'duplicate',
  'negative_amount',
  'missing_id',
  'wrong_enum',
  'future_timestamp',
] as const;
export type DirtyKind = (typeof DIRTY_KINDS)[number];

export interface DirtyRule {
  readonly kind: DirtyKind;
  /** The corrupted column (for duplicates: the first key column). */
  readonly column: string;
}

const r = (kind: DirtyKind, column: string): DirtyRule => ({ kind, column });

/** Which defects each table gets. fx_rates (Parquet) gets none: Parquet has no lines. */
export const DIRTY_RULES: Record<TableName, readonly DirtyRule[]> = {
  fx_rates: [],
  partners: [
    r('missing_id', 'partner_id'),
    r('wrong_enum', 'partner_type'),
    r('bad_date', 'joined_at'),
    r('future_timestamp', 'joined_at'),
    r('duplicate', 'partner_id'),
  ],
  accounts: [
    r('missing_id', 'account_id'),
    r('unparseable_number', 'employees'),
    r('negative_amount', 'annual_revenue'),
    r('bad_date', 'created_at'),
    r('future_timestamp', 'created_at'),
    r('duplicate', 'account_id'),
  ],
  contacts: [
    r('missing_id', 'contact_id'),
    r('missing_id', 'account_id'),
    r('bad_date', 'created_at'),
    r('duplicate', 'contact_id'),
  ],
  activities: [
    r('unknown_partner', 'partner_ids'),
    r('wrong_enum', 'activity_type'),
    r('bad_date', 'start_at'),
    r('negative_amount', 'cost'),
    r('unparseable_number', 'cost'),
    r('missing_id', 'activity_id'),
    r('future_timestamp', 'start_at'),
    r('duplicate', 'activity_id'),
  ],
  touchpoints: [
    r('bad_date', 'occurred_at'),
    r('unparseable_number', 'engaged_seconds'),
    r('unknown_partner', 'partner_id'),
    r('missing_id', 'touchpoint_id'),
    r('wrong_enum', 'touch_type'),
    r('future_timestamp', 'occurred_at'),
    r('duplicate', 'touchpoint_id'),
  ],
  opportunities: [
    r('bad_date', 'created_at'),
    r('unparseable_number', 'amount'),
    r('unknown_partner', 'sourced_partner_id'),
    r('negative_amount', 'amount'),
    r('missing_id', 'opportunity_id'),
    r('missing_id', 'account_id'),
    r('wrong_enum', 'type'),
    r('future_timestamp', 'created_at'),
    r('duplicate', 'opportunity_id'),
  ],
  opportunity_stages: [
    r('bad_date', 'entered_at'),
    r('unparseable_number', 'amount'),
    r('missing_id', 'opportunity_id'),
    r('future_timestamp', 'entered_at'),
    r('duplicate', 'opportunity_id'),
  ],
  opportunity_contacts: [
    r('missing_id', 'contact_id'),
    r('missing_id', 'opportunity_id'),
    r('duplicate', 'opportunity_id'),
  ],
  revenue: [
    r('bad_date', 'period_start'),
    r('unparseable_number', 'amount'),
    r('negative_amount', 'amount'),
    r('missing_id', 'revenue_id'),
    r('wrong_enum', 'kind'),
    r('duplicate', 'revenue_id'),
  ],
  usage: [
    r('bad_date', 'occurred_at'),
    r('unparseable_number', 'quantity'),
    r('missing_id', 'account_id'),
    r('future_timestamp', 'occurred_at'),
    r('duplicate', 'account_id'),
  ],
  experiments: [
    r('wrong_enum', 'arm'),
    r('bad_date', 'assigned_at'),
    r('unknown_partner', 'partner_id'),
    r('missing_id', 'account_id'),
    r('duplicate', 'experiment_id'),
  ],
  feedback: [
    r('unknown_partner', 'partner_id'),
    r('unparseable_number', 'rating'),
    r('bad_date', 'submitted_at'),
    r('missing_id', 'feedback_id'),
    r('future_timestamp', 'submitted_at'),
    r('duplicate', 'feedback_id'),
  ],
};

export const BAD_DATES = ['2026-13-45', 'not a date', '2025-02-30', '99/99/2025', 'Q3 2025'] as const;
export const BAD_NUMBERS = ['12O0', '1.2.3', 'twelve', '#VALUE!', '--5'] as const;
export const WRONG_ENUMS: Readonly<Record<string, readonly string[]>> = {
  partner_type: ['vendor', 'supplier'],
  activity_type: ['party', 'lunch_and_learn'],
  touch_type: ['clicked', 'pageview'],
  type: ['upsell', 'new business'],
  kind: ['bonus', 'upsell'],
  arm: ['holdout', 'treated'],
};
/** Revenue kinds whose amounts may be negative: a negative amount there is not a defect. */
export const NEGATIVE_OK_KINDS: readonly string[] = ['contraction', 'churn', 'refund'];
