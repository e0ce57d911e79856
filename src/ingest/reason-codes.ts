/**
 * Reason codes of quarantined rows. A quarantined row carries exactly one code (the first check
 * it fails, in column order) plus a readable reason naming the column and the value.
 *
 * @example
 * import { REASON_CODES, type ReasonCode } from './reason-codes.js';
 * const code: ReasonCode = 'unknown_partner';
 */
export const REASON_CODES = [
  'missing_value',
  'missing_account_or_contact',
  'bad_integer',
  'bad_number',
  'bad_amount',
  'bad_timestamp',
  'bad_date',
  'bad_boolean',
  'bad_enum',
  'bad_currency',
  'bad_list',
  'out_of_range',
  'negative_amount',
  'positive_amount',
  'end_before_start',
  'future_timestamp',
  'no_fx_rate',
  'unknown_partner',
  'unknown_account',
  'unknown_contact',
  'unknown_activity',
  'unknown_opportunity',
  'duplicate_key',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];
