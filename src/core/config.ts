/**
 * Configuration files: YAML validated with zod at load. Every problem is reported with the
 * file, the key path and what was expected, all at once rather than one at a time.
 *
 * @example
 * const cfg = loadYamlConfig('jointly.yaml', JointlyConfigSchema);
 */
import { readFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { z } from 'zod';
import { JointlyError, messageOf } from './errors.js';

export interface ConfigIssue {
  file: string;
  key: string;
  message: string;
}

/** Validates an already parsed value; returns the typed value or throws with every issue. */
export function validateConfig<S extends z.ZodType>(file: string, value: unknown, schema: S): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues: ConfigIssue[] = result.error.issues.map((i) => ({
    file,
    key: i.path.length ? i.path.map(String).join('.') : '(root)',
    message: i.message,
  }));
  throw new JointlyError(
    'BAD_CONFIG',
    issues.map((i) => `${i.file}: ${i.key}: ${i.message}`).join('; '),
    { details: { issues } },
  );
}

/** Reads and validates one YAML file. */
export function loadYamlConfig<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  if (!existsSync(file)) {
    throw new JointlyError('INPUT_NOT_FOUND', `Configuration file not found: ${file}.`);
  }
  let value: unknown;
  try {
    value = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new JointlyError('BAD_CONFIG', `${file}: not valid YAML: ${messageOf(error)}`, { cause: error });
  }
  return validateConfig(file, value ?? {}, schema);
}

/** A stable hash of any JSON-serialisable configuration (keys sorted), for run records. */
export function configHash(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('hex').slice(0, 16);
}

export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

/**
 * Where a configuration file named `name` (e.g. 'attribution.yaml') is read from: the `--config`
 * folder if given, else $JOINTLY_CONFIG, else ./config in the working directory when it holds that
 * file, else the package's shipped defaults.
 *
 * @example
 * loadYamlConfig(configFile('attribution.yaml', opts.config), AttributionConfigSchema)
 */
export function configFile(name: string, dir?: string): string {
  const candidates = [dir, process.env['JOINTLY_CONFIG'], resolve('config')].filter(
    (d): d is string => typeof d === 'string' && d.length > 0,
  );
  for (const d of candidates) {
    const p = join(d, name);
    if (existsSync(p)) return p;
  }
  if (dir) throw new JointlyError('INPUT_NOT_FOUND', `No ${name} in the configuration folder ${dir}.`);
  return join(packageConfigDir(), name);
}

function packageConfigDir(): string {
  // This module is src/core/config.ts (tests) or dist/src/core/config.js (built): walk up to package.json.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'config');
    dir = dirname(dir);
  }
  return resolve('config');
}
