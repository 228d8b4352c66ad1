import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect } from 'node:net';
import { CloudEvent } from 'cloudevents';
import { inTx } from '../../src/db/client.js';
import { appendEvent } from '../../src/outbox/index.js';
import { describeModes, makeApp, type Mode, type TestApp } from '../support/app.js';
import { emit, seedAgencies, until } from './helpers.js';
import { eventNotifier } from '../../src/events/notifier.js';
import { rmSync } from 'node:fs';

interface Frame {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** Reads an SSE response with fetch, frame by frame. */
class SseClient {
  frames: Frame[] = [];
  ended = false;
  private ctrl = new AbortController();
  status = 0;

  static async open(url: string, headers: Record<string, string>) {
    const c = new SseClient();
    const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: c.ctrl.signal });
    c.status = res.status;
    if (res.status !== 200) {
      c.ended = true;
      return c;
    }
    c.pump(res.body!.getReader()).catch(() => {});
    return c;
  }

  private async pump(reader: ReadableStreamDefaultReader<Uint8Array>) {
    const dec = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const raw = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const f: Frame = {};
          for (const line of raw.split('\n')) {
            if (line.startsWith(':')) f.comment = line.slice(1).trim();
            else if (line.startsWith('id: ')) f.id = line.slice(4);
            else if (line.startsWith('event: ')) f.event = line.slice(7);
            else if (line.startsWith('data: ')) f.data = line.slice(6);
          }
          this.frames.push(f);
        }
      }
    } finally {
      this.ended = true;
    }
  }

  get events() {
    return this.frames.filter((f) => f.data !== undefined).map((f) => ({ cursor: f.id!, type: f.event!, ce: JSON.parse(f.data!) }));
  }

  close() {
    this.ctrl.abort();
  }
}

async function listen(t: TestApp) {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const a = t.app.server.address() as { port: number };
  return `http://127.0.0.1:${a.port}`;
}

describeModes('SSE stream', (mode: Mode) => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await makeApp({ mode, env: { EVENTS_HEARTBEAT_MS: '50' } });
    seedAgencies(t);
    base = await listen(t);
  });
  afterAll(() => t.close());

  it('goes live from the present, frames are id/event/data with CloudEvent JSON; heartbeats', async () => {
    emit(t, { subject: 'cases/before', type: 'case.registered' });
    const c = await SseClient.open(`${base}/v1/events/stream`, t.auth(t.admin));
    expect(c.status).toBe(200);
    await until(() => c.frames.some((f) => f.comment === 'stream open'), 5000, 'stream open');
    const e1 = emit(t, { subject: 'cases/live', type: 'case.registered' });
    const e2 = emit(t, { subject: 'cases/live', type: 'case.status_changed' });
    await until(() => c.events.length >= 2, 5000, 'live events');
    expect(c.events.map((e) => e.ce.id)).toEqual([e1.id, e2.id]);
    expect(c.events[1].type).toBe('case.status_changed');
    const ce = new CloudEvent(c.events[0].ce);
    expect(ce.subject).toBe('cases/live');
    // the SSE id is the feed cursor
    const page = (await t.app.inject({ url: `/v1/events?after=${c.events[0].cursor}`, headers: t.auth(t.admin) })).json();
    expect(page.items[0].id).toBe(e2.id);
    await until(() => c.frames.some((f) => f.comment === 'heartbeat'), 5000, 'heartbeat');
    c.close();
  });

  it('same filters and visibility as the feed; bad input → 400', async () => {
    const sup = t.key({ role: 'supervisor', agencyCode: 'XJ-URUMQI', side: 'region' });
    const c = await SseClient.open(`${base}/v1/events/stream?types=case.*`, t.auth(sup));
    await until(() => c.frames.length > 0, 5000, 'open');
    emit(t, { subject: 'cases/other-agency', type: 'case.registered', agencyCode: 'XJ-KASHI' });
    emit(t, { subject: 'complaints/mine-not-a-case', type: 'complaint.received', agencyCode: 'XJ-URUMQI' });
    emit(t, { subject: 'cases/other-side', type: 'case.registered', agencyCode: 'XPCC-D8', side: 'corps' });
    const mine = emit(t, { subject: 'cases/mine', type: 'case.registered', agencyCode: 'XJ-URUMQI' });
    await until(() => c.events.length >= 1, 5000, 'visible event');
    // the later visible event arrived, so the earlier hidden ones were passed over
    expect(c.events.map((e) => e.ce.id)).toEqual([mine.id]);
    c.close();

    const bad = await fetch(`${base}/v1/events/stream?types=nope`, { headers: t.auth(t.admin) });
    expect(bad.status).toBe(400);
    const badId = await fetch(`${base}/v1/events/stream`, { headers: { ...t.auth(t.admin), 'last-event-id': 'garbage' } });
    expect(badId.status).toBe(400);
    expect((await badId.json()).errors[0].field).toBe('headers/last-event-id');
    expect((await fetch(`${base}/v1/events/stream`)).status).toBe(401);
  });

  it('several live streams share one read of each new event, each still filtered by its own visibility, types and subject', async () => {
    const sup = t.key({ role: 'supervisor', agencyCode: 'XJ-URUMQI', side: 'region' });
    const admin = await SseClient.open(`${base}/v1/events/stream`, t.auth(t.admin));
    const mine = await SseClient.open(`${base}/v1/events/stream?types=case.*`, t.auth(sup));
    const one = await SseClient.open(`${base}/v1/events/stream?subject=cases/shared-2`, t.auth(t.admin));
    await until(() => [admin, mine, one].every((c) => c.frames.length > 0), 5000, 'open');
    const written = [
      emit(t, { subject: 'cases/shared-1', type: 'case.registered', agencyCode: 'XJ-KASHI' }),
      emit(t, { subject: 'cases/shared-2', type: 'case.registered', agencyCode: 'XJ-URUMQI' }),
      emit(t, { subject: 'complaints/shared-3', type: 'complaint.received', agencyCode: 'XJ-URUMQI' }),
      emit(t, { subject: 'cases/shared-4', type: 'case.registered', agencyCode: 'XPCC-D8', side: 'corps' }),
    ];
    eventNotifier(t.app.deps)!.check(); // the shared read, now (as a writer in this process does)
    written.push(emit(t, { subject: 'cases/shared-2', type: 'case.status_changed', agencyCode: 'XJ-URUMQI' }));
    await until(() => admin.events.length >= 5 && mine.events.length >= 2 && one.events.length >= 2, 5000, 'live events');
    expect(admin.events.map((e) => e.ce.id)).toEqual(written.map((w) => w.id));
    expect(mine.events.map((e) => e.ce.id)).toEqual([written[1].id, written[4].id]);
    expect(one.events.map((e) => e.ce.id)).toEqual([written[1].id, written[4].id]);
    // the cursors (SSE ids) still resume the feed right after each event
    const page = (await t.app.inject({ url: `/v1/events?after=${admin.events[1].cursor}`, headers: t.auth(t.admin) })).json();
    expect(page.items[0].id).toBe(written[2].id);
    for (const c of [admin, mine, one]) c.close();
  });

  it('a client that does not read is dropped rather than buffered without bound', async () => {
    const small = await makeApp({ mode, env: { EVENTS_STREAM_MAX_BUFFER_BYTES: '4096' } });
    const url = new URL(await listen(small));
    const sock = connect(Number(url.port), '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write(`GET /v1/events/stream HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${small.admin}\r\naccept: text/event-stream\r\n\r\n`);
    let got = '';
    await new Promise<void>((r) =>
      sock.once('data', (d) => {
        got += d.toString();
        r();
      }),
    );
    expect(got).toContain('200');
    sock.pause(); // stop reading: kernel buffers fill, then the server's
    const pad = 'x'.repeat(4000);
    for (let batch = 0; batch < 40 && !small.logs.some((l) => l.includes('dropped event stream client')); batch++) {
      inTx(small.app.deps.db, (tx) => {
        for (let i = 0; i < 100; i++)
          appendEvent(tx, small.clock, { type: 'case.registered', subject: `cases/slow-${batch}-${i}`, data: { id: 'x', pad }, side: 'region' });
      });
      eventNotifier(small.app.deps)!.check(); // wake the stream now rather than at its next poll
      await new Promise((r) => setImmediate(r));
    }
    await until(() => small.logs.some((l) => l.includes('dropped event stream client')), 10_000, 'slow client dropped');
    sock.destroy();
    await small.close();
  });
});

describeModes('SSE resume across a restart', (mode: Mode) => {
  it('Last-Event-ID after a server restart loses and repeats nothing', async () => {
    const t1 = await makeApp({ mode });
    seedAgencies(t1);
    // partners see no case events (they GET no case): the reader is a key that sees everything
    const reader = t1.key({ role: 'admin', name: 'legacy platform' });
    const first = [1, 2, 3].map((i) => emit(t1, { subject: `cases/r${i}`, type: 'case.registered' }));
    const base1 = await listen(t1);
    // start from the beginning of the outbox
    const c1 = await SseClient.open(`${base1}/v1/events/stream?after=${encodeURIComponent(start())}`, t1.auth(reader));
    await until(() => c1.events.length === 3, 5000, 'replay of the first three');
    const more = [4, 5].map((i) => emit(t1, { subject: `cases/r${i}`, type: 'case.registered' }));
    await until(() => c1.events.length === 5, 5000, 'live events');
    const lastSeen = c1.events.at(-1)!.cursor;
    await t1.close({ keepDir: true });
    await until(() => c1.ended, 5000, 'stream ended by the shutdown');

    const t2 = await makeApp({ mode, dir: t1.dir });
    const later = [6, 7].map((i) => emit(t2, { subject: `cases/r${i}`, type: 'case.registered' }));
    const base2 = await listen(t2);
    const c2 = await SseClient.open(`${base2}/v1/events/stream`, { ...t2.auth(reader), 'last-event-id': lastSeen });
    await until(() => c2.events.length === 2, 5000, 'catch-up after restart');
    const last = emit(t2, { subject: 'cases/r8', type: 'case.registered' });
    await until(() => c2.events.length === 3, 5000, 'live after restart');
    const seen = [...c1.events, ...c2.events].map((e) => e.ce.id);
    expect(seen).toEqual([...first, ...more, ...later, last].map((e) => e.id));
    c2.close();
    await t2.close();
    rmSync(t1.dir, { recursive: true, force: true });
  });
});

/** The cursor before the first event. */
function start() {
  return Buffer.from(JSON.stringify({ ev: 0 })).toString('base64url');
}
