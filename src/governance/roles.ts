/**
 * Roles, actions and the permission matrix. Pure (no warehouse): `authorize` and `partnerScope`
 * are what every surface calls before reading or writing anything.
 *
 * A partner principal is bound to one partner_id; every action it takes must name that partner in
 * the resource (fail closed: a partner asking for a resource without a partner id is refused, so
 * the data layer always filters by `partnerScope(principal)`).
 */
import { JointlyError } from '../core/errors.js';

export const ROLES = ['admin', 'analyst', 'finance', 'partner_manager', 'executive', 'partner'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: the result of `authenticate`. */
export interface Principal {
  userId: string;
  name: string;
  role: Role;
  partnerId?: string;
  tokenId: string;
}

/**
 * The actions surfaces ask about. `read:*` are reads, `write:*` change the warehouse or config.
 * An action not in this list is refused for everyone (fail closed).
 */
export const ACTIONS = [
  'read:reports', // attribution, pipeline, revenue, customers, incrementality summaries
  'read:partners', // partner list and details
  'read:credits', // touch-level credits and explanations
  'read:payouts', // payout statements
  'read:engagement',
  'read:quality', // checks, report status, discrepancies
  'read:metrics', // the metric dictionary
  'read:audit',
  'read:users',
  'export', // file exports of any report
  'write:ingest',
  'write:runs', // run models
  'write:payouts', // approve / close payouts
  'write:config',
  'write:discrepancies', // open, assign, resolve
  'write:disputes', // a partner disputes a number (opens a discrepancy)
  'write:users', // users and tokens
] as const;
export type Action = (typeof ACTIONS)[number];

const ALL_READS: readonly Action[] = ACTIONS.filter((a) => a.startsWith('read:') && a !== 'read:audit' && a !== 'read:users');

export const PERMISSIONS: Record<Role, readonly Action[]> = {
  admin: ACTIONS,
  analyst: [...ALL_READS, 'export', 'write:ingest', 'write:runs', 'write:discrepancies', 'write:disputes'],
  finance: [...ALL_READS, 'export', 'write:payouts', 'write:discrepancies', 'write:disputes'],
  partner_manager: [...ALL_READS, 'export', 'write:discrepancies', 'write:disputes'],
  executive: [...ALL_READS, 'export'],
  // Always restricted to the partner's own rows, and to the fields its sharing agreement allows.
  partner: ['read:reports', 'read:partners', 'read:credits', 'read:payouts', 'read:engagement', 'read:metrics', 'export', 'write:disputes'],
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function isAction(value: string): value is Action {
  return (ACTIONS as readonly string[]).includes(value);
}

/**
 * Throws FORBIDDEN unless `principal` may do `action` on `resource`. A partner principal may only
 * touch resources of its own partner_id, and must name it.
 *
 * @example
 * authorize(principal, 'read:payouts', { partnerId: 'P001' }); // throws for a partner bound to P002
 */
export function authorize(principal: Principal, action: string, resource: { partnerId?: string } = {}): void {
  if (!isAction(action)) {
    throw new JointlyError('FORBIDDEN', `Unknown action "${action}": refused. Known actions: ${ACTIONS.join(', ')}.`);
  }
  if (!PERMISSIONS[principal.role].includes(action)) {
    throw new JointlyError('FORBIDDEN', `Role ${principal.role} may not ${action}.`, {
      details: { userId: principal.userId, action },
    });
  }
  if (principal.role === 'partner') {
    if (!principal.partnerId) {
      throw new JointlyError('FORBIDDEN', `Partner user ${principal.userId} is not bound to a partner.`);
    }
    if (resource.partnerId === undefined) {
      throw new JointlyError(
        'FORBIDDEN',
        `A partner user must read through its partner scope (${principal.partnerId}); ${action} named no partner.`,
      );
    }
    if (resource.partnerId !== principal.partnerId) {
      throw new JointlyError('FORBIDDEN', `This token may only access partner ${principal.partnerId}'s data.`, {
        details: { userId: principal.userId, action, requested: resource.partnerId },
      });
    }
  }
}

/**
 * The partner_id a partner user is bound to (every query it makes must filter by it);
 * undefined for internal roles.
 *
 * @example
 * const scope = partnerScope(principal); // 'P001' for a partner user, undefined for an analyst
 */
export function partnerScope(principal: Principal): string | undefined {
  if (principal.role !== 'partner') return undefined;
  if (!principal.partnerId) {
    throw new JointlyError('FORBIDDEN', `Partner user ${principal.userId} is not bound to a partner.`);
  }
  return principal.partnerId;
}
