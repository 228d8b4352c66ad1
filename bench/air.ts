import { eq, sql } from 'drizzle-orm';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { inTx } from '../src/db/client.js';
import { createKey } from '../src/auth/keys.js';
import { agencies, areas, teams } from '../src/reference/tables.js';
import { pollutionSources } from '../src/cases/tables.js';
import { emergencyMeasures, airZones } from '../src/air/tables.js';
import { DEFAULT_CUTS } from '../src/air/levels.js';
import { assignments } from '../src/assignments/tables.js';
import { systemClock } from '../src/clock.js';
import { spatialService } from '../src/jurisdiction/spatial-index.js';
import { benchRedis, rng, table, tmpDb, type Row } from './support.js';

/**
 * air: an orange alert over a zone with N listed sources (POST /v1/air-alerts) → every patrol
 * task visible on the teams' work lists (the linkage's assignments written by the side-queue
 * jobs), in embedded mode and on Redis. The 1-source row is the single-task figure of the same
 * machinery in the same run, beside routing's complaint → assignment (bench/routing.ts).
 * Two adjacent boxes (region | corps, seam at lng 86.1); sources within JOINT_BUFFER_METERS of
 * the seam get a mixed pair (two assignments).
 */
const box = (x0: number, y0: number, x1: number, y1: number) => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];

const level = (n: number) => ({ measures: [{ type: 'limit_load' as const, description: null }], reductions: { so2: n, nox: n, pm: n, vocs: n } });

async function measure(mode: 'embedded' | 'redis', n: number, redisUrl?: string): Promise<Row> {
  const env: Record<string, string> = { DATABASE_PATH: tmpDb(`air-${mode}`), LOG_LEVEL: 'silent', REDIS_PREFIX: `bench${Date.now()}` };
  if (redisUrl) env.REDIS_URL = redisUrl;
  const app = await buildApp(loadConfig(env));
  await app.ready();
  await app.runtime.start({ workers: true });
  const db = app.deps.db;
  const now = new Date().toISOString();
  const stamp = { createdAt: now, updatedAt: now };
  const random = rng(42);
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
    tx.insert(airZones)
      .values({
        id: 'zone-b',
        name: 'bench zone',
        areaIds: ['area-r', 'area-c'],
        minimumCuts: DEFAULT_CUTS,
        linkageLevels: ['orange', 'red'],
        note: null,
        createdBy: 'bench',
        ...stamp,
        version: 1,
      })
      .run();
    for (let i = 0; i < n; i++) {
      // Inside the boxes, not on an edge; a single source sits in the region box away from the seam.
      const lng = n === 1 ? 86.05 : 86.001 + random() * 0.198;
      const lat = 44.001 + random() * 0.098;
      const side = lng < 86.1 ? 'region' : 'corps';
      const id = `src-${String(i).padStart(5, '0')}`;
      tx.insert(pollutionSources)
        .values({
          id,
          name: id,
          creditCode: `BENCH${String(i).padStart(13, '0')}`,
          side,
          agencyCode: side === 'region' ? 'R' : 'C',
          lat,
          lng,
          address: 'a',
          industry: 'i',
          ...stamp,
          version: 1,
        })
        .run();
      tx.insert(emergencyMeasures)
        .values({
          sourceId: id,
          sourceSide: side,
          sourceAgencyCode: side === 'region' ? 'R' : 'C',
          levels: { yellow: level(10), orange: level(20), red: level(30) },
          updatedBy: 'bench',
          ...stamp,
          version: 1,
        })
        .run();
    }
    return createKey(tx, systemClock, { role: 'admin', name: 'bench' }).key;
  });
  app.deps.services.onAreasChanged?.();
  const headers = { authorization: `Bearer ${key}` };
  // Warm up: the spatial index and the routes are built before the measured request.
  spatialService(app.deps).current();
  await app.inject({ method: 'GET', url: '/v1/air-zones', headers });
  let toCreated: number;
  let toVisible: number;
  let expected: number;
  try {
    const starts = new Date(Date.now() + 3_600_000).toISOString();
    const ends = new Date(Date.now() + 4 * 86_400_000).toISOString();
    const t0 = performance.now();
    const r = await app.inject({
      method: 'POST',
      url: '/v1/air-alerts',
      headers,
      payload: { zoneId: 'zone-b', level: 'orange', startsAt: starts, expectedEndAt: ends, basis: { forecastDailyAqi: [230, 320, 280] } },
    });
    if (r.statusCode !== 201) throw new Error(`alert: ${r.statusCode} ${r.body}`);
    const t1 = performance.now();
    toCreated = t1 - t0;
    // One assignment per team of each task: a mixed pair counts twice.
    expected = Number(
      db.get<{ n: number }>(sql`select coalesce(sum(json_array_length(team_ids)), 0) as n from operation_tasks where operation_id = ${r.json().operationId}`)!
        .n,
    );
    const deadline = Date.now() + 300_000;
    const count = () =>
      db
        .select({ n: sql<number>`count(*)` })
        .from(assignments)
        .where(eq(assignments.subjectKind, 'operation_task'))
        .get()!.n;
    while (count() < expected) {
      if (Date.now() > deadline) throw new Error(`only ${count()} of ${expected} patrol assignments visible after 300 s`);
      await new Promise((res) => setTimeout(res, 5));
    }
    toVisible = performance.now() - t1;
  } finally {
    await app.close();
  }
  return {
    bench: 'air',
    variant: `orange alert → every patrol task on the work lists, ${n} listed source${n === 1 ? '' : 's'} (${mode})`,
    sources: n,
    assignments: expected,
    'POST → 201 ms': toCreated,
    '201 → all visible ms': toVisible,
    'per task ms': toVisible / Math.max(1, n),
  };
}

export async function runAirBench(n = 5000): Promise<{ name: string; rows: Row[] }> {
  const rows: Row[] = [await measure('embedded', 1), await measure('embedded', n)];
  const redis = await benchRedis();
  try {
    if (redis.url) rows.push(await measure('redis', 1, redis.url), await measure('redis', n, redis.url));
    else rows.push({ bench: 'air', variant: 'redis: skipped (no redis-server)', sources: 0 });
  } finally {
    redis.stop();
  }
  console.log(table(rows));
  return { name: 'air', rows };
}

export const bench = { name: 'air', run: async () => (await runAirBench()).rows };

if (import.meta.url === `file://${process.argv[1]}`) {
  await runAirBench(Number(process.env.AIR_SOURCES ?? 5000));
  process.exit(0);
}
