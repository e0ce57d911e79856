/**
 * `jointly retention --input FILE`: reads a survival table someone brings (CSV with a header
 * `period,customers`, period 0 = the cohort's start, one row per period in order), fits the sBG
 * and projects the survivors. The file is tiny, so it is parsed here rather than in DuckDB.
 */
import { existsSync, readFileSync } from 'node:fs';
import { JointlyError } from '../core/errors.js';
import { fitSbg, sbgSurvival, type SbgFit } from './sbg.js';

export interface RetentionFileResult {
  alpha: number;
  beta: number;
  log_likelihood: number;
  /** Expected customers at the start of periods 0..N (cohort size × S(t)). */
  projected: number[];
}

/**
 * @example
 * fitRetentionFile({ file: 'cohort.csv', periods: 12 }) // { alpha, beta, log_likelihood, projected }
 */
export function fitRetentionFile(args: { file: string; periods?: number }): RetentionFileResult & { fit: SbgFit } {
  const survivors = readSurvivalCsv(args.file);
  const fit = fitSbg(survivors);
  const periods = args.periods ?? Math.max(12, survivors.length - 1);
  if (!Number.isInteger(periods) || periods < 1) {
    throw new JointlyError('BAD_ARGUMENT', `--periods expects a positive whole number, got ${periods}.`);
  }
  const projected = sbgSurvival(fit, periods).map((s) => Number((fit.n * s).toFixed(4)));
  return { alpha: fit.alpha, beta: fit.beta, log_likelihood: fit.log_likelihood, projected, fit };
}

/** Parses `period,customers` rows; errors name the file, line and field. */
export function readSurvivalCsv(file: string): number[] {
  if (!existsSync(file)) throw new JointlyError('INPUT_NOT_FOUND', `No such file: ${file}.`);
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().replace(/^"|"$/g, '').toLowerCase());
  const pi = header.indexOf('period');
  const ci = header.indexOf('customers');
  if (pi < 0 || ci < 0) {
    throw new JointlyError('INPUT_UNREADABLE', `${file}: line 1: expected a header with columns period,customers, got "${lines[0] ?? ''}".`);
  }
  const out: number[] = [];
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const cells = line.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
    const lineNo = i + 2;
    const period = Number(cells[pi]);
    const customers = Number(cells[ci]);
    if (cells[pi] === '' || !Number.isInteger(period)) {
      throw new JointlyError('INPUT_UNREADABLE', `${file}: line ${lineNo}: field period: expected a whole number, got "${cells[pi] ?? ''}".`);
    }
    if (period !== out.length) {
      throw new JointlyError('INPUT_UNREADABLE', `${file}: line ${lineNo}: field period: expected ${out.length} (periods start at 0 and go up by 1), got ${period}.`);
    }
    if (cells[ci] === '' || !Number.isFinite(customers) || customers < 0) {
      throw new JointlyError('INPUT_UNREADABLE', `${file}: line ${lineNo}: field customers: expected a non-negative number, got "${cells[ci] ?? ''}".`);
    }
    const prev = out[out.length - 1];
    if (prev !== undefined && customers > prev) {
      throw new JointlyError('INPUT_UNREADABLE', `${file}: line ${lineNo}: field customers: ${customers} is more than the ${prev} of the period before; survivors cannot increase.`);
    }
    out.push(customers);
  });
  if (out.length < 3) {
    throw new JointlyError('NO_DATA', `${file}: needs period 0 and at least 2 later periods, got ${out.length} row(s).`);
  }
  return out;
}
