/**
 * The key of the PII pseudonymisation (HMAC-SHA256, RFC 2104). The HMAC runs set-wise inside
 * DuckDB as sha256((K ^ opad) || unhex(sha256((K ^ ipad) || message))); this module computes the
 * two padded keys once, in TypeScript, and keeps them in a temp table so the secret never
 * appears in SQL text (nor in an error message that quotes SQL).
 *
 * @example
 * const pads = hmacPads('secret'); // { ipad: '...', opad: '...' } hex, 64 bytes each
 */
import { createHash } from 'node:crypto';
import { JointlyError } from '../core/errors.js';

export const PII_KEY_ENV = 'JOINTLY_PII_KEY';
const BLOCK = 64;

/** The inner and outer padded keys of HMAC-SHA256, as hex. */
export function hmacPads(key: string): { ipad: string; opad: string } {
  let k = Buffer.from(key, 'utf8');
  if (k.length > BLOCK) k = createHash('sha256').update(k).digest();
  const padded = Buffer.alloc(BLOCK);
  k.copy(padded);
  const ipad = Buffer.from(padded.map((b) => b ^ 0x36));
  const opad = Buffer.from(padded.map((b) => b ^ 0x5c));
  return { ipad: ipad.toString('hex'), opad: opad.toString('hex') };
}

/** The key from the environment, or a clear error naming the file that needs it. */
export function getPiiKey(fileWithPii: string, column: string): string {
  const key = process.env[PII_KEY_ENV];
  if (!key) {
    throw new JointlyError(
      'BAD_CONFIG',
      `${fileWithPii} has personal data (${column}) and ${PII_KEY_ENV} is not set. Set it to a long random ` +
        `secret and keep it for every load, e.g. export ${PII_KEY_ENV}=$(openssl rand -hex 32).`,
    );
  }
  if (key.length < 16) {
    throw new JointlyError('BAD_CONFIG', `${PII_KEY_ENV} is too short (${key.length} characters); use at least 16.`);
  }
  return key;
}
