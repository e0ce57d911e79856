/**
 * The design step of a holdout: accounts per arm for a rate outcome, and for a money outcome
 * when a mean and standard deviation are given.
 */
import { JointlyError } from '../core/errors.js';
import {
  sampleSizeMeans,
  sampleSizeProportions,
  type MeanSampleSize,
  type ProportionSampleSize,
} from './sample-size.js';

export interface ExperimentPlan {
  proportion: ProportionSampleSize | null;
  mean: MeanSampleSize | null;
}

/**
 * @example
 * planExperiment({ baselineRate: 0.1, mde: 0.02 }).proportion?.n_per_arm // 3841
 */
export function planExperiment(args: {
  baselineRate?: number;
  mde: number;
  power?: number;
  alpha?: number;
  mean?: number;
  sd?: number;
  /** MDE of the money outcome when it differs from `mde` (both outcomes planned at once). */
  meanMde?: number;
  /** When true the MDE is relative to the baseline rate (or mean): 0.1 = +10 %. */
  relative?: boolean;
}): ExperimentPlan {
  const { baselineRate, mean, sd } = args;
  if (baselineRate === undefined && (mean === undefined || sd === undefined)) {
    throw new JointlyError('BAD_ARGUMENT', 'Give --baseline-rate for a rate outcome, or --mean and --sd for a money outcome.');
  }
  if ((mean === undefined) !== (sd === undefined)) {
    throw new JointlyError('BAD_ARGUMENT', '--mean and --sd go together: give both or neither.');
  }
  const base = { power: args.power, alpha: args.alpha };
  const proportion =
    baselineRate === undefined
      ? null
      : sampleSizeProportions({ ...base, baselineRate, mde: args.relative ? args.mde * baselineRate : args.mde });
  const meanPlan =
    mean === undefined || sd === undefined
      ? null
      : sampleSizeMeans({ ...base, mean, sd, mde: args.relative ? (args.meanMde ?? args.mde) * mean : (args.meanMde ?? args.mde) });
  return { proportion, mean: meanPlan };
}

