/** Every API route, in the order of the OpenAPI document. */
import type { AnyRoute } from '../route.js';
import { routes as me } from './me.js';
import { routes as partners } from './partners.js';
import { routes as dataOps } from './data-ops.js';
import { routes as models } from './models.js';
import { routes as deals } from './deals.js';
import { routes as attribution } from './attribution.js';
import { routes as governance } from './governance.js';
import { routes as outcomes } from './outcomes.js';
import { routes as payouts } from './payouts.js';
import { routes as engagement } from './engagement.js';

export const ROUTES: readonly AnyRoute[] = [...me, ...models, ...attribution, ...partners, ...deals, ...outcomes, ...engagement, ...payouts, ...dataOps, ...governance];
