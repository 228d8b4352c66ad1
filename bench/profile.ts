/**
 * `npx tsx bench/profile.ts [seconds]`: CPU profile of POST /v1/complaints under load. The app
 * runs in this process under the V8 inspector's profiler while autocannon (50 connections, the
 * intake benchmark's spread workload) loads it from a child process; prints the top functions by
 * self time and writes the .cpuprofile to bench/results/ (open it in Chrome DevTools).
 */
import { Session } from 'node:inspector/promises';
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { startApp } from './intake.js';

const seconds = Number(process.argv[2] ?? 8);
if (process.argv[2] === '--child') {
  // The load generator, out of the profiled process.
  const { default: autocannon } = await import('autocannon');
  const { requests } = await import('./intake.js');
  const [url, token, secs] = process.argv.slice(3);
  const gen = requests(process.env.PROFILE_WORKLOAD === 'clustered' ? 'clustered' : 'spread', token);
  const r = await autocannon({
    url,
    connections: 50,
    duration: Number(secs),
    requests: [{ method: 'POST', path: '/v1/complaints', setupRequest: gen.setupRequest }],
  });
  process.send!({ rps: Math.round(r.requests.average), p99: r.latency.p99, non2xx: r.non2xx });
  process.exit(0);
}

const { app, url, token } = await startApp('embedded');
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 200 });
await session.post('Profiler.start');
const child = fork(new URL(import.meta.url).pathname, ['--child', url, token, String(seconds)], { execArgv: ['--import', 'tsx'] });
const result = await new Promise<unknown>((r) => child.on('message', r));
const { profile } = await session.post('Profiler.stop');
await app.close();

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] };
const nodes = profile.nodes as Node[];
const total = nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0);
const self = new Map<string, number>();
const byFile = new Map<string, number>();
for (const n of nodes) {
  const f = n.callFrame;
  const file = f.url
    .replace(/^file:\/\//, '')
    .replace(/.*\/node_modules\//, 'node_modules/')
    .replace(/.*\/(src|bench)\//, '$1/');
  const key = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + (n.hitCount ?? 0));
  const pkg = file.startsWith('node_modules/')
    ? file
        .split('/')
        .slice(0, file.split('/')[1].startsWith('@') ? 3 : 2)
        .join('/')
    : file.split(':')[0] || f.functionName;
  byFile.set(pkg, (byFile.get(pkg) ?? 0) + (n.hitCount ?? 0));
}
const top = (m: Map<string, number>, k: number) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([name, hits]) => `${((100 * hits) / total).toFixed(1).padStart(5)} %  ${name}`)
    .join('\n');
// Inclusive time of the project's own functions (a function on the stack twice counts once).
const byId = new Map(nodes.map((n) => [n.id, n]));
const keyOf = (n: Node) => {
  const f = n.callFrame;
  return `${f.functionName || '(anonymous)'} ${f.url.replace(/.*\/(src|bench)\//, '$1/')}:${f.lineNumber + 1}`;
};
const inclusive = new Map<string, number>();
const walk = (id: number, onStack: Set<string>): number => {
  const n = byId.get(id)!;
  const k = keyOf(n);
  const own = /\/src\//.test(n.callFrame.url) && !onStack.has(k);
  if (own) onStack.add(k);
  let t = n.hitCount ?? 0;
  for (const c of n.children ?? []) t += walk(c, onStack);
  if (own) {
    onStack.delete(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + t);
  }
  return t;
};
const root = nodes[0];
walk(root.id, new Set());
const idle = nodes.filter((n) => n.callFrame.functionName === '(idle)').reduce((s, n) => s + (n.hitCount ?? 0), 0);
console.log(
  `load: ${JSON.stringify(result)}\nidle ${((100 * idle) / total).toFixed(1)} % of samples\n\ntop functions by self time:\n${top(self, 30)}\n\nby package/file:\n${top(byFile, 25)}\n\nown functions by inclusive time:\n${top(inclusive, 40)}`,
);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/intake.cpuprofile', import.meta.url), JSON.stringify(profile));
process.exit(0);
