/**
 * Governance: access control (roles, users, tokens), the audit log, data-sharing agreements,
 * unusual-access flags, the metric dictionary, data quality checks, discrepancies and retention.
 * Other domains import governance only through this file.
 */
export {
  ROLES,
  ACTIONS,
  PERMISSIONS,
  authorize,
  partnerScope,
  isRole,
  isAction,
  type Role,
  type Action,
  type Principal,
} from './roles.js';
export {
  createUser,
  listUsers,
  getUser,
  revokeUser,
  createToken,
  revokeToken,
  listTokens,
  authenticate,
  type NewUser,
  type UserRow,
  type TokenRow,
} from './users.js';
export { recordAudit, listAudit, verifyAuditChain, redactDetails, type AuditEntry, type AuditRow, type AuditQuery } from './audit.js';
export {
  getSharingAgreement,
  filterSharedFields,
  loadSharingConfig,
  SharingConfigSchema,
  RETENTION_TABLES,
  type SharingAgreement,
  type SharingConfig,
  type RetentionTable,
} from './sharing.js';
export { flagUnusualAccess, flagUnusualAccessBatch, DEFAULT_ACCESS_THRESHOLDS, type AccessThresholds, type AccessFlagReason, type AccessRead } from './access-log.js';
export { listMetrics, findMetric, getMetric, assertMetricsDefined, MetricsConfigSchema, METRIC_UNITS, type MetricDefinition, type MetricUnit } from './metrics.js';
export { loadQualityConfig, parseQualityConfig, QualityConfigSchema, SEVERITIES, type QualityConfig, type Severity } from './quality-config.js';
export { CHECK_KINDS, CHECK_STATUSES, type CheckKind, type CheckStatus, type CheckResult } from './checks.js';
export { runChecks, listReportStatus, findReportStatus, type CheckRunSummary, type CheckRunResult, type RunChecksOptions, type ReportStatusRow } from './run-checks.js';
export {
  openDiscrepancy,
  resolveDiscrepancy,
  escalateOverdue,
  listDiscrepancies,
  DISCREPANCY_STATUSES,
  DISCREPANCY_SOURCES,
  type DiscrepancyRow,
  type DiscrepancyStatus,
  type DiscrepancySource,
  type OpenDiscrepancy,
} from './discrepancies.js';
export { purgeRetention, type PurgeResult, type PurgeCount } from './retention.js';
export { rebuildRun, type RebuildResult } from './rebuild.js';
export { auditConfigChanges, GOVERNED_CONFIG_FILES } from './config-changes.js';
export { auditLoadsAndRuns } from './audit-backfill.js';
