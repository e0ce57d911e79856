/**
 * Nelder-Mead simplex minimisation (Lagarias et al. 1998 coefficients: reflection 1,
 * expansion 2, contraction 0.5, shrink 0.5). Written here because `fmin` is broken under ESM
 * and the problems are tiny (two parameters); tested on Rosenbrock's function.
 */

export interface NelderMeadResult {
  x: number[];
  fx: number;
  iterations: number;
  converged: boolean;
}

/**
 * Minimises `f` from `x0`.
 *
 * @example
 * nelderMead((x) => (x[0]! - 1) ** 2 + (x[1]! + 2) ** 2, [0, 0]).x // ≈ [1, -2]
 */
export function nelderMead(
  f: (x: number[]) => number,
  x0: readonly number[],
  options: { maxIterations?: number; tolerance?: number; step?: number } = {},
): NelderMeadResult {
  const maxIterations = options.maxIterations ?? 2000;
  const tolerance = options.tolerance ?? 1e-10;
  const step = options.step ?? 0.5;
  const n = x0.length;
  const value = (x: number[]) => {
    const v = f(x);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  let simplex: { x: number[]; fx: number }[] = [{ x: [...x0], fx: value([...x0]) }];
  for (let i = 0; i < n; i++) {
    const x = [...x0];
    x[i] = (x[i] ?? 0) + step;
    simplex.push({ x, fx: value(x) });
  }
  const combine = (a: number[], b: number[], t: number) => a.map((ai, i) => ai + t * ((b[i] ?? 0) - ai));
  let iterations = 0;
  let converged = false;
  for (; iterations < maxIterations; iterations++) {
    simplex.sort((p, q) => p.fx - q.fx);
    const best = simplex[0]!;
    const worst = simplex[n]!;
    const spread = Math.abs(worst.fx - best.fx);
    const size = Math.max(...simplex.map((p) => Math.max(...p.x.map((xi, i) => Math.abs(xi - (best.x[i] ?? 0))))));
    if (spread <= tolerance * (Math.abs(best.fx) + tolerance) && size <= 1e-8 + tolerance) {
      converged = true;
      break;
    }
    const centroid = Array.from({ length: n }, (_, i) => simplex.slice(0, n).reduce((s, p) => s + (p.x[i] ?? 0), 0) / n);
    const reflected = combine(centroid, worst.x, -1);
    const fr = value(reflected);
    const second = simplex[n - 1]!;
    if (fr < best.fx) {
      const expanded = combine(centroid, worst.x, -2);
      const fe = value(expanded);
      simplex[n] = fe < fr ? { x: expanded, fx: fe } : { x: reflected, fx: fr };
    } else if (fr < second.fx) {
      simplex[n] = { x: reflected, fx: fr };
    } else {
      const outside = fr < worst.fx;
      const contracted = combine(centroid, outside ? reflected : worst.x, 0.5);
      const fc = value(contracted);
      if (fc < (outside ? fr : worst.fx)) {
        simplex[n] = { x: contracted, fx: fc };
      } else {
        simplex = simplex.map((p, i) => {
          if (i === 0) return p;
          const x = combine(best.x, p.x, 0.5);
          return { x, fx: value(x) };
        });
      }
    }
  }
  simplex.sort((p, q) => p.fx - q.fx);
  const best = simplex[0]!;
  return { x: best.x, fx: best.fx, iterations, converged };
}
