/**
 * `… $1 … $2 …` split around its placeholders, for clients that bind
 * parameters their own way (`?` for Knex and MikroORM, template chunks for
 * Drizzle): `parts` has one more element than `order`, the 0-based parameter
 * index of each placeholder in text order. The outbox's own SQL has no `$` in
 * literals.
 */
export function splitPlaceholders(text: string): { parts: string[]; order: number[] } {
  const parts: string[] = [];
  const order: number[] = [];
  let last = 0;
  for (const match of text.matchAll(/\$(\d+)/g)) {
    parts.push(text.slice(last, match.index));
    order.push(Number(match[1]) - 1);
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return { parts, order };
}

/**
 * `$n` placeholders as `?`, with the parameters in the order they appear.
 * Knex (and MikroORM through it) expands an array bound to `?` into a list:
 * arrays go as PostgreSQL array literals instead, which the statements cast (`$1::text[]`).
 */
export function toQuestionMarks(text: string, params: readonly unknown[]): { sql: string; bindings: unknown[] } {
  const { parts, order } = splitPlaceholders(text);
  return { sql: parts.join('?'), bindings: order.map((i) => (Array.isArray(params[i]) ? arrayLiteral(params[i] as unknown[]) : params[i])) };
}

/** `{"a","b"}`: every element quoted, backslashes and quotes escaped (the outbox binds arrays of strings only). */
function arrayLiteral(values: readonly unknown[]): string {
  return `{${values.map((v) => `"${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}
