/**
 * Sample-ratio mismatch: a chi-square goodness-of-fit test of the arm sizes against the planned
 * split. A tiny p-value (below 0.001 by convention) means the assignment is broken and the
 * readout should not be trusted.
 */
import { JointlyError } from '../core/errors.js';
import { chiSquareUpperTail } from './distributions.js';

export interface SrmResult {
  method: 'chi-square goodness of fit';
  chi_square: number;
  p_value: number;
  /** p_value < threshold. */
  mismatch: boolean;
  threshold: number;
  expected_treatment_share: number;
  observed_treatment_share: number;
}

/**
 * @example
 * srmTest({ treatment: 550, control: 450 }) // chi_square 10, p ≈ 0.00157
 */
export function srmTest(args: {
  treatment: number;
  control: number;
  expectedTreatmentShare?: number;
  threshold?: number;
}): SrmResult {
  const share = args.expectedTreatmentShare ?? 0.5;
  const threshold = args.threshold ?? 0.001;
  const total = args.treatment + args.control;
  if (!(share > 0 && share < 1)) {
    throw new JointlyError('BAD_ARGUMENT', `Expected treatment share must be between 0 and 1, got ${share}.`);
  }
  if (total === 0) throw new JointlyError('NO_DATA', 'Sample-ratio check needs at least one assigned account.');
  const e1 = total * share;
  const e0 = total * (1 - share);
  const chi = (args.treatment - e1) ** 2 / e1 + (args.control - e0) ** 2 / e0;
  const p = chiSquareUpperTail(chi, 1);
  return {
    method: 'chi-square goodness of fit',
    chi_square: chi,
    p_value: p,
    mismatch: p < threshold,
    threshold,
    expected_treatment_share: share,
    observed_treatment_share: args.treatment / total,
  };
}
