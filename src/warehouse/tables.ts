/**
 * The canonical input tables of DESIGN.md, as one spec per table. DDL, the set-wise validation
 * SQL of ingest and the TypeScript row types all come from here.
 *
 * Storage conventions (schema `core`):
 * - `money` columns keep the original decimal amount and add `<name>_base` in the base currency.
 *   The table's `currency` column (if any) names the original currency.
 * - `pii` columns are never stored raw: they become `<name>_hash` (keyed HMAC-SHA256, hex).
 * - `list` columns (`|`-separated in files) are stored as VARCHAR[].
 * - Every core table also has `attributes` (JSON of extra columns), `batch_id`, `row_hash`
 *   (UBIGINT: the first 8 bytes of the md5 of the row text, migration 005), `source_file`,
 *   `source_line` and `row_key` (one BIGINT per row version, migration 004);
 *   `core.<table>_history` keeps replaced versions.
 */

export const PARTNER_TYPES = [
  'reseller', 'referral', 'technology', 'alliance', 'affiliate', 'agency', 'marketplace', 'other',
] as const;
export type PartnerType = (typeof PARTNER_TYPES)[number];

export const ACTIVITY_TYPES = [
  'co_branded_content', 'event', 'webinar', 'incentive', 'co_sell', 'referral', 'deal_registration',
  'marketplace', 'mdf_campaign', 'training', 'other',
] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

export const TOUCH_TYPES = [
  'impression', 'click', 'visit', 'form_fill', 'registered', 'attended', 'download', 'content_view',
  'meeting', 'referral', 'deal_registration', 'other',
] as const;
export type TouchType = (typeof TOUCH_TYPES)[number];

export const OPPORTUNITY_TYPES = ['new_business', 'expansion', 'renewal'] as const;
export const REVENUE_KINDS = ['new', 'expansion', 'renewal', 'contraction', 'churn', 'refund'] as const;
export const NEGATIVE_REVENUE_KINDS = ['contraction', 'churn', 'refund'] as const;
export const EXPERIMENT_ARMS = ['treatment', 'control'] as const;

export type ColumnType =
  | 'text'
  | 'integer'
  | 'double'
  | 'money'
  | 'timestamp'
  | 'date'
  | 'boolean'
  | 'enum'
  | 'list';

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  /** Required unless marked optional (`?` in DESIGN.md). */
  readonly optional?: boolean;
  readonly values?: readonly string[];
  /** Lower-case the value before checking/storing (channel). */
  readonly lowercase?: boolean;
  /** Personal data: stored as `<name>_hash`. */
  readonly pii?: boolean;
  /** Reference to another table's key: an unknown value is an error when that table is loaded. */
  readonly ref?: { readonly table: TableName; readonly column: string };
  /** Integer bounds. */
  readonly min?: number;
  readonly max?: number;
}

export interface TableSpec {
  readonly name: TableName;
  /** Natural key columns; idempotency and updates are by this key. */
  readonly key: readonly string[];
  readonly columns: readonly ColumnSpec[];
  /** Which referenced tables must load before this one. Derived from refs. */
  readonly description: string;
}

export const TABLE_NAMES = [
  'fx_rates', 'partners', 'accounts', 'contacts', 'activities', 'touchpoints', 'opportunities',
  'opportunity_stages', 'opportunity_contacts', 'revenue', 'usage', 'experiments', 'feedback',
] as const;
export type TableName = (typeof TABLE_NAMES)[number];

const c = (name: string, type: ColumnType, extra: Partial<ColumnSpec> = {}): ColumnSpec => ({
  name,
  type,
  ...extra,
});
const opt = { optional: true } as const;

export const TABLES: Record<TableName, TableSpec> = {
  fx_rates: {
    name: 'fx_rates',
    key: ['currency', 'valid_from'],
    description: 'Exchange rates to the base currency, valid from a date until the next rate.',
    columns: [c('currency', 'text'), c('valid_from', 'date'), c('rate_to_base', 'double')],
  },
  partners: {
    name: 'partners',
    key: ['partner_id'],
    description: 'Partners of every type; aliases are names or ids other systems use.',
    columns: [
      c('partner_id', 'text'),
      c('name', 'text'),
      c('partner_type', 'enum', { values: PARTNER_TYPES }),
      c('tier', 'text', opt),
      c('region', 'text', opt),
      c('aliases', 'list', opt),
      c('joined_at', 'timestamp', opt),
    ],
  },
  accounts: {
    name: 'accounts',
    key: ['account_id'],
    description: 'Customer and prospect accounts with firmographics.',
    columns: [
      c('account_id', 'text'),
      c('name', 'text'),
      c('domain', 'text', opt),
      c('industry', 'text', opt),
      c('employees', 'integer', { optional: true, min: 0 }),
      c('annual_revenue', 'money', opt),
      c('region', 'text', opt),
      c('created_at', 'timestamp', opt),
    ],
  },
  contacts: {
    name: 'contacts',
    key: ['contact_id'],
    description: 'People at accounts; emails are pseudonymised at ingest.',
    columns: [
      c('contact_id', 'text'),
      c('account_id', 'text', { ref: { table: 'accounts', column: 'account_id' } }),
      c('email', 'text', { optional: true, pii: true }),
      c('title', 'text', opt),
      c('created_at', 'timestamp', opt),
    ],
  },
  activities: {
    name: 'activities',
    key: ['activity_id'],
    description: 'Joint activities with one or more partners.',
    columns: [
      c('activity_id', 'text'),
      c('partner_ids', 'list', { ref: { table: 'partners', column: 'partner_id' } }),
      c('program', 'text', opt),
      c('activity_type', 'enum', { values: ACTIVITY_TYPES }),
      c('name', 'text'),
      c('start_at', 'timestamp'),
      c('end_at', 'timestamp', opt),
      c('cost', 'money', opt),
      c('currency', 'text', opt),
      c('owner', 'text', opt),
    ],
  },
  touchpoints: {
    name: 'touchpoints',
    key: ['touchpoint_id'],
    description: 'Marketing and partner touches on accounts or contacts, across all channels.',
    columns: [
      c('touchpoint_id', 'text'),
      c('occurred_at', 'timestamp'),
      c('account_id', 'text', { optional: true, ref: { table: 'accounts', column: 'account_id' } }),
      c('contact_id', 'text', { optional: true, ref: { table: 'contacts', column: 'contact_id' } }),
      c('activity_id', 'text', { optional: true, ref: { table: 'activities', column: 'activity_id' } }),
      c('partner_id', 'text', { optional: true, ref: { table: 'partners', column: 'partner_id' } }),
      c('channel', 'text', { lowercase: true }),
      c('touch_type', 'enum', { values: TOUCH_TYPES }),
      c('source_system', 'text', opt),
      c('engaged_seconds', 'integer', { optional: true, min: 0 }),
      c('content_pct', 'double', opt),
    ],
  },
  opportunities: {
    name: 'opportunities',
    key: ['opportunity_id'],
    description: 'CRM opportunities (deals).',
    columns: [
      c('opportunity_id', 'text'),
      c('account_id', 'text', { ref: { table: 'accounts', column: 'account_id' } }),
      c('name', 'text', opt),
      c('type', 'enum', { values: OPPORTUNITY_TYPES }),
      c('created_at', 'timestamp'),
      c('close_date', 'date', opt),
      c('stage', 'text'),
      c('is_closed', 'boolean'),
      c('is_won', 'boolean'),
      c('amount', 'money'),
      c('currency', 'text', opt),
      c('sourced_partner_id', 'text', { optional: true, ref: { table: 'partners', column: 'partner_id' } }),
      c('registered_partner_id', 'text', {
        optional: true,
        ref: { table: 'partners', column: 'partner_id' },
      }),
      c('lead_source', 'text', opt),
      c('owner', 'text', opt),
    ],
  },
  opportunity_stages: {
    name: 'opportunity_stages',
    key: ['opportunity_id', 'stage', 'entered_at'],
    description: 'Stage history of opportunities.',
    columns: [
      c('opportunity_id', 'text', { ref: { table: 'opportunities', column: 'opportunity_id' } }),
      c('stage', 'text'),
      c('entered_at', 'timestamp'),
      c('amount', 'money', opt),
    ],
  },
  opportunity_contacts: {
    name: 'opportunity_contacts',
    key: ['opportunity_id', 'contact_id'],
    description: 'Contact roles on opportunities.',
    columns: [
      c('opportunity_id', 'text', { ref: { table: 'opportunities', column: 'opportunity_id' } }),
      c('contact_id', 'text', { ref: { table: 'contacts', column: 'contact_id' } }),
      c('role', 'text', opt),
      c('is_primary', 'boolean', opt),
    ],
  },
  revenue: {
    name: 'revenue',
    key: ['revenue_id'],
    description: 'Revenue schedule lines (invoices, subscriptions) with their service period.',
    columns: [
      c('revenue_id', 'text'),
      c('account_id', 'text', { ref: { table: 'accounts', column: 'account_id' } }),
      c('opportunity_id', 'text', {
        optional: true,
        ref: { table: 'opportunities', column: 'opportunity_id' },
      }),
      c('period_start', 'date'),
      c('period_end', 'date'),
      c('amount', 'money'),
      c('currency', 'text', opt),
      c('kind', 'enum', { values: REVENUE_KINDS }),
    ],
  },
  usage: {
    name: 'usage',
    key: ['account_id', 'occurred_at', 'event', 'user_id'],
    description: 'Product usage events per account.',
    columns: [
      c('account_id', 'text', { ref: { table: 'accounts', column: 'account_id' } }),
      c('occurred_at', 'timestamp'),
      c('event', 'text'),
      c('quantity', 'double', opt),
      c('user_id', 'text', { optional: true, pii: true }),
    ],
  },
  experiments: {
    name: 'experiments',
    key: ['experiment_id', 'account_id'],
    description: 'Holdout experiment assignments per account.',
    columns: [
      c('experiment_id', 'text'),
      c('account_id', 'text', { ref: { table: 'accounts', column: 'account_id' } }),
      c('partner_id', 'text', { optional: true, ref: { table: 'partners', column: 'partner_id' } }),
      c('program', 'text', opt),
      c('arm', 'enum', { values: EXPERIMENT_ARMS }),
      c('assigned_at', 'timestamp'),
    ],
  },
  feedback: {
    name: 'feedback',
    key: ['feedback_id'],
    description: "Partners' feedback on deals and the partnership.",
    columns: [
      c('feedback_id', 'text'),
      c('partner_id', 'text', { ref: { table: 'partners', column: 'partner_id' } }),
      c('opportunity_id', 'text', {
        optional: true,
        ref: { table: 'opportunities', column: 'opportunity_id' },
      }),
      c('submitted_at', 'timestamp'),
      c('rating', 'integer', { optional: true, min: 1, max: 5 }),
      c('note', 'text', opt),
    ],
  },
};

/** The DuckDB type a column is stored as in `core`. */
export function storageType(col: ColumnSpec): string {
  switch (col.type) {
    case 'text':
    case 'enum':
      return 'VARCHAR';
    case 'integer':
      return 'INTEGER';
    case 'double':
      return 'DOUBLE';
    case 'money':
      return 'DECIMAL(18,2)';
    case 'timestamp':
      return 'TIMESTAMP';
    case 'date':
      return 'DATE';
    case 'boolean':
      return 'BOOLEAN';
    case 'list':
      return 'VARCHAR[]';
  }
}

/** The stored column names of a spec column (pii -> `_hash`, money -> also `_base`). */
export function storedColumns(col: ColumnSpec): { name: string; type: string }[] {
  if (col.pii) return [{ name: `${col.name}_hash`, type: 'VARCHAR' }];
  if (col.type === 'money') {
    return [
      { name: col.name, type: 'DECIMAL(18,2)' },
      { name: `${col.name}_base`, type: 'DECIMAL(18,2)' },
    ];
  }
  return [{ name: col.name, type: storageType(col) }];
}

export const LINEAGE_COLUMNS = [
  { name: 'attributes', type: 'JSON' },
  { name: 'batch_id', type: 'INTEGER' },
  { name: 'row_hash', type: 'UBIGINT' },
  { name: 'source_file', type: 'VARCHAR' },
  { name: 'source_line', type: 'BIGINT' },
] as const;

/** Matches a file name to its table: `opportunities.csv`, `touchpoints.ndjson`, `Partners.parquet`. */
export function tableForFile(fileName: string): TableName | undefined {
  const base = fileName.replace(/^.*[\\/]/, '').toLowerCase();
  const stem = base.replace(/\.(csv|tsv|ndjson|jsonl|json|parquet)(\.gz)?$/, '');
  return (TABLE_NAMES as readonly string[]).includes(stem) ? (stem as TableName) : undefined;
}

/** Identifier quoting for names that come from this spec only. */
export function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Unsafe identifier: ${name}`);
  return `"${name}"`;
}
