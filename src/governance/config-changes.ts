/**
 * Configuration changes enter the audit log: each governed YAML file's SHA-256 is compared with
 * the hash last audited for it, and a `config.change` entry is written when it differs (or was
 * never seen). Called by every governance command and by `jointly check`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { configFile } from '../core/config.js';
import type { Warehouse } from '../warehouse/index.js';
import { recordAudit } from './audit.js';

export const GOVERNED_CONFIG_FILES = ['attribution.yaml', 'metrics.yaml', 'quality.yaml', 'sharing.yaml', 'payouts.yaml', 'customers.yaml'] as const;

const LAST_HASHES_SQL = `
select target, arg_max(json_extract_string(details, '$.sha256'), seq) as sha256
from meta.audit_log
where action = 'config.change'
group by target`;

/**
 * Audits every governed config file whose content changed since it was last audited.
 *
 * @example
 * const changed = await auditConfigChanges(wh, { actor: 'cli:ana' }); // ['quality.yaml']
 */
export async function auditConfigChanges(wh: Warehouse, opts: { actor: string; configDir?: string }): Promise<string[]> {
  const last = new Map((await wh.all<{ target: string; sha256: string }>(LAST_HASHES_SQL)).map((r) => [r.target, r.sha256]));
  const changed: string[] = [];
  for (const name of GOVERNED_CONFIG_FILES) {
    let file: string;
    try {
      file = configFile(name, opts.configDir);
    } catch {
      continue;
    }
    if (!existsSync(file)) continue;
    const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
    if (last.get(`config:${name}`) === sha256) continue;
    await recordAudit(wh, { actor: opts.actor, action: 'config.change', target: `config:${name}`, details: { sha256, path: file, first_seen: !last.has(`config:${name}`) } });
    changed.push(name);
  }
  return changed;
}
