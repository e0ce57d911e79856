/**
 * Markov chain removal effect (order 1–4) from the data-driven engine over the warehouse's
 * aggregated paths; a touch's weight is its channel's share normalised within the opportunity.
 */
import { sql, raw } from '../../warehouse/index.js';
import { markovCredits } from '../data-driven/index.js';
import { normalised, type ModelSql } from './common.js';
import { aggregatedPaths, shareRuleText, writeShares } from './data-driven-paths.js';

/** @example markovSql({ order: 1 }) */
export function markovSql(p: { order: 1 | 2 | 3 | 4 }): ModelSql {
  return {
    positions: 'first',
    async prepare(wh) {
      const paths = await aggregatedPaths(wh, 'channels');
      await writeShares(wh, paths.length ? markovCredits(paths, { order: p.order }) : []);
    },
    // The rule key is the channel's code in att_share.
    ruleText: shareRuleText(`markov (order ${p.order}): `, ' removal-effect share '),
    select: normalised(
      sql`coalesce(s.share, 0)`,
      sql`s.code`,
      sql`left join att_share s on s.player = ${raw('e.channel')}`,
      'att_elig_n',
      true,
    ),
  };
}
