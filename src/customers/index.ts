/**
 * Customers: new customers with one acquisition source, cohorts, retention (sBG) and lifetime
 * value. Import this folder only through this file.
 */
export * from './nelder-mead.js';
export * from './sbg.js';
export * from './fit-retention-file.js';
export * from './config.js';
export * from './acquired-customers-sql.js';
export * from './new-customers.js';
export * from './cohort-report.js';
