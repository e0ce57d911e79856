/**
 * Governance, part 1: users, API tokens (hashed, never raw), the append-only audit log (each row
 * chained to the previous one by a SHA-256 hash so an edit or deletion is detectable) and the
 * access log used to flag unusual access.
 */
import type { Migration } from './types.js';

export const governanceAccessAudit: Migration = {
  version: 50,
  name: 'governance: users, tokens, audit log, access log',
  async up(wh) {
    await wh.run(`create table if not exists meta.users (
      user_id VARCHAR primary key,
      name VARCHAR not null,
      role VARCHAR not null,
      partner_id VARCHAR,
      email_hash VARCHAR,
      created_at TIMESTAMP not null,
      revoked_at TIMESTAMP
    )`);
    await wh.run(`create table if not exists meta.tokens (
      token_id VARCHAR primary key,
      user_id VARCHAR not null,
      label VARCHAR,
      salt VARCHAR not null,
      hash VARCHAR not null,
      kdf VARCHAR not null,
      created_at TIMESTAMP not null,
      revoked_at TIMESTAMP
    )`);
    await wh.run(`create sequence if not exists meta.audit_seq start 1`);
    await wh.run(`create table if not exists meta.audit_log (
      seq BIGINT primary key,
      recorded_at TIMESTAMP not null,
      actor VARCHAR not null,
      action VARCHAR not null,
      target VARCHAR,
      details JSON,
      prev_hash VARCHAR,
      hash VARCHAR not null
    )`);
    await wh.run(`create table if not exists meta.access_log (
      accessed_at TIMESTAMP not null,
      token_id VARCHAR not null,
      user_id VARCHAR not null,
      role VARCHAR not null,
      partner_id VARCHAR,
      rows_read BIGINT not null,
      is_flagged BOOLEAN not null,
      reasons VARCHAR[]
    )`);
  },
};
