/**
 * Users and API tokens. A token is shown once at creation as `jt_<token id>.<secret>`; only a
 * scrypt hash of the secret (per-token random salt) is stored. Verification looks the token up by
 * its id prefix, so it costs exactly one hash, and compares in constant time.
 */
import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { JointlyError } from '../core/errors.js';
import { sql, type Warehouse } from '../warehouse/index.js';
import { isRole, type Principal, type Role } from './roles.js';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

/** scrypt cost: N=2^15, r=8, p=1 (OWASP's minimum for scrypt); 32 MiB per hash. */
const KDF = { N: 32768, r: 8, p: 1, keylen: 32 } as const;
const KDF_TAG = `scrypt:N=${KDF.N},r=${KDF.r},p=${KDF.p},len=${KDF.keylen}`;
const TOKEN_RE = /^jt_([0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

export interface NewUser {
  name: string;
  role: Role;
  partnerId?: string;
  email?: string;
}

export type UserRow = {
  user_id: string;
  name: string;
  role: Role;
  partner_id: string | null;
  created_at: string;
  revoked_at: string | null;
  active_tokens: number;
};

/** Keyed HMAC of a personal value (the same key ingest uses: JOINTLY_PII_KEY). */
function pseudonymise(value: string): string {
  const key = process.env['JOINTLY_PII_KEY'];
  if (!key) {
    throw new JointlyError('BAD_CONFIG', 'JOINTLY_PII_KEY is not set: it is needed to pseudonymise the email. Set it, or omit --email.');
  }
  return createHmac('sha256', key).update(value.trim().toLowerCase()).digest('hex');
}

/**
 * Creates a user. A partner user must name the partner it is bound to; other roles must not.
 *
 * @example
 * const { userId } = await createUser(wh, { name: 'Acme portal', role: 'partner', partnerId: 'P001' });
 */
export async function createUser(wh: Warehouse, user: NewUser): Promise<{ userId: string }> {
  const name = user.name.trim();
  if (!name) throw new JointlyError('BAD_ARGUMENT', 'A user needs a name.');
  if (!isRole(user.role)) throw new JointlyError('BAD_ARGUMENT', `Unknown role "${String(user.role)}".`);
  if (user.role === 'partner' && !user.partnerId) {
    throw new JointlyError('BAD_ARGUMENT', 'A partner user must be bound to a partner: give --partner PARTNER_ID.');
  }
  if (user.role !== 'partner' && user.partnerId) {
    throw new JointlyError('BAD_ARGUMENT', `Only partner users are bound to a partner; role ${user.role} is internal.`);
  }
  const userId = `u_${randomBytes(5).toString('hex')}`;
  const emailHash = user.email ? pseudonymise(user.email) : null;
  await wh.run(sql`insert into meta.users (user_id, name, role, partner_id, email_hash, created_at)
    values (${userId}, ${name}, ${user.role}, ${user.partnerId ?? null}, ${emailHash}, now())`);
  return { userId };
}

/**
 * Lists users with their number of active tokens.
 *
 * @example
 * const users = await listUsers(wh);
 */
export async function listUsers(wh: Warehouse): Promise<UserRow[]> {
  return wh.all<UserRow>(`
    select u.user_id, u.name, u.role, u.partner_id,
           strftime(u.created_at, '%Y-%m-%dT%H:%M:%SZ') as created_at,
           strftime(u.revoked_at, '%Y-%m-%dT%H:%M:%SZ') as revoked_at,
           count(t.token_id) filter (where t.revoked_at is null)::integer as active_tokens
    from meta.users u
    left join meta.tokens t on t.user_id = u.user_id
    group by u.user_id, u.name, u.role, u.partner_id, u.created_at, u.revoked_at
    order by u.created_at, u.user_id`);
}

/** Returns the user or throws NOT_FOUND. */
export async function getUser(wh: Warehouse, userId: string): Promise<UserRow> {
  const row = (await listUsers(wh)).find((u) => u.user_id === userId);
  if (!row) throw new JointlyError('NOT_FOUND', `No user ${userId}. See \`jointly user list\`.`);
  return row;
}

/**
 * Revokes a user and all of its tokens.
 *
 * @example
 * await revokeUser(wh, 'u_1a2b3c4d5e');
 */
export async function revokeUser(wh: Warehouse, userId: string): Promise<{ tokensRevoked: number }> {
  const user = await getUser(wh, userId);
  if (user.revoked_at) throw new JointlyError('CONFLICT', `User ${userId} is already revoked.`);
  return wh.transaction(async (tx) => {
    await tx.run(sql`update meta.users set revoked_at = now() where user_id = ${userId}`);
    const n = await tx.get<{ n: number }>(
      sql`select count(*)::integer as n from meta.tokens where user_id = ${userId} and revoked_at is null`,
      'count',
    );
    await tx.run(sql`update meta.tokens set revoked_at = now() where user_id = ${userId} and revoked_at is null`);
    return { tokensRevoked: n.n };
  });
}

/**
 * Creates an API token for an active user. The token is returned once and never stored raw.
 *
 * @example
 * const { tokenId, token } = await createToken(wh, { userId, label: 'portal' });
 * // token: 'jt_3f9a0c1b2d4e.Xy…' — show it to the user now; only its scrypt hash is kept.
 */
export async function createToken(wh: Warehouse, input: { userId: string; label?: string }): Promise<{ tokenId: string; token: string }> {
  const user = await getUser(wh, input.userId);
  if (user.revoked_at) throw new JointlyError('CONFLICT', `User ${input.userId} is revoked; create a new user instead.`);
  const tokenId = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret, salt, KDF.keylen, { N: KDF.N, r: KDF.r, p: KDF.p, maxmem: 64 * 1024 * 1024 });
  await wh.run(sql`insert into meta.tokens (token_id, user_id, label, salt, hash, kdf, created_at)
    values (${tokenId}, ${input.userId}, ${input.label ?? null}, ${salt.toString('hex')}, ${hash.toString('hex')}, ${KDF_TAG}, now())`);
  return { tokenId, token: `jt_${tokenId}.${secret}` };
}

/**
 * Revokes one token.
 *
 * @example
 * await revokeToken(wh, '3f9a0c1b2d4e');
 */
export async function revokeToken(wh: Warehouse, tokenId: string): Promise<void> {
  const id = tokenId.replace(/^jt_/, '').replace(/\..*$/, '');
  const row = await wh.find<{ revoked: boolean }>(sql`select revoked_at is not null as revoked from meta.tokens where token_id = ${id}`);
  if (!row) throw new JointlyError('NOT_FOUND', `No token ${id}.`);
  if (row.revoked) throw new JointlyError('CONFLICT', `Token ${id} is already revoked.`);
  await wh.run(sql`update meta.tokens set revoked_at = now() where token_id = ${id}`);
}

export type TokenRow = {
  token_id: string;
  user_id: string;
  label: string | null;
  created_at: string;
  revoked_at: string | null;
};

/** Lists tokens (ids and labels, never secrets). */
export async function listTokens(wh: Warehouse, userId?: string): Promise<TokenRow[]> {
  return wh.all<TokenRow>(sql`select token_id, user_id, label,
      strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') as created_at,
      strftime(revoked_at, '%Y-%m-%dT%H:%M:%SZ') as revoked_at
    from meta.tokens
    where ${userId ?? null}::varchar is null or user_id = ${userId ?? null}
    order by created_at, token_id`);
}

/**
 * Verifies a bearer token: one scrypt hash, constant-time compare. Unknown, malformed or revoked
 * tokens (or tokens of a revoked user) give undefined.
 *
 * @example
 * const principal = await authenticate(wh, req.headers.authorization?.replace(/^Bearer /, '') ?? '');
 * if (!principal) throw new JointlyError('UNAUTHENTICATED', 'A valid API token is required.');
 */
export async function authenticate(wh: Warehouse, token: string): Promise<Principal | undefined> {
  const m = TOKEN_RE.exec(token.trim());
  if (!m) return undefined;
  const [, tokenId = '', secret = ''] = m;
  const row = await wh.find<{ salt: string; hash: string; kdf: string; user_id: string; name: string; role: string; partner_id: string | null }>(
    sql`select t.salt, t.hash, t.kdf, u.user_id, u.name, u.role, u.partner_id
        from meta.tokens t
        join meta.users u on u.user_id = t.user_id
        where t.token_id = ${tokenId} and t.revoked_at is null and u.revoked_at is null`,
  );
  if (!row || row.kdf !== KDF_TAG || !isRole(row.role)) return undefined;
  const expected = Buffer.from(row.hash, 'hex');
  const actual = await scryptAsync(secret, Buffer.from(row.salt, 'hex'), KDF.keylen, { N: KDF.N, r: KDF.r, p: KDF.p, maxmem: 64 * 1024 * 1024 });
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
  const principal: Principal = { userId: row.user_id, name: row.name, role: row.role, tokenId };
  if (row.partner_id !== null) principal.partnerId = row.partner_id;
  return principal;
}
