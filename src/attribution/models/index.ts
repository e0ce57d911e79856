/**
 * Model registry: turns a configured model (attribution.yaml) into its SQL. A new model type is
 * one file here plus one case below; a new model of an existing type is configuration only.
 */
import { JointlyError } from '../../core/index.js';
import type { AttributionConfig, ModelSpec } from '../config.js';
import type { ModelSql } from './common.js';
import { firstTouchSql } from './first-touch.js';
import { lastTouchSql } from './last-touch.js';
import { linearSql } from './linear.js';
import { timeDecaySql } from './time-decay.js';
import { positionBasedSql } from './position-based.js';
import { wShapedSql } from './w-shaped.js';
import { fullPathSql } from './full-path.js';
import { customSql } from './custom.js';
import { blendedSql } from './blended.js';
import { rulesSql } from './rules.js';
import { markovSql } from './markov.js';
import { shapleySql } from './shapley.js';

export type { ModelSql } from './common.js';
export { decayFactor } from './time-decay.js';

/**
 * The SQL of model `name` of `cfg`; `info` collects facts for the run summary (shapley method).
 *
 * @example
 * const m = modelSql(cfg, 'linear', {}); await m.prepare?.(wh); await wh.all(m.select);
 */
export function modelSql(cfg: AttributionConfig, name: string, info: Record<string, unknown>): ModelSql {
  const spec: ModelSpec | undefined = cfg.models[name];
  if (!spec) throw new JointlyError('BAD_ARGUMENT', `Unknown attribution model "${name}".`);
  switch (spec.type) {
    case 'first_touch':
      return firstTouchSql();
    case 'last_touch':
      return lastTouchSql();
    case 'linear':
      return linearSql();
    case 'time_decay':
      return timeDecaySql(spec);
    case 'position_based':
      return positionBasedSql(spec);
    case 'w_shaped':
      return wShapedSql(spec);
    case 'full_path':
      return fullPathSql(spec);
    case 'custom':
      return customSql(spec, name);
    case 'blended':
      return blendedSql(Object.entries(spec.mix).map(([m, mix]) => ({ name: m, mix, model: modelSql(cfg, m, info) })));
    case 'rules':
      return rulesSql(
        spec.rules.map((r) => ({ name: r.name, when: r.when, model: modelSql(cfg, r.model, info) })),
        { name: spec.default, model: modelSql(cfg, spec.default, info) },
      );
    case 'markov':
      return markovSql(spec);
    case 'shapley':
      return shapleySql(spec, info);
  }
}
