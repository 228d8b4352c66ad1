import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inTx } from '../../src/db/client.js';
import { appendEvent, type DomainEvent } from '../../src/outbox/index.js';
import { agencies, teams } from '../../src/reference/tables.js';
import type { TestApp } from '../support/app.js';
import { until } from '../support/factories.js';

/** A small hierarchy on both sides, and one team. */
export const TEAM_ID = 'team-urumqi-1';
export function seedAgencies(t: TestApp) {
  const stamp = { createdAt: t.clock.now().toISOString(), updatedAt: t.clock.now().toISOString() };
  const rows: [string, 'region' | 'corps', 'autonomous_region' | 'prefecture' | 'corps' | 'division', string | null][] = [
    ['XJ', 'region', 'autonomous_region', null],
    ['XJ-URUMQI', 'region', 'prefecture', 'XJ'],
    ['XJ-KASHI', 'region', 'prefecture', 'XJ'],
    ['XPCC', 'corps', 'corps', null],
    ['XPCC-D8', 'corps', 'division', 'XPCC'],
  ];
  inTx(t.app.deps.db, (tx) => {
    for (const [code, side, level, parentCode] of rows) {
      tx.insert(agencies)
        .values({ code, name: code, side, level, parentCode, adminCode: null, ...stamp })
        .onConflictDoNothing()
        .run();
    }
    tx.insert(teams)
      .values({ id: TEAM_ID, agencyCode: 'XJ-URUMQI', name: 'Team 1', categories: ['air'], ...stamp })
      .onConflictDoNothing()
      .run();
  });
}

/** Appends one event in its own transaction (as a capability's write would). */
export function emit(t: TestApp, e: Partial<DomainEvent> & { subject: string }) {
  return inTx(t.app.deps.db, (tx) =>
    appendEvent(tx, t.clock, {
      type: 'complaint.received',
      data: { id: e.subject.split('/')[1] ?? 'x' },
      side: 'region',
      agencyCode: 'XJ-URUMQI',
      category: 'air',
      ...e,
    }),
  );
}

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown> & { id: string; subject: string; type: string; sequence: number };
  answered: number;
}

/** A real HTTP receiver on 127.0.0.1; `respond` decides each status (default 204). */
export class Receiver {
  readonly requests: Received[] = [];
  respond: (r: Omit<Received, 'answered'>, n: number) => number = () => 204;
  /** Extra response headers (e.g. a redirect's location). */
  headers: () => Record<string, string> = () => ({});
  private server!: Server;
  url = '';

  async start(path = '/hook') {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const r = { headers: req.headers, body, json: JSON.parse(body) };
        const status = this.respond(r, this.requests.length + 1);
        this.requests.push({ ...r, answered: status });
        res.writeHead(status, { 'content-type': 'text/plain', ...this.headers() });
        res.end(status >= 300 ? 'nope' : '');
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
    return this;
  }

  /** Requests answered 2xx. */
  get delivered() {
    return this.requests.filter((r) => r.answered >= 200 && r.answered < 300);
  }

  close() {
    this.server.closeAllConnections();
    return new Promise<void>((r) => this.server.close(() => r()));
  }
}

export { until };

export async function subscribe(t: TestApp, key: string, body: Record<string, unknown>) {
  const r = await t.app.inject({ method: 'POST', url: '/v1/subscriptions', headers: t.auth(key), payload: body });
  if (r.statusCode !== 201) throw new Error(`subscribe failed ${r.statusCode}: ${r.body}`);
  return r.json() as { id: string; secret: string };
}

/** Advances the fake clock step by step, settling after each, until `cond` holds. */
export async function advanceUntil(t: TestApp, stepMs: number, cond: () => boolean, maxSteps = 50) {
  for (let i = 0; i < maxSteps; i++) {
    if (cond()) return;
    t.clock.advance(stepMs);
    await t.app.runtime.settle();
  }
  if (!cond()) throw new Error('condition not reached while advancing the clock');
}
