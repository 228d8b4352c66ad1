import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { problems } from '../http/problem.js';
import type { Deps } from '../deps.js';
import { EVENT_TYPES, eventDataSchemaId } from './catalog.js';
import { toCloudEvent } from './envelope.js';
import { decodeEventCursor, encodeEventCursor, lastEventPosition, listEvents, preparedEventPages, resolveTypes } from './feed.js';
import { eventNotifier, type FreshEvents } from './notifier.js';
import { audienceKeys, bindingOf } from './visibility.js';
import { issueStreamToken } from '../auth/stream-tokens.js';

export const CloudEventSchema = Type.Object(
  {
    specversion: Type.Literal('1.0'),
    id: Type.String({ description: 'Event id (unique; also the webhook-id of its deliveries)' }),
    source: Type.String({ description: 'Service URI and acting agency, e.g. https://api.example/enforcement/agencies/XJ-URUMQI' }),
    type: Type.String({ description: 'Event type: see GET /v1/event-types' }),
    subject: Type.String({ description: 'The resource, e.g. cases/<id>' }),
    time: Type.String({ format: 'date-time' }),
    datacontenttype: Type.Literal('application/json'),
    data: Type.Object({}, { additionalProperties: true, description: 'Per type, as published in GET /v1/event-types (EventData.<type>)' }),
    sequence: Type.Integer({ minimum: 1, description: 'Extension: 1, 2, 3… per subject' }),
    side: Type.Optional(Type.String({ description: 'Extension: owning side (region | corps)' })),
    agencycode: Type.Optional(Type.String({ description: 'Extension: owning agency code, lower-case alphanumerics only' })),
  },
  { $id: 'CloudEvent', additionalProperties: false, description: 'CloudEvents 1.0, structured JSON mode' },
);

const FilterQuery = {
  types: Type.Optional(
    Type.String({ maxLength: 2000, description: 'Comma-separated event types; `complaint.*` style prefix wildcards allowed. Unknown types → 400.' }),
  ),
  subject: Type.Optional(Type.String({ minLength: 1, maxLength: 300, description: 'Only events of this subject, e.g. cases/<id>' })),
};

const EventPage = Type.Object(
  {
    items: Type.Array(Type.Ref('CloudEvent')),
    nextCursor: Type.String({
      description: 'Always present: pass as ?after= to continue (an empty page means caught up; poll again later with the same cursor)',
    }),
    hasMore: Type.Boolean({ description: 'More events are already available after nextCursor' }),
  },
  { description: 'Events in position order' },
);

const EventTypeSchema = Type.Object({
  type: Type.String({ description: 'CloudEvents `type`' }),
  description: Type.String(),
  dataSchemaRef: Type.String({ description: 'Name of the data schema in the OpenAPI components (EventData.<type>)' }),
  dataSchema: Type.Object({}, { additionalProperties: true, description: 'JSON Schema of `data`' }),
});

interface Stream {
  close: () => void;
}

export const eventRoutes =
  (deps: Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.addSchema(CloudEventSchema);
    const dataSchemas = Object.entries(EVENT_TYPES)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, e]) => {
        const schema = JSON.parse(JSON.stringify(e.data)) as Record<string, unknown>;
        delete schema.$id;
        return { type, description: e.description, dataSchemaRef: eventDataSchemaId(type), dataSchema: schema };
      });
    for (const d of dataSchemas) app.addSchema({ $id: d.dataSchemaRef, description: `data of ${d.type} events`, ...d.dataSchema });

    app.get(
      '/v1/event-types',
      {
        schema: {
          tags: ['events'],
          summary: 'The event catalog: every event type and the JSON Schema of its data',
          response: { 200: Type.Object({ items: Type.Array(EventTypeSchema) }), ...problems(401) },
        },
      },
      async () => ({ items: dataSchemas }),
    );

    app.get(
      '/v1/events',
      {
        schema: {
          tags: ['events'],
          summary: 'Pull feed: events visible to this key after a cursor, in order',
          description:
            'Keyset on the outbox position: pages never skip or repeat while writes continue. Visibility is the same as for the resources (agency subtree for supervisors and agency-bound partners, team and agency for inspectors).',
          querystring: Type.Object({
            after: Type.Optional(
              Type.String({ maxLength: 512, description: 'Cursor from a previous nextCursor (or an SSE id); omitted = from the beginning' }),
            ),
            ...FilterQuery,
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100, description: 'Page size (1–500)' })),
          }),
          response: { 200: EventPage, ...problems(400, 401) },
        },
      },
      async (req) => {
        const after = decodeEventCursor(req.query.after) ?? 0;
        const types = resolveTypes(req.query.types);
        const limit = req.query.limit ?? 100;
        const keys = audienceKeys(deps.db, bindingOf(req.principal));
        const rows = listEvents(deps.db, { after, types, subject: req.query.subject, keys, limit: limit + 1 });
        const more = rows.length > limit;
        const kept = more ? rows.slice(0, limit) : rows;
        const last = kept.length ? kept[kept.length - 1].position : after;
        return { items: kept.map((r) => toCloudEvent(r, deps.config)), nextCursor: encodeEventCursor(last), hasMore: more };
      },
    );

    const streams = new Set<Stream>();
    app.addHook('preClose', async () => {
      for (const s of [...streams]) s.close();
    });

    app.post(
      '/v1/events/stream-tokens',
      {
        schema: {
          tags: ['events'],
          summary: 'A single-use token for one browser EventSource connection',
          description:
            'A browser `EventSource` cannot send the bearer header: ask for a token with the key, then open `GET /v1/events/stream?token=<token>`. The token is good for one connection, within STREAM_TOKEN_TTL_SECONDS (60 s), and sees exactly what the key that made it sees (a key revoked meanwhile makes it fail). It is never logged.',
          response: {
            201: Type.Object({
              token: Type.String({
                description: 'Pass as ?token= on /v1/events/stream (prefix est_)',
                examples: ['est_4mV2k0cX1x2Kq9yQm2mB8pJ8r3wFv3o1l2m3n4o5p6q'],
              }),
              expiresAt: Type.String({ format: 'date-time', description: 'Unusable after this instant' }),
              url: Type.String({ description: 'The stream URL with the token, ready for new EventSource(url)' }),
            }),
            ...problems(401),
          },
        },
      },
      async (req, reply) => {
        const t = issueStreamToken(deps.db, deps.clock, req.principal, deps.config.streamTokenTtlSeconds);
        return reply.status(201).send({ ...t, url: `${deps.config.publicBaseUrl}/v1/events/stream?token=${t.token}` });
      },
    );

    app.get(
      '/v1/events/stream',
      {
        config: { streamToken: true },
        schema: {
          tags: ['events'],
          summary: 'Live stream of events (Server-Sent Events)',
          description:
            'Each event: `id: <cursor>`, `event: <type>`, `data: <CloudEvent JSON>`. Resumes after `Last-Event-ID` (or `?after=`) by replaying from the outbox, then goes live; without either it starts at the present. A `: heartbeat` comment is sent every 15 s. A client that does not read fast enough is disconnected and resumes with Last-Event-ID.',
          querystring: Type.Object({
            after: Type.Optional(Type.String({ maxLength: 512, description: 'Resume after this cursor (Last-Event-ID takes precedence)' })),
            token: Type.Optional(
              Type.String({
                maxLength: 200,
                description: 'Single-use token from POST /v1/events/stream-tokens, instead of the Authorization header (browsers)',
              }),
            ),
            ...FilterQuery,
          }),
          headers: Type.Object({
            'last-event-id': Type.Optional(Type.String({ maxLength: 512, description: 'Set by EventSource on reconnect: resume after this event' })),
          }),
          response: {
            200: {
              description: 'text/event-stream',
              content: {
                'text/event-stream': {
                  schema: Type.String({
                    description: 'SSE frames',
                    examples: [
                      'id: 1842\nevent: complaint.received\ndata: {"specversion":"1.0","id":"01a231b2-8d7c-7e6f-9a0b-1c2d3e4f5a66","type":"complaint.received","subject":"complaints/01a23185-a1ea-754c-af6f-50ecb2926c27","data":{"id":"01a23185-a1ea-754c-af6f-50ecb2926c27","number":"12369-2026-000123","category":"air"}}\n\n: heartbeat\n\n',
                    ],
                  }),
                },
              },
            },
            ...problems(400, 401),
          },
        },
      },
      async (req, reply) => {
        const lastId = req.headers['last-event-id'];
        const after =
          lastId !== undefined && lastId !== ''
            ? decodeEventCursor(lastId, 'headers/last-event-id')
            : (decodeEventCursor(req.query.after) ?? lastEventPosition(deps.db));
        const types = resolveTypes(req.query.types);
        const keys = audienceKeys(deps.db, bindingOf(req.principal));
        openStream(deps, req, reply, streams, { after: after!, types, subject: req.query.subject, keys });
      },
    );
  };

const PAGE = 100;

/**
 * The SSE loop, written on reply.raw (see the report: @fastify/sse is 0.x and buffers behind
 * `await send()`; we need the outbox itself to be the buffer). The client is read from the
 * outbox at its own pace: after a write that fills the socket buffer we wait for 'drain' before
 * reading more, so nothing accumulates in memory; if the unsent bytes still exceed
 * EVENTS_STREAM_MAX_BUFFER_BYTES, or the client has not drained for 4 heartbeats, it is dropped
 * (it can resume with Last-Event-ID; nothing is lost).
 */
function openStream(
  deps: Deps,
  req: FastifyRequest,
  reply: FastifyReply,
  streams: Set<Stream>,
  q: { after: number; types?: string[]; subject?: string; keys: string[] | 'all' },
) {
  const res = reply.raw;
  reply.hijack();
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': req.id,
  });
  const bound = deps.config.eventsStreamMaxBufferBytes;
  const notifier = eventNotifier(deps);
  let cursor = q.after;
  let closed = false;
  let pumping = false;
  let again = false;
  let waitingSince: number | null = null;

  const nextPage = preparedEventPages(deps.db, { types: q.types, subject: q.subject, keys: q.keys, limit: PAGE });
  const buffered = () => Math.max(res.writableLength, res.socket?.writableLength ?? 0);
  const close = (reason?: string) => {
    if (closed) return;
    closed = true;
    streams.delete(stream);
    clearInterval(heartbeat);
    notifier?.off('position', onPosition);
    releaseKeys?.();
    if (reason) deps.log.warn({ reqId: req.id, cursor, reason }, 'dropped event stream client');
    if (reason) res.destroy();
    else res.end();
  };
  const stream: Stream = { close: () => close() };
  streams.add(stream);

  /** Writes; false when the client must drain first (or was dropped). */
  const write = (chunk: string): boolean => {
    if (closed) return false;
    const ok = res.write(chunk);
    if (buffered() > bound) {
      close(`write buffer above ${bound} bytes`);
      return false;
    }
    if (!ok) {
      waitingSince ??= Date.now();
      return false;
    }
    return true;
  };

  const pump = () => {
    if (closed || waitingSince !== null) return;
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        // Committed before this read, so the read sees all of it: afterwards the stream is caught
        // up to here even if none of it was for this stream (lets it take the shared reads).
        const upTo = notifier?.position ?? 0;
        for (;;) {
          const rows = nextPage(cursor);
          for (const r of rows) {
            cursor = r.position;
            const ok = write(`id: ${encodeEventCursor(r.position)}\nevent: ${r.type}\ndata: ${JSON.stringify(toCloudEvent(r, deps.config))}\n\n`);
            if (!ok) return;
          }
          if (rows.length < PAGE) break;
        }
        cursor = Math.max(cursor, upTo);
      } while (again && !closed);
    } catch (err) {
      if (!closed) {
        deps.log.error({ err }, 'event stream failed');
        close('error');
      }
    } finally {
      pumping = false;
    }
  };
  const wanted = (r: FreshEvents['rows'][number]) =>
    (!q.types || q.types.includes(r.ev.type)) &&
    (q.subject === undefined || r.ev.subject === q.subject) &&
    (q.keys === 'all' || q.keys.some((k) => r.keys.has(k)));
  /** New events from the notifier's shared read, when this stream is caught up; else its own read. */
  const onPosition = (_p: number, fresh?: FreshEvents) => {
    if (!fresh || pumping || closed || waitingSince !== null || cursor < fresh.from) return pump();
    for (const r of fresh.rows) {
      if (r.ev.position <= cursor || !wanted(r)) continue;
      cursor = r.ev.position;
      // the frame is the same for every stream: built once
      r.frame ??= `id: ${encodeEventCursor(r.ev.position)}\nevent: ${r.ev.type}\ndata: ${JSON.stringify(toCloudEvent(r.ev, deps.config))}\n\n`;
      if (!write(r.frame)) return;
    }
    cursor = Math.max(cursor, fresh.to);
  };

  res.on('drain', () => {
    waitingSince = null;
    pump();
  });
  res.on('close', () => close());
  const heartbeat = setInterval(() => {
    if (waitingSince !== null && Date.now() - waitingSince > 4 * deps.config.eventsHeartbeatMs) return close('client stopped reading');
    write(': heartbeat\n\n');
  }, deps.config.eventsHeartbeatMs);
  heartbeat.unref();
  notifier?.on('position', onPosition);
  const releaseKeys = notifier?.holdKeys(q.keys);

  write(': stream open\nretry: 2000\n\n');
  pump();
}
