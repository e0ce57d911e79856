/**
 * Disputes: a partner user (or an internal user on a partner's behalf) disputes a deal or a
 * figure, which opens a governance discrepancy (source `dispute`) with the owner and due time of
 * the dispute service level. A partner may dispute only for itself (`authorize(p,
 * 'write:disputes', { partnerId })`). The only write route of the API, so it is declared here
 * rather than through `defineRoute` (GET only).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { JointlyError } from '../../core/errors.js';
import { authorize, openDiscrepancy, partnerScope } from '../../governance/index.js';
import { sql, type Warehouse } from '../../warehouse/index.js';
import { authenticateRequest } from '../auth.js';
import { describeIssues } from '../route.js';

export const disputeBodySchema = z
  .object({
    partnerId: z.string().min(1).max(200).optional().describe('The partner disputing (partner tokens: their own, the default).'),
    title: z.string().trim().min(3).max(300).describe('What is wrong, in a sentence.'),
    opportunityId: z.string().min(1).max(200).optional().describe('The deal disputed, if any.'),
    metric: z.string().regex(/^[a-z][a-z0-9_]*$/).max(100).optional().describe('The figure disputed (a metric name), if any.'),
    period: z.string().max(40).optional().describe('The period of the figure (e.g. 2026-Q3), if any.'),
    details: z.string().max(4000).optional().describe('Free text for the owner.'),
  })
  .strict();

export const disputeResponseSchema = z.object({
  discrepancy_id: z.number().int(),
  partner_id: z.string().nullable(),
  status: z.literal('open'),
});

/** OpenAPI entry of POST /api/v1/disputes (added to the generated document). */
export function disputeOpenApi(): Record<string, unknown> {
  return {
    post: {
      summary: 'Open a dispute on a deal or figure (opens a discrepancy with an owner and a due time)',
      tags: ['data quality'],
      security: [{ bearer: [] }],
      requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(disputeBodySchema, { io: 'input' }) } } },
      responses: {
        '201': { description: 'Opened', content: { 'application/json': { schema: z.toJSONSchema(disputeResponseSchema) } } },
        '400': { description: 'Bad request' },
        '401': { description: 'No or unknown token' },
        '403': { description: 'Not allowed (e.g. another partner)' },
        '404': { description: 'Unknown deal' },
      },
    },
  };
}

// POST /api/v1/disputes: a partner or internal user disputes a deal or figure.
export function registerDisputeRoute(app: FastifyInstance, wh: Warehouse): void {
  app.post('/api/v1/disputes', async (request, reply) => {
    const principal = await authenticateRequest(wh, request.headers.authorization);
    const parsed = disputeBodySchema.safeParse(request.body ?? {});
    if (!parsed.success) throw new JointlyError('BAD_ARGUMENT', `Bad request: ${describeIssues('body', parsed.error)}.`);
    const body = parsed.data;
    const partnerId = body.partnerId ?? partnerScope(principal);
    // Throws FORBIDDEN for a role without the action or a partner disputing for another partner.
    authorize(principal, 'write:disputes', partnerId === undefined ? {} : { partnerId });
    if (partnerId !== undefined && partnerScope(principal) === undefined && !(await wh.find(sql`select 1 from core.partners where partner_id = ${partnerId}`))) {
      throw new JointlyError('NOT_FOUND', `No partner "${partnerId}".`);
    }
    // Internal users get a 404 for a mistyped deal; a partner may dispute a deal it believes it
    // worked on, and is not told whether an id exists.
    if (body.opportunityId !== undefined && partnerScope(principal) === undefined) {
      const opp = await wh.find(sql`select 1 from core.opportunities where opportunity_id = ${body.opportunityId}`);
      if (!opp) throw new JointlyError('NOT_FOUND', `No deal "${body.opportunityId}".`);
    }
    const { discrepancyId } = await openDiscrepancy(wh, {
      source: 'dispute',
      title: body.title,
      actor: `user:${principal.userId}`,
      ...(partnerId !== undefined ? { partnerId } : {}),
      details: {
        ...(body.opportunityId !== undefined ? { opportunity_id: body.opportunityId } : {}),
        ...(body.metric !== undefined ? { metric: body.metric } : {}),
        ...(body.period !== undefined ? { period: body.period } : {}),
        ...(body.details !== undefined ? { details: body.details } : {}),
      },
    });
    void reply.status(201).header('cache-control', 'no-store');
    return { discrepancy_id: discrepancyId, partner_id: partnerId ?? null, status: 'open' as const };
  });
}
