/**
 * JSON with object keys sorted and no whitespace (undefined members dropped), so `{a,b}` and
 * `{b,a}` hash alike: idempotency keys compare bodies with it, random-inspection draws hash their
 * published inputs with it (anyone re-running a draw must get the same bytes).
 */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}
