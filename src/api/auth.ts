/**
 * Authentication and authorisation for the API, behind one small adapter.
 *
 * The governance module owns users, tokens and roles (`authenticate`, `authorize`,
 * `partnerScope`). Until it lands this adapter accepts:
 * - `JOINTLY_ADMIN_TOKEN`: one admin token (the demo prints it);
 * - `JOINTLY_PARTNER_TOKENS`: `token=partner_id` pairs separated by commas, so the partner
 *   portal and cross-partner refusals can be exercised end to end.
 * When governance lands only `authenticateRequest` changes; routes call `scopeFor` and
 * `authorizeAction` and never look at roles themselves.
 *
 * @example
 * const principal = await authenticateRequest(wh, request.headers.authorization);
 * const partnerId = scopeFor(principal, query.partnerId); // throws FORBIDDEN across partners
 */
import { timingSafeEqual } from 'node:crypto';
import { JointlyError } from '../core/errors.js';
import type { Warehouse } from '../warehouse/index.js';

export const ROLES = [
  'admin',
  'analyst',
  'finance',
  'partner_manager',
  'executive',
  'partner',
] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling. Same shape as governance's `Principal`. */
export interface Principal {
  userId: string;
  name: string;
  role: Role;
  partnerId?: string;
  tokenId: string;
}

/** What a route does, for the role check. */
export const ACTIONS = ['read:reports', 'read:finance', 'read:data_ops', 'read:partner'] as const;
export type Action = (typeof ACTIONS)[number];

const ROLE_ACTIONS: Record<Role, readonly Action[]> = {
  admin: ACTIONS,
  analyst: ['read:reports', 'read:data_ops', 'read:partner'],
  finance: ['read:reports', 'read:finance', 'read:partner'],
  partner_manager: ['read:reports', 'read:partner'],
  executive: ['read:reports', 'read:finance', 'read:partner'],
  partner: ['read:partner', 'read:finance'],
};

function sameSecret(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** Parses `JOINTLY_PARTNER_TOKENS` (`tok1=p_001,tok2=p_002`). */
function partnerTokens(): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of (process.env['JOINTLY_PARTNER_TOKENS'] ?? '').split(',')) {
    const [token, partnerId] = pair.split('=').map((s) => s.trim());
    if (token && partnerId) out.set(token, partnerId);
  }
  return out;
}

/**
 * Finds the principal of a bearer token, or undefined for an unknown token.
 *
 * @example
 * await authenticate(wh, 'secret') // => { role: 'admin', ... } when JOINTLY_ADMIN_TOKEN=secret
 */
export async function authenticate(_wh: Warehouse, token: string): Promise<Principal | undefined> {
  const admin = process.env['JOINTLY_ADMIN_TOKEN'];
  if (admin && sameSecret(token, admin)) {
    return { userId: 'admin', name: 'Administrator', role: 'admin', tokenId: 'env-admin' };
  }
  for (const [candidate, partnerId] of partnerTokens()) {
    if (sameSecret(token, candidate)) {
      return {
        userId: `partner:${partnerId}`,
        name: partnerId,
        role: 'partner',
        partnerId,
        tokenId: `env-partner-${partnerId}`,
      };
    }
  }
  return undefined;
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

/** Throws FORBIDDEN unless the principal's role may perform the action. */
export function authorizeAction(principal: Principal, action: Action): void {
  if (!ROLE_ACTIONS[principal.role].includes(action)) {
    throw new JointlyError(
      'FORBIDDEN',
      `The role ${principal.role} may not ${action.replace(':', ' ')}.`,
    );
  }
}

/**
 * The partner a request may see. A partner principal is pinned to its own partner: asking for
 * another one is FORBIDDEN. Other roles see what they ask for (undefined = all partners).
 *
 * @example
 * scopeFor({ role: 'partner', partnerId: 'p1', ... }, undefined) // => 'p1'
 * scopeFor({ role: 'partner', partnerId: 'p1', ... }, 'p2')      // throws FORBIDDEN
 */
export function scopeFor(principal: Principal, requested: string | undefined): string | undefined {
  if (principal.role !== 'partner') return requested;
  if (!principal.partnerId) {
    throw new JointlyError('FORBIDDEN', 'This partner token is not bound to a partner.');
  }
  if (requested !== undefined && requested !== principal.partnerId) {
    throw new JointlyError('FORBIDDEN', `This token may only read partner ${principal.partnerId}.`);
  }
  return principal.partnerId;
}
