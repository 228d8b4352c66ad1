import { and, eq } from 'drizzle-orm';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { inTx } from '../src/db/client.js';
import { createKey } from '../src/auth/keys.js';
import { agencies, areas, teams } from '../src/reference/tables.js';
import { assignments } from '../src/assignments/tables.js';
import { systemClock } from '../src/clock.js';
import { benchRedis, quantile, table, tmpDb, type Row } from './support.js';

/**
 * routing: a complaint created (POST /v1/complaints, then accept) → its assignment visible in the
 * work list, measured in-process, in embedded mode and on Redis (BullMQ), with a region team
 * and a corps team on adjacent ground (some points joint).
 */
const box = (x0: number, y0: number, x1: number, y1: number) => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];

async function measure(mode: 'embedded' | 'redis', n: number, redisUrl?: string): Promise<Row> {
  const env: Record<string, string> = {
    DATABASE_PATH: tmpDb(`routing-${mode}`),
    LOG_LEVEL: 'silent',
    DEDUP_WINDOW_HOURS: '0',
    REDIS_PREFIX: `bench${Date.now()}`,
  };
  if (redisUrl) env.REDIS_URL = redisUrl;
  const app = await buildApp(loadConfig(env));
  await app.ready();
  await app.runtime.start({ workers: true });
  const db = app.deps.db;
  const now = new Date().toISOString();
  const stamp = { createdAt: now, updatedAt: now };
  const key = inTx(db, (tx) => {
    tx.insert(agencies)
      .values({ code: 'R', name: 'region county', side: 'region', level: 'county', parentCode: null, adminCode: '652301', ...stamp })
      .run();
    tx.insert(agencies)
      .values({ code: 'C', name: 'corps division', side: 'corps', level: 'division', parentCode: null, adminCode: '659001', ...stamp })
      .run();
    tx.insert(teams)
      .values({ id: 'team-r', agencyCode: 'R', name: 'r', categories: ['air'], ...stamp })
      .run();
    tx.insert(teams)
      .values({ id: 'team-c', agencyCode: 'C', name: 'c', categories: ['air'], ...stamp })
      .run();
    const area = (id: string, side: 'region' | 'corps', agencyCode: string, b: number[]) =>
      tx
        .insert(areas)
        .values({
          id,
          name: id,
          side,
          agencyCode,
          kind: 'jurisdiction',
          geometry: { type: 'Polygon', coordinates: [box(b[0], b[1], b[2], b[3])] },
          minLng: b[0],
          minLat: b[1],
          maxLng: b[2],
          maxLat: b[3],
          areaSize: (b[2] - b[0]) * (b[3] - b[1]),
          ...stamp,
        })
        .run();
    area('area-r', 'region', 'R', [86.0, 44.0, 86.1, 44.1]);
    area('area-c', 'corps', 'C', [86.1, 44.0, 86.2, 44.1]);
    return createKey(tx, systemClock, { role: 'intake', name: 'bench' }).key;
  });
  app.deps.services.onAreasChanged?.();
  const headers = { authorization: `Bearer ${key}` };
  const times: number[] = [];
  /** From the accept response to the assignment being visible: the routing part alone. */
  const after: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const lng = 86.0 + ((i * 0.0137) % 0.2);
      const lat = 44.0 + ((i * 0.0071) % 0.1);
      const t0 = performance.now();
      const r = await app.inject({
        method: 'POST',
        url: '/v1/complaints',
        headers,
        payload: { channel: 'phone', category: 'air', description: 'smoke', location: { lat, lng } },
      });
      if (r.statusCode !== 201) throw new Error(`create: ${r.statusCode} ${r.body}`);
      const id = r.json().id as string;
      const a = await app.inject({ method: 'POST', url: `/v1/complaints/${id}/accept`, headers });
      if (a.statusCode !== 200) throw new Error(`accept: ${a.statusCode} ${a.body}`);
      const t1 = performance.now();
      const deadline = Date.now() + 10_000;
      while (
        !db
          .select({ id: assignments.id })
          .from(assignments)
          .where(and(eq(assignments.subjectKind, 'complaint'), eq(assignments.subjectId, id)))
          .get()
      ) {
        if (Date.now() > deadline) throw new Error(`complaint ${id} was not routed within 10 s`);
        await new Promise((res) => setTimeout(res, 0));
      }
      times.push(performance.now() - t0);
      after.push(performance.now() - t1);
    }
  } finally {
    await app.close();
  }
  times.sort((x, y) => x - y);
  after.sort((x, y) => x - y);
  return {
    bench: 'routing',
    variant: `complaint created + accepted → assignment visible (${mode})`,
    samples: n,
    'p50 ms': quantile(times, 0.5),
    'p99 ms': quantile(times, 0.99),
    'accept → visible p50 ms': quantile(after, 0.5),
    'accept → visible p99 ms': quantile(after, 0.99),
  };
}

export async function runRoutingBench(n = 300): Promise<{ name: string; rows: Row[] }> {
  const rows: Row[] = [await measure('embedded', n)];
  const redis = await benchRedis();
  try {
    if (redis.url) rows.push(await measure('redis', n, redis.url));
    else rows.push({ bench: 'routing', variant: 'redis: skipped (no redis-server)', samples: 0 });
  } finally {
    redis.stop();
  }
  console.log(table(rows));
  return { name: 'routing', rows };
}

export const bench = { name: 'routing', run: async () => (await runRoutingBench()).rows };

if (import.meta.url === `file://${process.argv[1]}`) {
  await runRoutingBench(Number(process.env.ROUTING_SAMPLES ?? 300));
  process.exit(0);
}
