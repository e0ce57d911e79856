/**
 * Shapley value over channels or over partners (non-partner touches play as their channel), from
 * the data-driven engine: exact up to `max_exact_players`, sampled above (its standard error is
 * recorded in the run summary). A touch's weight is its player's share normalised within the
 * opportunity.
 */
import { sql, raw } from '../../warehouse/index.js';
import { shapleyCredits } from '../data-driven/index.js';
import { normalised, type ModelSql } from './common.js';
import { aggregatedPaths, playerExpr, shareRuleText, writeShares, type Players } from './data-driven-paths.js';

/** @example shapleySql({ players: 'channels', max_exact_players: 12, samples: 2000, seed: 1 }, info) */
export function shapleySql(
  p: { players: Players; max_exact_players: number; samples: number; seed: number },
  info: Record<string, unknown>,
): ModelSql {
  return {
    positions: 'first',
    async prepare(wh) {
      const paths = await aggregatedPaths(wh, p.players);
      if (paths.length === 0) {
        await writeShares(wh, []);
        return;
      }
      const result = shapleyCredits(paths, { maxExactPlayers: p.max_exact_players, samples: p.samples, seed: p.seed });
      info['shapley_method'] = result.method;
      if (result.standardError !== undefined) info['shapley_standard_error'] = result.standardError;
      await writeShares(wh, result.credits);
    },
    // The rule key is the player's code in att_share.
    ruleText: shareRuleText('shapley: ', ' share '),
    select: normalised(
      sql`coalesce(s.share, 0)`,
      sql`s.code`,
      sql`left join att_share s on s.player = ${raw(playerExpr(p.players))}`,
      'att_elig_n',
      true,
    ),
  };
}
