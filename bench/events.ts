import http, { createServer, type IncomingMessage, type Server } from 'node:http';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { inTx } from '../src/db/client.js';
import { createKey } from '../src/auth/keys.js';
import { systemClock } from '../src/clock.js';
import { appendEvent, type StoredEvent } from '../src/outbox/index.js';
import { toCloudEvent } from '../src/events/envelope.js';
import { encodeEventCursor } from '../src/events/feed.js';
import { newSecret } from '../src/events/subscriptions.js';
import { DELIVER_CONCURRENCY as EMBEDDED_DELIVER_CONCURRENCY } from '../src/queue/embedded.js';
import { DELIVER_CONCURRENCY as REDIS_DELIVER_CONCURRENCY } from '../src/queue/redis.js';
import { benchRedis, quantile, table, tmpDb, type BenchCtx, type Row } from './support.js';

/**
 * events: webhook fan-out and the SSE stream, measured on the real app (real clock, temp SQLite,
 * listening on 127.0.0.1), each beside a baseline measured in the same run.
 *
 * - Fan-out: one node:http receiver answering 200 at once, 20 subscriptions to it (created with
 *   POST /v1/subscriptions), then 5,000 `complaint.received` events (distinct subjects) appended
 *   in one burst of 100 transactions of 50 (inTx + appendEvent, then a poke, as a write route's
 *   onResponse hook does). Waits for all 100,000 deliveries (bounded). Reports deliveries/s
 *   (first commit → last receipt) and the lag commit → receipt, embedded and on Redis. Because it
 *   is a burst, the lag is mostly queueing: p99 ≈ the time to drain the whole backlog.
 *   Baseline: the same receiver hit by a plain loop of 100,000 Standard-Webhooks-signed POSTs
 *   (node:http, keep-alive) at the deliver queue's concurrency — the raw ceiling of the machine.
 * - SSE: 200 concurrent GET /v1/events/stream, then 500 events appended one per transaction,
 *   ~10 ms apart; lag commit → frame parsed, per event per stream. Baseline: a bare node:http
 *   SSE server pushing the same frames to 200 clients the moment each event is "committed".
 *
 * - Hanging receiver (`lag`, `lag-redis`): 19 subscriptions to receivers that answer at once,
 *   EVENTS_LAG_EVENTS (150) events appended one per transaction EVENTS_LAG_SPACING_MS (100) ms apart,
 *   each a new subject; lag p99 commit → receipt of the 19, without and then with a 20th
 *   subscription whose receiver never answers within the 10 s delivery deadline. Target: ≤ 2×.
 *
 * Knobs (env): EVENTS_FANOUT_EVENTS (5000), EVENTS_SUBSCRIPTIONS (20), EVENTS_SSE_STREAMS (200),
 * EVENTS_SSE_EVENTS (500), EVENTS_TIMEOUT_S (per fan-out run, 45), EVENTS_RAW_S (per baseline run, 20),
 * EVENTS_PARTS (raw,embedded,redis,lag,lag-redis,sse), DELIVERY_PER_SUBSCRIPTION (passed to the app). The whole module stays under ~3 minutes: a fan-out that
 * has not drained by its timeout is reported as "delivered/expected (timed out)", its rate over
 * the time it ran and its lag over what was delivered (the earliest, so the lag is understated).
 */
const FANOUT_EVENTS = Number(process.env.EVENTS_FANOUT_EVENTS ?? 5000);
const SUBSCRIPTIONS = Number(process.env.EVENTS_SUBSCRIPTIONS ?? 20);
const APPEND_BATCH = 50;
const SSE_STREAMS = Number(process.env.EVENTS_SSE_STREAMS ?? 200);
const SSE_EVENTS = Number(process.env.EVENTS_SSE_EVENTS ?? 500);
const SSE_SPACING_MS = 10;
const FANOUT_TIMEOUT_MS = Number(process.env.EVENTS_TIMEOUT_S ?? 45) * 1000;
/** The raw POST baseline stops at 100,000 POSTs or this many seconds, whichever comes first. */
const RAW_MAX_MS = Number(process.env.EVENTS_RAW_S ?? 20) * 1000;
const SSE_TIMEOUT_MS = 30_000;
/** Which parts to run (comma list of raw, embedded, redis, lag, lag-redis, sse); default all. */
const PARTS = new Set((process.env.EVENTS_PARTS ?? 'raw,embedded,redis,lag,lag-redis,sse').split(','));
/** The hanging-receiver lag runs: quick receivers, events (one per transaction) and their spacing. */
const LAG_QUICK = 19;
const LAG_EVENTS = Number(process.env.EVENTS_LAG_EVENTS ?? 150);
const LAG_SPACING_MS = Number(process.env.EVENTS_LAG_SPACING_MS ?? 100);
/** The deliver queue's concurrency (its own pool of slots embedded; BullMQ worker concurrency on `deliver`). */
const DELIVER_CONCURRENCY = { embedded: EMBEDDED_DELIVER_CONCURRENCY, redis: REDIS_DELIVER_CONCURRENCY } as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ms = (n: number) => Math.round(n * 10) / 10;

/** Waits (polling, no fixed sleep) until `done()` or the deadline; returns whether it completed. */
async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** The local webhook receiver: 200 at once; receipt time per (webhook-id, path). */
class Receiver {
  receipts = new Map<string, number>();
  duplicates = 0;
  private server!: Server;
  port = 0;

  async start() {
    this.server = createServer((req, res) => {
      const at = performance.now();
      const key = `${req.headers['webhook-id']} ${req.url}`;
      if (this.receipts.has(key)) this.duplicates++;
      else this.receipts.set(key, at);
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-length': '0' });
        res.end();
      });
    });
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  reset() {
    this.receipts = new Map();
    this.duplicates = 0;
  }

  url(path: string) {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  close() {
    this.server.closeAllConnections();
    return new Promise<void>((r) => this.server.close(() => r()));
  }
}

interface Running {
  app: FastifyInstance;
  base: string;
  auth: Record<string, string>;
  /** Closes the app and removes its temp database (100,000 deliveries are ~80 MB). */
  stop: () => Promise<void>;
}

async function startApp(name: string, redisUrl?: string): Promise<Running> {
  const dbPath = tmpDb(`events-${name}`);
  const env: Record<string, string> = {
    DATABASE_PATH: dbPath,
    LOG_LEVEL: 'silent',
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    REDIS_PREFIX: `benchev${Date.now()}`,
  };
  if (redisUrl) env.REDIS_URL = redisUrl;
  if (process.env.DELIVERY_PER_SUBSCRIPTION) env.DELIVERY_PER_SUBSCRIPTION = process.env.DELIVERY_PER_SUBSCRIPTION;
  const app = await buildApp(loadConfig(env)); // the system clock
  await app.ready();
  await app.runtime.start({ workers: true });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const key = inTx(app.deps.db, (tx) => createKey(tx, systemClock, { role: 'admin', name: 'bench' }).key);
  const stop = async () => {
    await app.close();
    rmSync(dirname(dbPath), { recursive: true, force: true });
  };
  return { app, base, auth: { authorization: `Bearer ${key}` }, stop };
}

let serial = 0;
/** Appends `n` complaint.received events (distinct subjects) in one transaction; returns their ids. */
function appendEvents(app: FastifyInstance, n: number): StoredEvent[] {
  return inTx(app.deps.db, (tx) => {
    const out: StoredEvent[] = [];
    for (let i = 0; i < n; i++) {
      const id = `bench-${++serial}`;
      const now = new Date();
      out.push(
        appendEvent(tx, systemClock, {
          type: 'complaint.received',
          subject: `complaints/${id}`,
          data: {
            id,
            side: i % 2 ? 'corps' : 'region',
            agencyCode: i % 2 ? 'XPCC-D8' : 'XJ-URUMQI',
            category: 'air',
            channel: 'phone',
            receivedAt: now.toISOString(),
            acceptanceDueAt: new Date(now.getTime() + 86_400_000).toISOString(),
            by: { role: 'intake' },
          },
          side: i % 2 ? 'corps' : 'region',
          agencyCode: i % 2 ? 'XPCC-D8' : 'XJ-URUMQI',
          category: 'air',
        }),
      );
    }
    return out;
  });
}

/** This process's CPU per delivery (app + receiver; not redis-server). */
const cpuEach = (cpu: NodeJS.CpuUsage, n: number) => Math.round(((cpu.user + cpu.system) / 1000 / Math.max(1, n)) * 100) / 100;

function lagRow(variant: string, lags: number[], extra: Record<string, string | number>): Row {
  lags.sort((a, b) => a - b);
  return { bench: 'events', variant, ...extra, 'lag p50 ms': ms(quantile(lags, 0.5)), 'lag p99 ms': ms(quantile(lags, 0.99)) };
}

// ---------------------------------------------------------------- fan-out

async function fanOut(mode: 'embedded' | 'redis', receiver: Receiver, redisUrl?: string): Promise<Row> {
  const { app, base, auth, stop } = await startApp(`fanout-${mode}`, redisUrl);
  receiver.reset();
  try {
    for (let s = 0; s < SUBSCRIPTIONS; s++) {
      const r = await fetch(`${base}/v1/subscriptions`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ url: receiver.url(`/s${s}`), types: ['complaint.*'], description: `bench ${s}` }),
      });
      if (r.status !== 201) throw new Error(`create subscription: ${r.status} ${await r.text()}`);
    }
    const expected = FANOUT_EVENTS * SUBSCRIPTIONS;
    const commit = new Map<string, number>();
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    for (let done = 0; done < FANOUT_EVENTS; done += APPEND_BATCH) {
      const evs = appendEvents(app, Math.min(APPEND_BATCH, FANOUT_EVENTS - done));
      const at = performance.now();
      for (const e of evs) commit.set(e.id, at);
      app.deps.poke(); // what a write route's onResponse hook does after the commit
      await new Promise((r) => setImmediate(r));
    }
    const appended = performance.now() - started;
    const complete = await until(() => receiver.receipts.size >= expected, FANOUT_TIMEOUT_MS);
    const cpu = process.cpuUsage(cpu0);
    const lags: number[] = [];
    let last = started;
    for (const [key, at] of receiver.receipts) {
      const c = commit.get(key.slice(0, key.indexOf(' ')));
      if (c === undefined) continue;
      lags.push(at - c);
      if (at > last) last = at;
    }
    const secs = (last - started) / 1000;
    return lagRow(`fan-out: ${SUBSCRIPTIONS} subscriptions × ${FANOUT_EVENTS} events, commit → receipt (${mode})`, lags, {
      deliveries: `${receiver.receipts.size}/${expected}${complete ? '' : ` (timed out at ${FANOUT_TIMEOUT_MS / 1000} s)`}`,
      'per s': Math.round(receiver.receipts.size / secs),
      'events/s': Math.round(receiver.receipts.size / SUBSCRIPTIONS / secs),
      'wall s': ms(secs),
      'CPU ms each': cpuEach(cpu, receiver.receipts.size),
      note: `append ${Math.round(appended)} ms; dup ${receiver.duplicates}`,
    });
  } finally {
    await stop();
  }
}

/** The raw ceiling: `total` signed POSTs of a same-sized CloudEvent, `concurrency` at a time, keep-alive. */
async function rawPosts(receiver: Receiver, total: number, concurrency: number): Promise<Row> {
  receiver.reset();
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const wh = new Webhook(newSecret());
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const sample = (i: number): StoredEvent => ({
    position: i,
    id: `raw${i}-01JBENCHBENCHBENCHBENCHBE`,
    type: 'complaint.received',
    subject: `complaints/bench-raw-${i}`,
    sequence: 1,
    time: new Date().toISOString(),
    source: '/enforcement/agencies/XJ-URUMQI',
    side: 'region',
    agencyCode: 'XJ-URUMQI',
    category: 'air',
    data: {
      id: `bench-raw-${i}`,
      side: 'region',
      agencyCode: 'XJ-URUMQI',
      category: 'air',
      channel: 'phone',
      receivedAt: new Date().toISOString(),
      acceptanceDueAt: new Date().toISOString(),
      by: { role: 'intake' },
    },
  });
  const sent = new Map<string, number>();
  let next = 0;
  const url = new URL(receiver.url('/raw'));
  const post = (id: string, body: string) =>
    new Promise<void>((resolve, reject) => {
      const ts = new Date();
      const req = http.request(
        url,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/cloudevents+json; charset=utf-8',
            'content-length': String(Buffer.byteLength(body)),
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(ts.getTime() / 1000)),
            'webhook-signature': wh.sign(id, ts, body),
          },
        },
        (res: IncomingMessage) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total && performance.now() - started < RAW_MAX_MS) {
        const i = next++;
        const ev = sample(i);
        const body = JSON.stringify(toCloudEvent(ev, config));
        sent.set(ev.id, performance.now());
        await post(ev.id, body);
      }
    }),
  );
  const secs = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  agent.destroy();
  const lags: number[] = [];
  for (const [key, at] of receiver.receipts) lags.push(at - sent.get(key.slice(0, key.indexOf(' ')))!);
  return lagRow(`baseline: plain loop of signed POSTs, keep-alive, concurrency ${concurrency}, start → receipt`, lags, {
    deliveries: `${receiver.receipts.size}/${total}${receiver.receipts.size < total ? ` (stopped at ${RAW_MAX_MS / 1000} s)` : ''}`,
    'per s': Math.round(receiver.receipts.size / secs),
    'wall s': ms(secs),
    'CPU ms each': cpuEach(cpu, receiver.receipts.size),
  });
}

// ---------------------------------------------------------------- lag with a hanging receiver

/** A receiver that reads each request and never answers (until closed): longer than the 10 s delivery deadline. */
async function hangingReceiver() {
  let open = 0;
  const server = createServer((req) => {
    open++;
    req.resume();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hang`,
    requests: () => open,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * Delivery lag (commit → receipt) of LAG_QUICK receivers that answer at once, with events
 * appended one per transaction at a steady pace (LAG_EVENTS, LAG_SPACING_MS apart, below the
 * machine's fan-out capacity, so the lag is per-delivery latency, not a backlog). `hanging`: a
 * further subscription whose receiver never answers within the delivery deadline, every event a
 * new subject (so per-subject order does not hold its deliveries back: only the slots can).
 */
async function lagRun(mode: 'embedded' | 'redis', receiver: Receiver, hanging: boolean, redisUrl?: string): Promise<Row> {
  const { app, base, auth, stop } = await startApp(`lag-${mode}-${hanging ? 'hang' : 'quick'}`, redisUrl);
  const hang = hanging ? await hangingReceiver() : null;
  receiver.reset();
  try {
    const subscribe = async (url: string, s: string) => {
      const r = await fetch(`${base}/v1/subscriptions`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ url, types: ['complaint.*'], description: `bench ${s}` }),
      });
      if (r.status !== 201) throw new Error(`create subscription: ${r.status} ${await r.text()}`);
    };
    if (hang) await subscribe(hang.url, 'hanging');
    for (let s = 0; s < LAG_QUICK; s++) await subscribe(receiver.url(`/q${s}`), `q${s}`);
    const commit = new Map<string, number>();
    for (let i = 0; i < LAG_EVENTS; i++) {
      const [e] = appendEvents(app, 1);
      commit.set(e.id, performance.now());
      app.deps.poke();
      await sleep(LAG_SPACING_MS);
    }
    const expected = LAG_EVENTS * LAG_QUICK;
    const complete = await until(() => receiver.receipts.size >= expected, 20_000);
    const lags: number[] = [];
    for (const [key, at] of receiver.receipts) {
      const c = commit.get(key.slice(0, key.indexOf(' ')));
      if (c !== undefined) lags.push(at - c);
    }
    return lagRow(
      `delivery lag, ${LAG_QUICK} quick receivers${hang ? ' + 1 that hangs' : ''}, ${LAG_EVENTS} events ${LAG_SPACING_MS} ms apart (${mode})`,
      lags,
      {
        deliveries: `${receiver.receipts.size}/${expected}${complete ? '' : ' (timed out)'}`,
        note: hang ? `hanging receiver: ${hang.requests()} requests seen, none answered; dup ${receiver.duplicates}` : `dup ${receiver.duplicates}`,
      },
    );
  } finally {
    await stop();
    await hang?.close();
  }
}

/** The lag of the quick receivers without, then with, a hanging one; a target line for the ratio. */
async function hangingLag(mode: 'embedded' | 'redis', receiver: Receiver, ctx?: BenchCtx, redisUrl?: string): Promise<Row[]> {
  const quick = await lagRun(mode, receiver, false, redisUrl);
  const withHang = await lagRun(mode, receiver, true, redisUrl);
  const b = Number(quick['lag p99 ms']);
  const m = Number(withHang['lag p99 ms']);
  ctx?.target({
    figure: `delivery lag p99 of ${LAG_QUICK} quick receivers with one hanging among them ÷ without it (${mode})`,
    baseline: `${b} ms`,
    measured: `${m} ms`,
    ratio: m / b,
    target: '≤ 2',
    met: m / b <= 2,
  });
  return [quick, withHang];
}

// ---------------------------------------------------------------- SSE

/** `n` SSE clients on `url`; each parsed `data:` frame's lag is taken from `commit` by event id. */
class SseClients {
  lags: number[] = [];
  received = 0;
  failed?: string;
  private reqs: http.ClientRequest[] = [];
  private open = 0;
  private agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

  constructor(private commit: Map<string, number>) {}

  async connect(url: string, headers: Record<string, string>, n: number) {
    for (let i = 0; i < n; i++) {
      const req = http.get(url, { agent: this.agent, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        if (res.statusCode !== 200) {
          this.failed = `HTTP ${res.statusCode}`;
          res.resume();
          return;
        }
        res.setEncoding('utf8');
        let buf = '';
        let opened = false;
        res.on('data', (chunk: string) => {
          const at = performance.now();
          if (!opened) {
            opened = true;
            this.open++;
          }
          buf += chunk;
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const d = frame.indexOf('\ndata: ');
            if (d < 0) continue;
            const ev = JSON.parse(frame.slice(d + 7)) as { id: string };
            const c = this.commit.get(ev.id);
            if (c === undefined) continue;
            this.received++;
            this.lags.push(at - c);
          }
        });
      });
      req.on('error', (err) => {
        if (this.open < n) this.failed ??= err.message;
      });
      this.reqs.push(req);
    }
    const ok = await until(() => this.open >= n || this.failed !== undefined, 20_000);
    if (!ok || this.failed) throw new Error(`only ${this.open}/${n} streams opened${this.failed ? `: ${this.failed}` : ''}`);
  }

  close() {
    for (const r of this.reqs) r.destroy();
    this.agent.destroy();
  }
}

/** Appends SSE_EVENTS events one per transaction, SSE_SPACING_MS apart; `after` sees each batch. */
async function paced(append: () => StoredEvent[], commit: Map<string, number>, after?: (evs: StoredEvent[]) => void) {
  for (let i = 0; i < SSE_EVENTS; i++) {
    const evs = append();
    const at = performance.now();
    for (const e of evs) commit.set(e.id, at);
    after?.(evs);
    await sleep(SSE_SPACING_MS);
  }
}

async function sseApp(): Promise<Row> {
  const { app, base, auth, stop } = await startApp('sse');
  const commit = new Map<string, number>();
  const clients = new SseClients(commit);
  try {
    await clients.connect(`${base}/v1/events/stream`, auth, SSE_STREAMS);
    const started = performance.now();
    await paced(
      () => appendEvents(app, 1),
      commit,
      () => app.deps.poke(),
    );
    const expected = SSE_STREAMS * SSE_EVENTS;
    const complete = await until(() => clients.received >= expected, SSE_TIMEOUT_MS);
    return lagRow(`SSE: ${SSE_STREAMS} streams, ${SSE_EVENTS} live events ~${SSE_SPACING_MS} ms apart, commit → frame (embedded)`, clients.lags, {
      deliveries: `${clients.received}/${expected}${complete ? '' : ' (timed out)'}`,
      'per s': Math.round(clients.received / ((performance.now() - started) / 1000)),
      'wall s': ms((performance.now() - started) / 1000),
    });
  } finally {
    clients.close();
    await stop();
  }
}

/** A bare node:http SSE server that writes each frame to every client at once. */
async function sseBare(): Promise<Row> {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const conns = new Set<http.ServerResponse>();
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    res.write(': stream open\nretry: 2000\n\n');
    conns.add(res);
    res.on('close', () => conns.delete(res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`;
  const commit = new Map<string, number>();
  const clients = new SseClients(commit);
  let position = 0;
  try {
    await clients.connect(url, {}, SSE_STREAMS);
    const started = performance.now();
    await paced(
      () => {
        const now = new Date().toISOString();
        const id = `bare${++position}-01JBENCHBENCHBENCHBENCH`;
        return [
          {
            position,
            id,
            type: 'complaint.received',
            subject: `complaints/${id}`,
            sequence: 1,
            time: now,
            source: '/enforcement/agencies/XJ-URUMQI',
            side: 'region',
            agencyCode: 'XJ-URUMQI',
            category: 'air',
            data: {
              id,
              side: 'region',
              agencyCode: 'XJ-URUMQI',
              category: 'air',
              channel: 'phone',
              receivedAt: now,
              acceptanceDueAt: now,
              by: { role: 'intake' },
            },
          },
        ];
      },
      commit,
      (evs) => {
        for (const r of evs) {
          const frame = `id: ${encodeEventCursor(r.position)}\nevent: ${r.type}\ndata: ${JSON.stringify(toCloudEvent(r, config))}\n\n`;
          for (const c of conns) c.write(frame);
        }
      },
    );
    const expected = SSE_STREAMS * SSE_EVENTS;
    const complete = await until(() => clients.received >= expected, SSE_TIMEOUT_MS);
    return lagRow(`baseline: bare node:http SSE server, same ${SSE_STREAMS} clients and frames, write → frame`, clients.lags, {
      deliveries: `${clients.received}/${expected}${complete ? '' : ' (timed out)'}`,
      'per s': Math.round(clients.received / ((performance.now() - started) / 1000)),
      'wall s': ms((performance.now() - started) / 1000),
    });
  } finally {
    clients.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

// ---------------------------------------------------------------- entry

/** Fan-out (embedded and Redis, each beside a raw signed-POST loop of the same concurrency), then the hanging-receiver lag. */
export async function runEventsBench(ctx?: BenchCtx): Promise<{ name: string; rows: Row[] }> {
  const rows: Row[] = [];
  const receiver = await new Receiver().start();
  const fanTarget = (mode: 'embedded' | 'redis', raw: Row | undefined, fan: Row) => {
    if (!raw || fan['per s'] === undefined) return;
    const b = Number(raw['per s']);
    const m = Number(fan['per s']);
    ctx?.target({
      figure: `fan-out deliveries/s ÷ raw signed-POST loop (concurrency ${DELIVER_CONCURRENCY[mode]}), ${SUBSCRIPTIONS} subscriptions × ${FANOUT_EVENTS} events, ${mode}`,
      baseline: `${b}/s`,
      measured: `${m}/s${String(fan.deliveries).includes('timed out') ? ` (${fan.deliveries})` : ''}`,
      ratio: m / b,
      target: '≥ 0.5',
      met: m / b >= 0.5,
    });
  };
  try {
    const total = FANOUT_EVENTS * SUBSCRIPTIONS;
    let raw: Row | undefined;
    if (PARTS.has('raw')) rows.push((raw = await rawPosts(receiver, total, DELIVER_CONCURRENCY.embedded)));
    if (PARTS.has('embedded')) {
      const fan = await fanOut('embedded', receiver);
      rows.push(fan);
      fanTarget('embedded', raw, fan);
    }
    if (PARTS.has('lag')) rows.push(...(await hangingLag('embedded', receiver, ctx)));
    raw = undefined;
    if (PARTS.has('raw') && PARTS.has('redis')) rows.push((raw = await rawPosts(receiver, total, DELIVER_CONCURRENCY.redis)));
    if (PARTS.has('redis') || PARTS.has('lag-redis')) {
      const redis = await benchRedis();
      try {
        if (!redis.url) rows.push({ bench: 'events', variant: 'on Redis: skipped (no redis-server)' });
        else {
          if (PARTS.has('redis')) {
            const fan = await fanOut('redis', receiver, redis.url);
            rows.push(fan);
            fanTarget('redis', raw, fan);
          }
          if (PARTS.has('lag-redis')) rows.push(...(await hangingLag('redis', receiver, ctx, redis.url)));
        }
      } finally {
        redis.stop();
      }
    }
  } finally {
    await receiver.close();
  }
  console.log(table(rows));
  return { name: 'events', rows };
}

/** SSE: the app's stream beside a bare node:http SSE server, same clients and frames. */
export async function runSseBench(ctx?: BenchCtx): Promise<Row[]> {
  const bare = await sseBare();
  const appRow = await sseApp();
  const b = Number(bare['lag p99 ms']);
  const a = Number(appRow['lag p99 ms']);
  ctx?.target({
    figure: `SSE lag p99, ${SSE_STREAMS} streams ÷ bare SSE server`,
    baseline: `${b} ms`,
    measured: `${a} ms`,
    ratio: a / b,
    target: '≤ 2',
    met: a / b <= 2,
  });
  return [bare, appRow];
}

export const benches = [
  { name: 'events', run: async (ctx: BenchCtx) => (await runEventsBench(ctx)).rows },
  { name: 'sse', run: (ctx: BenchCtx) => runSseBench(ctx) },
];
