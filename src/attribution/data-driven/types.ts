/**
 * Shared types of the data-driven attribution engine: aggregated paths in, channel credits out.
 */

/** One distinct journey with its outcome counts (as analytics tools export them). */
export type PathRow = { path: string[]; conversions: number; value: number; nulls: number };

/** Credit of one channel (or any player label) under a model. */
export type ChannelCredit = { channel: string; share: number; conversions: number; value: number };

/** Markov credit: a channel credit plus its raw removal effect. */
export type MarkovCredit = ChannelCredit & { removalEffect: number };

/** Result of the Shapley model: exact or sampled, with its standard error when sampled. */
export type ShapleyResult = {
  method: 'exact' | 'sampled';
  standardError?: number;
  credits: ChannelCredit[];
};
