/**
 * Finance: payout plans, revenue recognition, statements, sensitivity and forecast.
 * Import this folder only through this file.
 */
export * from './payout-config.js';
export * from './period.js';
export * from './commission.js';
export { computePayouts, LINE_KINDS, type LineKind, type Reconciliation, type ComputedPayouts } from './compute-payouts.js';
export * from './create-payout-statement.js';
export * from './get-payout-statement.js';
export * from './create-forecast.js';
export * from './evaluate-mdf-claims.js';
export * from './run-sensitivity.js';
export * from './get-mdf-summary.js';
export * from './get-forecast.js';
