/**
 * Authentication and authorisation for the API: a thin adapter over governance.
 *
 * - Tokens are governance tokens (`jointly token create`); verifying one costs a scrypt hash
 *   (~tens of ms), so a verified token's principal is cached in memory for `CACHE_TTL_MS`, keyed
 *   by the SHA-256 of the token (the raw token is never kept). A revoked token stops working
 *   within that time.
 * - `JOINTLY_ADMIN_TOKEN`, when set, is one extra admin token for bootstrapping (the demo can
 *   print it before any user exists).
 * - Every route passes the caller through `authorize` (governance) and reads through
 *   `scopeFor`, which pins a partner principal to its own partner: the partnerId goes into the
 *   data layer's query, and asking for another partner is FORBIDDEN.
 *
 * @example
 * const principal = await authenticateRequest(wh, request.headers.authorization);
 * const partnerId = scopeFor(principal, 'read:reports', query.partnerId); // throws across partners
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { JointlyError } from '../core/errors.js';
import {
  authenticate as governanceAuthenticate,
  authorize,
  partnerScope,
  type Action,
  type Principal,
} from '../governance/index.js';
import type { Warehouse } from '../warehouse/index.js';

export { ROLES, type Action, type Principal, type Role } from '../governance/index.js';

/** How long a verified token is trusted without re-hashing. */
export const CACHE_TTL_MS = 30_000;
const CACHE_MAX = 1000;
const cache = new Map<string, { principal: Principal; expires: number }>();

function sameSecret(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/**
 * Finds the principal of a bearer token, or undefined for an unknown or revoked token.
 *
 * @example
 * await authenticate(wh, 'jt_0123456789ab.secret…') // => { role: 'partner', partnerId: 'P001', … }
 */
export async function authenticate(wh: Warehouse, token: string): Promise<Principal | undefined> {
  const admin = process.env['JOINTLY_ADMIN_TOKEN'];
  if (admin && sameSecret(token, admin)) {
    return { userId: 'env-admin', name: 'Administrator', role: 'admin', tokenId: 'env-admin' };
  }
  const key = createHash('sha256').update(token).digest('hex');
  const hit = cache.get(key);
  const now = Date.now();
  if (hit && hit.expires > now) return hit.principal;
  const principal = await governanceAuthenticate(wh, token);
  if (!principal) {
    cache.delete(key);
    return undefined;
  }
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, { principal, expires: now + CACHE_TTL_MS });
  return principal;
}

/** Forgets every cached token (tests of revocation; `jointly serve` never needs it). */
export function clearTokenCache(): void {
  cache.clear();
}

/** Reads the `Authorization: Bearer …` header into a principal or throws UNAUTHENTICATED. */
export async function authenticateRequest(
  wh: Warehouse,
  header: string | undefined,
): Promise<Principal> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m?.[1]) {
    throw new JointlyError(
      'UNAUTHENTICATED',
      'Missing bearer token: send the header "Authorization: Bearer <token>".',
    );
  }
  const principal = await authenticate(wh, m[1]);
  if (!principal) {
    throw new JointlyError('UNAUTHENTICATED', 'Unknown or revoked token. Ask an admin for a new one.');
  }
  return principal;
}

/** Throws FORBIDDEN unless the principal's role may perform the action at all. */
export function authorizeAction(principal: Principal, action: Action): void {
  const own = partnerScope(principal);
  authorize(principal, action, own === undefined ? {} : { partnerId: own });
}

/**
 * The partner a request may see. A partner principal is pinned to its own partner: asking for
 * another one is FORBIDDEN (governance's `authorize`). Other roles see what they ask for
 * (undefined = all partners).
 *
 * @example
 * scopeFor(partnerP1, 'read:reports', undefined) // => 'P1'
 * scopeFor(partnerP1, 'read:reports', 'P2')      // throws FORBIDDEN
 */
export function scopeFor(
  principal: Principal,
  action: Action,
  requested: string | undefined,
): string | undefined {
  const partnerId = requested ?? partnerScope(principal);
  authorize(principal, action, partnerId === undefined ? {} : { partnerId });
  return partnerId;
}
