/**
 * A tagged template for SQL with bound values. Interpolated values become `$n` parameters;
 * identifiers are never interpolated this way (use `raw()` with `ident()` from tables.ts).
 *
 * @example
 * const q = sql`select * from model.credits where run_id = ${runId}`;
 * await wh.all(q);
 */
export type SqlValue = string | number | boolean | bigint | null;

export interface Sql {
  readonly text: string;
  readonly values: SqlValue[];
}

class RawSql {
  constructor(readonly text: string) {}
}

/** Splices trusted SQL text (identifiers from the table spec, fixed fragments) into `sql`. */
export function raw(text: string): RawSql {
  return new RawSql(text);
}

export function sql(strings: TemplateStringsArray, ...params: (SqlValue | RawSql | Sql)[]): Sql {
  let text = strings[0] ?? '';
  const values: SqlValue[] = [];
  params.forEach((p, i) => {
    if (p instanceof RawSql) {
      text += p.text;
    } else if (typeof p === 'object' && p !== null && 'text' in p && 'values' in p) {
      // A nested fragment: renumber its parameters.
      const offset = values.length;
      text += p.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
      values.push(...p.values);
    } else {
      values.push(p);
      text += `$${values.length}`;
    }
    text += strings[i + 1] ?? '';
  });
  return { text, values };
}
