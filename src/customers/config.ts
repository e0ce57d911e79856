/**
 * config/customers.yaml: acquisition-source priority rules and cohort / LTV settings, validated
 * with zod at load (errors name the file and key).
 */
import { z } from 'zod';
import { configFile, loadYamlConfig } from '../core/config.js';

export const ACQUISITION_RULES = ['sourced_partner', 'registered_partner', 'influenced_partner', 'top_channel'] as const;
export type AcquisitionRule = (typeof ACQUISITION_RULES)[number];

export const CustomersConfigSchema = z.object({
  acquisition: z
    .object({
      priority: z
        .array(z.enum(ACQUISITION_RULES))
        .min(1)
        .refine((a) => new Set(a).size === a.length, 'each rule may appear once')
        .default([...ACQUISITION_RULES]),
      influenced_min_share: z.number().gt(0).max(1).default(0.3),
      attribution_model: z.string().min(1).nullable().default(null),
    })
    .strict()
    .prefault({}),
  cohorts: z
    .object({
      grain: z.enum(['month', 'quarter']).default('quarter'),
      gross_margin: z.number().gt(0).max(1).default(0.8),
      discount_rate: z.number().gt(0).lt(5).default(0.1),
      first_value_event: z.string().min(1).nullable().default(null),
    })
    .strict()
    .prefault({}),
}).strict();

export type CustomersConfig = z.infer<typeof CustomersConfigSchema>;

/**
 * Loads customers.yaml from the --config folder, $JOINTLY_CONFIG, ./config or the shipped default.
 *
 * @example
 * loadCustomersConfig().acquisition.priority // ['sourced_partner', ...]
 */
export function loadCustomersConfig(configDir?: string): CustomersConfig {
  return loadYamlConfig(configFile('customers.yaml', configDir), CustomersConfigSchema);
}
