/**
 * Shared training step of the predictions: refuses thin data with counts, fits an IRLS logistic
 * regression (src/incrementality) on the training period, evaluates it on the held-out later
 * period (AUC, calibration), refits on every labelled row and scores the current rows.
 */
import { JointlyError } from '../core/index.js';
import { fitLogistic } from '../incrementality/index.js';
import type { EngagementConfig } from './config.js';
import { auc, calibration, type CalibrationBin } from './evaluate-predictions.js';

export interface LabelledRow {
  split: 'train' | 'test';
  x: number[];
  y: number;
}

export interface Evaluation {
  method: 'logistic regression (IRLS)';
  features: string[];
  coefficients: Record<string, number>;
  train_rows: number;
  train_positives: number;
  test_rows: number;
  test_positives: number;
  auc: number;
  calibration: CalibrationBin[];
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Probability of each feature row under coefficients (intercept first). */
export function predictProbabilities(coefficients: readonly number[], rows: readonly (readonly number[])[]): number[] {
  return rows.map((x) => sigmoid(x.reduce((s, v, j) => s + v * (coefficients[j + 1] ?? 0), coefficients[0] ?? 0)));
}

/**
 * @example
 * const { evaluation, probabilities } = trainAndScore({ what: 'renewal', features, labelled, current, limits: cfg.predict });
 */
export function trainAndScore(args: {
  what: string;
  unit: string;
  features: string[];
  labelled: readonly LabelledRow[];
  current: readonly (readonly number[])[];
  limits: EngagementConfig['predict'];
}): { evaluation: Evaluation; probabilities: number[] } {
  const train = args.labelled.filter((r) => r.split === 'train');
  const test = args.labelled.filter((r) => r.split === 'test');
  const trainPos = train.filter((r) => r.y === 1).length;
  const testPos = test.filter((r) => r.y === 1).length;
  const l = args.limits;
  const thin =
    train.length < l.min_training_rows ||
    Math.min(trainPos, train.length - trainPos) < l.min_class_rows ||
    test.length < l.min_test_rows ||
    Math.min(testPos, test.length - testPos) < l.min_test_class_rows;
  if (thin) {
    throw new JointlyError(
      'NO_DATA',
      `Too little data to predict ${args.what}: training has ${train.length} ${args.unit} (${trainPos} yes, ${train.length - trainPos} no), ` +
        `the held-out later period ${test.length} (${testPos} yes, ${test.length - testPos} no); need at least ${l.min_training_rows} ` +
        `with ${l.min_class_rows} of each outcome to train and ${l.min_test_rows} with ${l.min_test_class_rows} of each to evaluate ` +
        '(predict section of engagement.yaml).',
      { details: { train_rows: train.length, train_positives: trainPos, test_rows: test.length, test_positives: testPos } },
    );
  }
  const fit = fitLogistic({ x: train.map((r) => r.x), y: train.map((r) => r.y), ridge: 0.1 });
  const testP = predictProbabilities(fit.coefficients, test.map((r) => r.x));
  const labels = test.map((r) => r.y);
  const full = fitLogistic({ x: args.labelled.map((r) => r.x), y: args.labelled.map((r) => r.y), ridge: 0.1 });
  const evaluation: Evaluation = {
    method: 'logistic regression (IRLS)',
    features: args.features,
    coefficients: Object.fromEntries(['intercept', ...args.features].map((f, i) => [f, full.coefficients[i] ?? 0])),
    train_rows: train.length,
    train_positives: trainPos,
    test_rows: test.length,
    test_positives: testPos,
    auc: auc({ scores: testP, labels }),
    calibration: calibration({ scores: testP, labels, bins: 5 }),
  };
  return { evaluation, probabilities: predictProbabilities(full.coefficients, args.current) };
}
