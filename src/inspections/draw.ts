/**
 * The random-inspection draw (双随机): pure, deterministic, no database. The service runs it when
 * the last party reveals; `npm run cli -- draw verify <record.json>` runs the same code on the
 * published draw record. Anyone can re-run it.
 *
 * ## Seed (commit–reveal)
 * Each party agency keeps a secret of 32 random bytes and first publishes its commitment
 * `hex(SHA-256(secret))`. When all have committed the pools are frozen and `inputHash` (below) is
 * recorded; then each reveals its secret (64 lowercase hex characters). The seed is
 * `SHA-256(secret_1 ‖ secret_2 ‖ … )` over the secret BYTES in the order of `parties`. No party
 * can steer the seed: the others' secrets were fixed (committed) before anyone revealed.
 *
 * ## Input hash
 * `inputHash = hex(SHA-256(canonical JSON of the input))`, where the input is everything the
 * draw reads (plan id, inspection date, ratios, officers per target, mode, plan side, parties,
 * pools) and canonical JSON is JSON with object keys sorted and no whitespace.
 *
 * ## Random source
 * A stream per label: block b (b = 0, 1, …) is `HMAC-SHA-256(key = seed bytes, message =
 * UTF-8 "<label>#<b>")`; the stream is the blocks' bytes in order, read as big-endian uint32s.
 * `randInt(n)` reads the next uint32 u and returns `u mod n`, rejecting (reading again) when
 * `u ≥ floor(2^32 / n) × n`, so every value is equally likely.
 *
 * ## Targets
 * For each class in the order key, special, general: the class's pool (sources of that class)
 * sorted by id (code-unit order), count = ⌈ratio × pool size⌉ (computed as
 * `ceil(round(ratio × size × 10^6) / 10^6)` so 0.1 × 30 is 3, not 4), then a Fisher–Yates shuffle
 * stopped after `count` steps on label `targets:<class>`: for i = 0 … count−1, j = i +
 * randInt(size − i), swap(i, j). The first `count` ids are that class's targets, in that order.
 *
 * ## Officers
 * Targets are served in order (key first). For each target, slot s = 0 … k−1 (k = officers per
 * target) picks one officer among those eligible: active; certificate valid on the inspection
 * date (`certificateValidUntil ≥ inspectionDate`); no declared conflict with the source; not
 * paired with this source in the previous plan of the same scope (轮换); not already picked for
 * this target; and the mode's side rule — `same_side`: the source's side; `cross`: the other side
 * (交叉执法, nobody inspects his own side); `joint`: slot 0 the source's side, slot 1 the other
 * side, further slots either. Among the eligible, only those with the fewest targets so far
 * (even load); among those, sorted by id, the one at `randInt(count)` on label
 * `officers:<target index>:<slot>`.
 *
 * A slot with nobody eligible fails the whole draw with the constraint that emptied the
 * candidates (checked in the order above) and the target.
 */
import { createHash, createHmac } from 'node:crypto';
import { canonicalJson } from '../json.js';

export const CLASSES = ['key', 'special', 'general'] as const;
export type SupervisionClass = (typeof CLASSES)[number];
export const MODES = ['same_side', 'cross', 'joint'] as const;
export type DrawMode = (typeof MODES)[number];
export type DrawSide = 'region' | 'corps';

export interface PoolSource {
  id: string;
  class: SupervisionClass;
  side: DrawSide;
}
export interface PoolOfficer {
  id: string;
  side: DrawSide;
  active: boolean;
  certificateValidUntil: string;
}
export interface Pair {
  inspectorId: string;
  sourceId: string;
}
export interface DrawInput {
  planId: string;
  /** The date certificates must be valid on: the period's first day. */
  inspectionDate: string;
  ratios: Record<SupervisionClass, number>;
  inspectorsPerTarget: number;
  mode: DrawMode;
  planSide: DrawSide;
  /** Party agency codes, in the order their secrets are concatenated. */
  parties: string[];
  pools: {
    sources: PoolSource[];
    officers: PoolOfficer[];
    conflicts: Pair[];
    previousPairs: Pair[];
  };
}
export interface DrawnTarget {
  sourceId: string;
  class: SupervisionClass;
  officers: string[];
}
export interface DrawFailure {
  /** active | certificate | conflict | rotation | side_rule | distinct | pool_empty */
  constraint: string;
  detail: string;
  sourceId: string;
  slot: number;
}
export type DrawResult = { ok: true; targets: DrawnTarget[] } | { ok: false; failure: DrawFailure };

// ------------------------------------------------------------------------------------- hashing

export const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
export const HEX64 = /^[0-9a-f]{64}$/;
export const commitmentOf = (secretHex: string) => sha256Hex(Buffer.from(secretHex, 'hex'));
export const inputHash = (input: DrawInput) => sha256Hex(canonicalJson(input));
/** SHA-256 of the secrets' bytes concatenated in party order. */
export const seedOf = (secretsHex: string[]) => sha256Hex(Buffer.concat(secretsHex.map((s) => Buffer.from(s, 'hex'))));

// ------------------------------------------------------------------------------- random stream

export class RandomStream {
  private block = 0;
  private buf = Buffer.alloc(0);
  private pos = 0;
  constructor(
    private readonly key: Buffer,
    private readonly label: string,
  ) {}
  private u32(): number {
    if (this.pos + 4 > this.buf.length) {
      this.buf = createHmac('sha256', this.key).update(`${this.label}#${this.block++}`, 'utf8').digest();
      this.pos = 0;
    }
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  /** Uniform in [0, n), n ≥ 1 (rejection sampling). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) throw new Error(`randInt(${n})`);
    const limit = Math.floor(2 ** 32 / n) * n;
    for (;;) {
      const u = this.u32();
      if (u < limit) return u % n;
    }
  }
}

/** ⌈ratio × size⌉ without floating-point surprises (0.1 × 30 → 3). */
export const targetCount = (ratio: number, size: number) => Math.ceil(Math.round(ratio * size * 1e6) / 1e6);

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Runs the draw. `seedHex` is the 64-hex-character seed. */
export function runDraw(input: DrawInput, seedHex: string): DrawResult {
  const key = Buffer.from(seedHex, 'hex');
  const k = input.inspectorsPerTarget;

  // Targets per class.
  const picked: { source: PoolSource }[] = [];
  for (const cls of CLASSES) {
    const pool = input.pools.sources.filter((s) => s.class === cls).sort(byId);
    const count = Math.min(pool.length, targetCount(input.ratios[cls], pool.length));
    const rnd = new RandomStream(key, `targets:${cls}`);
    for (let i = 0; i < count; i++) {
      const j = i + rnd.int(pool.length - i);
      const t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
    }
    for (let i = 0; i < count; i++) picked.push({ source: pool[i] });
  }

  // Officers per target.
  const officers = [...input.pools.officers].sort(byId);
  const load = new Int32Array(officers.length);
  // Per source: the officer indexes excluded by a declared conflict or by the previous plan's pairs.
  const index = new Map(officers.map((o, i) => [o.id, i]));
  const bySource = (pairs: Pair[]) => {
    const m = new Map<string, Set<number>>();
    for (const p of pairs) {
      const i = index.get(p.inspectorId);
      if (i === undefined) continue;
      let set = m.get(p.sourceId);
      if (!set) m.set(p.sourceId, (set = new Set()));
      set.add(i);
    }
    return m;
  };
  const conflicts = bySource(input.pools.conflicts);
  const previous = bySource(input.pools.previousPairs);
  const base: number[] = [];
  for (let i = 0; i < officers.length; i++) if (officers[i].active) base.push(i);
  const certified = base.filter((i) => officers[i].certificateValidUntil >= input.inspectionDate);

  const targets: DrawnTarget[] = [];
  const chosen = new Uint8Array(officers.length);
  for (let t = 0; t < picked.length; t++) {
    const src = picked[t].source;
    const conflicted = conflicts.get(src.id);
    const paired = previous.get(src.id);
    const mine: number[] = [];
    for (let slot = 0; slot < k; slot++) {
      const wantSide: DrawSide | null =
        input.mode === 'same_side' ? src.side : input.mode === 'cross' ? other(src.side) : slot === 0 ? src.side : slot === 1 ? other(src.side) : null;
      // Candidates with the fewest targets so far, in id order; stage counts for a failure.
      let best = Infinity;
      let cands: number[] = [];
      let nConflict = 0;
      let nRotation = 0;
      let nSide = 0;
      for (const i of certified) {
        const o = officers[i];
        if (conflicted && conflicted.has(i)) continue;
        nConflict++;
        if (paired && paired.has(i)) continue;
        nRotation++;
        if (wantSide && o.side !== wantSide) continue;
        nSide++;
        if (chosen[i]) continue;
        const l = load[i];
        if (l < best) {
          best = l;
          cands = [i];
        } else if (l === best) cands.push(i);
      }
      if (cands.length === 0) {
        const stages: [string, number][] = [
          ['pool_empty', officers.length],
          ['active', base.length],
          ['certificate', certified.length],
          ['conflict', nConflict],
          ['rotation', nRotation],
          ['side_rule', nSide],
        ];
        const failed = stages.find(([, n]) => n === 0)?.[0] ?? 'distinct';
        const counts = stages.map(([s, n]) => `${s} ${n}`).join(', ');
        return {
          ok: false,
          failure: {
            constraint: failed,
            sourceId: src.id,
            slot,
            detail: `No officer left for slot ${slot + 1} of ${k} at source ${src.id} (${src.side}, ${input.mode}${wantSide ? `, needs ${wantSide}` : ''}): constraint ${failed} leaves none (candidates after each rule: ${counts}, not yet picked for this target ${cands.length}).`,
          },
        };
      }
      const pick = cands[new RandomStream(key, `officers:${t}:${slot}`).int(cands.length)];
      chosen[pick] = 1;
      mine.push(pick);
    }
    for (const i of mine) {
      chosen[i] = 0;
      load[i]++;
    }
    targets.push({ sourceId: src.id, class: src.class, officers: mine.map((i) => officers[i].id) });
  }
  return { ok: true, targets };
}

const other = (s: DrawSide): DrawSide => (s === 'region' ? 'corps' : 'region');

// ------------------------------------------------------------------------------------ records

/**
 * The published draw record (GET /v1/public/inspection-plans/{id}/draw-record), the file
 * `draw verify` reads: the input, its hash, every party's commitment and secret, the seed, and
 * the result. Every byte of it is checked.
 */
export interface DrawRecord {
  input: DrawInput;
  inputHash: string;
  commitments: { agencyCode: string; commitment: string; secret: string }[];
  seed: string;
  result: { status: 'drawn'; targets: DrawnTarget[] } | { status: 'failed'; failure: DrawFailure };
}

export interface VerifyReport {
  ok: boolean;
  checks: { name: string; ok: boolean; detail?: string }[];
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
function exactKeys(v: unknown, keys: string[], path: string): string | null {
  if (!isObj(v)) return `${path} is not an object`;
  const got = Object.keys(v).sort();
  const want = [...keys].sort();
  if (got.join(',') !== want.join(',')) return `${path} has keys [${got.join(', ')}], expected [${want.join(', ')}]`;
  return null;
}

/** Checks the record's shape strictly (no unknown or missing keys, lowercase hex, known enums). */
function shapeErrors(r: unknown): string[] {
  const errs: string[] = [];
  const e = (m: string | null) => m && errs.push(m);
  e(exactKeys(r, ['input', 'inputHash', 'commitments', 'seed', 'result'], 'record'));
  if (errs.length) return errs;
  const rec = r as Record<string, any>;
  e(exactKeys(rec.input, ['planId', 'inspectionDate', 'ratios', 'inspectorsPerTarget', 'mode', 'planSide', 'parties', 'pools'], 'input'));
  if (errs.length) return errs;
  const inp = rec.input;
  e(exactKeys(inp.ratios, [...CLASSES], 'input.ratios'));
  e(exactKeys(inp.pools, ['sources', 'officers', 'conflicts', 'previousPairs'], 'input.pools'));
  if (errs.length) return errs;
  if (typeof inp.planId !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(String(inp.inspectionDate))) errs.push('input.planId / inspectionDate malformed');
  if (!Number.isInteger(inp.inspectorsPerTarget) || inp.inspectorsPerTarget < 2) errs.push('input.inspectorsPerTarget must be an integer ≥ 2');
  if (!MODES.includes(inp.mode)) errs.push('input.mode unknown');
  if (inp.planSide !== 'region' && inp.planSide !== 'corps') errs.push('input.planSide unknown');
  for (const c of CLASSES) if (typeof inp.ratios[c] !== 'number' || inp.ratios[c] < 0 || inp.ratios[c] > 1) errs.push(`input.ratios.${c} outside [0, 1]`);
  if (!Array.isArray(inp.parties) || !inp.parties.every((p: unknown) => typeof p === 'string')) errs.push('input.parties malformed');
  const arr = (v: unknown, keys: string[], path: string, check: (x: any) => boolean) => {
    if (!Array.isArray(v)) return errs.push(`${path} is not an array`);
    v.forEach((x, i) => {
      const m = exactKeys(x, keys, `${path}[${i}]`);
      if (m) errs.push(m);
      else if (!check(x)) errs.push(`${path}[${i}] has a bad value`);
    });
  };
  const sides = (s: unknown) => s === 'region' || s === 'corps';
  arr(inp.pools.sources, ['id', 'class', 'side'], 'input.pools.sources', (x) => typeof x.id === 'string' && CLASSES.includes(x.class) && sides(x.side));
  arr(
    inp.pools.officers,
    ['id', 'side', 'active', 'certificateValidUntil'],
    'input.pools.officers',
    (x) => typeof x.id === 'string' && sides(x.side) && typeof x.active === 'boolean' && /^\d{4}-\d{2}-\d{2}$/.test(x.certificateValidUntil),
  );
  const pair = (x: any) => typeof x.inspectorId === 'string' && typeof x.sourceId === 'string';
  arr(inp.pools.conflicts, ['inspectorId', 'sourceId'], 'input.pools.conflicts', pair);
  arr(inp.pools.previousPairs, ['inspectorId', 'sourceId'], 'input.pools.previousPairs', pair);
  arr(
    rec.commitments,
    ['agencyCode', 'commitment', 'secret'],
    'commitments',
    (x) => typeof x.agencyCode === 'string' && HEX64.test(x.commitment) && HEX64.test(x.secret),
  );
  if (!HEX64.test(String(rec.inputHash))) errs.push('inputHash is not 64 lowercase hex characters');
  if (!HEX64.test(String(rec.seed))) errs.push('seed is not 64 lowercase hex characters');
  const res = rec.result;
  if (!isObj(res) || (res.status !== 'drawn' && res.status !== 'failed')) errs.push('result.status must be drawn or failed');
  else if (res.status === 'drawn') {
    e(exactKeys(res, ['status', 'targets'], 'result'));
    arr(res.targets, ['sourceId', 'class', 'officers'], 'result.targets', (x) => typeof x.sourceId === 'string' && Array.isArray(x.officers));
  } else e(exactKeys(res, ['status', 'failure'], 'result'));
  return errs;
}

/** Re-runs a published draw and reports each check. Pure: no database, no network. */
export function verifyDrawRecord(record: unknown): VerifyReport {
  const checks: VerifyReport['checks'] = [];
  const shape = shapeErrors(record);
  checks.push({ name: 'record shape', ok: shape.length === 0, ...(shape.length ? { detail: shape.slice(0, 5).join('; ') } : {}) });
  if (shape.length) return { ok: false, checks };
  const r = record as DrawRecord;
  const h = inputHash(r.input);
  checks.push({ name: 'input hash', ok: h === r.inputHash, ...(h !== r.inputHash ? { detail: `computed ${h}, published ${r.inputHash}` } : {}) });
  const order = r.commitments.map((c) => c.agencyCode).join(',') === r.input.parties.join(',');
  checks.push({ name: 'parties and order', ok: order, ...(order ? {} : { detail: 'commitments are not in the order of input.parties' }) });
  for (const c of r.commitments) {
    const ok = commitmentOf(c.secret) === c.commitment;
    checks.push({ name: `commitment of ${c.agencyCode}`, ok, ...(ok ? {} : { detail: 'SHA-256 of the revealed secret differs from the commitment' }) });
  }
  const seed = seedOf(r.commitments.map((c) => c.secret));
  checks.push({ name: 'seed', ok: seed === r.seed, ...(seed !== r.seed ? { detail: `computed ${seed}, published ${r.seed}` } : {}) });
  const out = runDraw(r.input, seed);
  const mine = out.ok ? { status: 'drawn', targets: out.targets } : { status: 'failed', failure: out.failure };
  const same = canonicalJson(mine) === canonicalJson(r.result);
  checks.push({ name: 'draw result', ok: same, ...(same ? {} : { detail: 're-running the draw from the published input and seed gives another result' }) });
  return { ok: checks.every((c) => c.ok), checks };
}
