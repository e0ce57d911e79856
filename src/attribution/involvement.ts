/**
 * Sourced and influenced, per DESIGN.md: an opportunity is sourced by the partner it names
 * (sourced_partner_id, else registered_partner_id), or else by the partner of its first eligible
 * touch before creation when that touch is a referral or a deal registration. It is influenced by
 * every partner with a touch in the window (window start up to the close; open: until now),
 * including each partner of a joint activity.
 *
 * Writes `model.sourced` and `report.involvement` (one row per opportunity, partner, activity and
 * channel; sourced rows and influenced rows are separate).
 */
import type { Warehouse } from '../warehouse/index.js';
import { sql } from '../warehouse/index.js';

/** @example await writeInvolvement(wh, 7) */
export async function writeInvolvement(wh: Warehouse, runId: number): Promise<void> {
  await wh.run(sql`insert into model.sourced (run_id, opportunity_id, partner_id, reason, touchpoint_id)
    with first_touch as (
      -- Only a partner referral or deal registration can source by touch: filter before the join.
      select c.opp_key, c.touchpoint_id, c.partner_id, c.touch_type
      from att_cand c
      join att_pos p on p.opp_key = c.opp_key and p.purpose = 0
      where c.in_pipeline and c.partner_id is not null and c.touch_type in ('referral', 'deal_registration')
        and c.touch_key = p.first_key
    )
    select ${runId}, o.opportunity_id,
      coalesce(co.sourced_partner_id, co.registered_partner_id, f.partner_id),
      case
        when co.sourced_partner_id is not null then 'named as the sourcing partner on the opportunity'
        when co.registered_partner_id is not null then 'registered the deal (registered partner on the opportunity)'
        else 'first touch before creation is a partner ' || replace(f.touch_type, '_', ' ')
      end,
      case when co.sourced_partner_id is null and co.registered_partner_id is null then f.touchpoint_id end
    from att_opp o
    join core.opportunities co on co.opportunity_id = o.opportunity_id
    left join first_touch f on f.opp_key = o.opp_key
    where co.sourced_partner_id is not null or co.registered_partner_id is not null
      or (f.partner_id is not null and f.touch_type in ('referral', 'deal_registration'))`);
  await wh.run(sql`insert into report.involvement
      (run_id, opportunity_id, partner_id, activity_id, channel, is_sourced, is_influenced, first_touch_at)
    select ${runId}, o.opportunity_id, i.partner_id, i.activity_id, i.channel, false, true, i.first_touch_at
    from (
      select c.opp_key, coalesce(s.partner_id, c.partner_id) as partner_id, c.activity_id, c.channel, min(c.occurred_at) as first_touch_at
      from att_cand c
      left join att_partner_shares s on s.activity_id = c.activity_id
      where coalesce(s.partner_id, c.partner_id) is not null
      group by c.opp_key, coalesce(s.partner_id, c.partner_id), c.activity_id, c.channel
    ) i
    join att_opp o on o.opp_key = i.opp_key
    union all
    select ${runId}, so.opportunity_id, so.partner_id, t.activity_id, t.channel, true, false, t.occurred_at
    from model.sourced so
    left join core.touchpoints t on t.touchpoint_id = so.touchpoint_id
    where so.run_id = ${runId}`);
}
