import autocannon from 'autocannon';
import { mkdtempSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { freePort, startRedis, waitForRedis } from '../tests/support/global-setup.js';

export interface Row {
  bench: string;
  variant: string;
  [metric: string]: string | number;
}

/**
 * One line of the targets table `npm run bench` prints last: a figure, the baseline it is
 * compared with (measured in the same run), the target and whether this run met it.
 */
export interface Target {
  figure: string;
  baseline: string;
  measured: string;
  /** measured ÷ baseline where the target is a ratio. */
  ratio?: number;
  target: string;
  met: boolean;
}

/** What a bench module gets from bench/run.ts. */
export interface BenchCtx {
  seconds: number;
  /** req/s of the bare Fastify + SQLite insert route, measured once per run. */
  bare: () => Promise<number>;
  /** p99 ms of that bare route (after bare() has run). */
  bareP99?: () => number;
  /** Records a line of the targets table. */
  target: (t: Target) => void;
}

export function targetTable(targets: Target[]): string {
  const fmt = (r?: number) => (r === undefined ? '' : r >= 10 ? r.toFixed(0) : r.toFixed(2));
  return [
    '| figure | baseline (same run) | measured | ratio | target | met |',
    '|---|---|---|---|---|---|',
    ...targets.map((t) => `| ${t.figure} | ${t.baseline} | ${t.measured} | ${fmt(t.ratio)} | ${t.target} | ${t.met ? 'yes' : '**no**'} |`),
  ].join('\n');
}

export const tmpDb = (name: string) => join(mkdtempSync(join(tmpdir(), `enf-bench-${name}-`)), 'bench.db');

export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}`;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

/** autocannon against a URL: 50 connections for `seconds`. */
export async function load(opts: autocannon.Options): Promise<LoadResult> {
  const r = await autocannon({ connections: 50, duration: 10, ...opts });
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

export function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** A Redis for the "on Redis" variants: REDIS_URL, or a throwaway redis-server. */
export async function benchRedis(): Promise<{ url: string | null; stop: () => void }> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop: () => {} };
  if (spawnSync('sh', ['-c', 'command -v redis-server']).status !== 0) return { url: null, stop: () => {} };
  const port = await freePort();
  const child: ChildProcess = startRedis(port);
  await waitForRedis(port);
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

export function table(rows: Row[]): string {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const fmt = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : String(v ?? ''));
  return [`| ${cols.join(' | ')} |`, `| ${cols.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${cols.map((c) => fmt(r[c])).join(' | ')} |`)].join(
    '\n',
  );
}

/** Small deterministic PRNG (mulberry32): every run generates the same data. */
export function rng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
