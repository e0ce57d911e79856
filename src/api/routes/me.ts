/** Who am I: the caller's role and partner, for the dashboard's navigation. */
import { z } from 'zod';
import { ROLES } from '../auth.js';
import { defineRoute } from '../route.js';

const principalSchema = z.object({
  userId: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  partnerId: z.string().nullable(),
});

// GET /api/v1/me: the principal behind the token.
export const me = defineRoute({
  method: 'GET',
  path: '/api/v1/me',
  summary: 'The caller: name, role and (for partner tokens) partner',
  tags: ['session'],
  action: null,
  global: true,
  cacheable: false,
  params: z.object({}),
  query: z.object({}),
  response: principalSchema,
  handler: async ({ principal }) => ({
    userId: principal.userId,
    name: principal.name,
    role: principal.role,
    partnerId: principal.partnerId ?? null,
  }),
});

export const routes = [me];
