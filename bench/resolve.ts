import pointInPolygon from 'point-in-polygon-hao';
import { SpatialIndex, bySpecificity, type AreaInput, type IndexedArea } from '../src/jurisdiction/spatial-index.js';
import { distanceToRingsMeters, flatRing, polygonArea, type PolygonCoords } from '../src/jurisdiction/geo.js';
import { table, type Row, rng } from './support.js';

/**
 * resolve: 10,000 generated grid polygons (~50 vertices each, 100 × 100 cells of ≈ 1.6 × 1.1 km
 * around Shihezi; the west half region, the east half corps) — the in-process resolve through the
 * spatial index beside a brute-force scan of every polygon (point-in-polygon on all, then the
 * distance to every other-side polygon), measured in the same run on the same points. Both must
 * give the same answer for every point.
 */
const COLS = 100;
const ROWS = 100;
const MIN_LNG = 85.0;
const MIN_LAT = 44.0;
const DLNG = 0.02;
const DLAT = 0.01;
const PER_SIDE = 12; // 4 × 12 + closing = 49 positions
const BUFFER_M = 1000;

export function generateGrid(): AreaInput[] {
  const rand = rng(42);
  const out: AreaInput[] = [];
  for (let r = 0; r < ROWS; r++) {
    for (let c = 0; c < COLS; c++) {
      const x0 = MIN_LNG + c * DLNG;
      const y0 = MIN_LAT + r * DLAT;
      const corners = [
        [x0, y0],
        [x0 + DLNG, y0],
        [x0 + DLNG, y0 + DLAT],
        [x0, y0 + DLAT],
      ];
      const ring: number[][] = [];
      for (let s = 0; s < 4; s++) {
        const [ax, ay] = corners[s];
        const [bx, by] = corners[(s + 1) % 4];
        for (let i = 0; i < PER_SIDE; i++) {
          const f = i / PER_SIDE;
          // interior points of each edge wobble slightly inward (a boundary is never straight)
          const wob = i === 0 ? 0 : rand() * 0.03;
          const nx = -(by - ay);
          const ny = bx - ax;
          ring.push([ax + f * (bx - ax) + wob * nx, ay + f * (by - ay) + wob * ny]);
        }
      }
      ring.push([...ring[0]]);
      out.push({
        id: `grid-${r}-${c}`,
        side: c < COLS / 2 ? 'region' : 'corps',
        agencyCode: `A-${r >> 3}-${c >> 3}`,
        kind: 'grid',
        geometry: { type: 'Polygon', coordinates: [ring] },
      });
    }
  }
  return out;
}

interface Brute {
  area: IndexedArea;
  poly: PolygonCoords;
  flat: Float64Array[];
}

/** The same answer as SpatialIndex.resolve, by scanning every polygon. */
function bruteResolve(all: Brute[], lat: number, lng: number) {
  const pt = [lng, lat];
  const containing = all.filter((b) => pointInPolygon(pt, b.poly) !== false).map((b) => b.area);
  containing.sort(bySpecificity);
  const owner = containing.find((a) => a.kind !== 'protected') ?? null;
  const neighbours: string[] = [];
  for (const b of all) {
    if (b.area.kind === 'protected' || (owner && b.area.side === owner.side)) continue;
    const d = containing.includes(b.area) ? 0 : distanceToRingsMeters(lng, lat, b.flat);
    if (d <= BUFFER_M) neighbours.push(b.area.id);
  }
  return { areaId: owner?.id ?? null, neighbours: neighbours.sort() };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

function time(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1000; // µs
}

export async function runResolveBench(opts: { points?: number; brutePoints?: number } = {}): Promise<{ name: string; rows: Row[] }> {
  const nPoints = opts.points ?? 20_000;
  const nBrute = opts.brutePoints ?? 300;
  const areas = generateGrid();
  const vertices = areas.reduce((s, a) => s + (a.geometry.coordinates as number[][][])[0].length, 0) / areas.length;

  let index!: SpatialIndex;
  const buildUs = time(() => {
    index = new SpatialIndex(areas);
  });
  const brute: Brute[] = areas.map((a) => {
    const poly = a.geometry.coordinates as PolygonCoords;
    return { area: { id: a.id, side: a.side, agencyCode: a.agencyCode, kind: a.kind, size: polygonArea(poly) }, poly, flat: poly.map(flatRing) };
  });

  const rand = rng(7);
  const pts = Array.from({ length: nPoints }, () => ({ lat: MIN_LAT + rand() * ROWS * DLAT, lng: MIN_LNG + rand() * COLS * DLNG }));
  // warm-up (JIT) on other points
  for (let i = 0; i < 2000; i++) index.resolve(MIN_LAT + rand() * ROWS * DLAT, MIN_LNG + rand() * COLS * DLNG, BUFFER_M);
  for (let i = 0; i < 5; i++) bruteResolve(brute, pts[i].lat, pts[i].lng);

  const idxTimes = pts.map((p) => time(() => index.resolve(p.lat, p.lng, BUFFER_M))).sort((a, b) => a - b);
  let agree = 0;
  let joint = 0;
  const bruteTimes: number[] = [];
  for (const p of pts.slice(0, nBrute)) {
    let b!: ReturnType<typeof bruteResolve>;
    bruteTimes.push(time(() => (b = bruteResolve(brute, p.lat, p.lng))));
    const r = index.resolve(p.lat, p.lng, BUFFER_M);
    if (r.joint) joint++;
    if (r.areaId === b.areaId && JSON.stringify(r.neighbours.map((n) => n.areaId).sort()) === JSON.stringify(b.neighbours)) agree++;
  }
  bruteTimes.sort((a, b) => a - b);
  const med = quantile(idxTimes, 0.5);
  const bmed = quantile(bruteTimes, 0.5);
  const meta = `${areas.length} grid polygons, ${vertices.toFixed(0)} vertices each, joint buffer ${BUFFER_M} m`;
  const rows: Row[] = [
    {
      bench: 'resolve',
      variant: `spatial index (rbush + point-in-polygon-hao) — ${meta}`,
      points: nPoints,
      'median µs': med,
      'p99 µs': quantile(idxTimes, 0.99),
      'max µs': idxTimes[idxTimes.length - 1],
      'speed-up': bmed / med,
      note: `index built in ${(buildUs / 1000).toFixed(0)} ms; targets: median < 50 µs, p99 < 200 µs`,
    },
    {
      bench: 'resolve',
      variant: 'brute force: scan every polygon (same points, same answer)',
      points: nBrute,
      'median µs': bmed,
      'p99 µs': quantile(bruteTimes, 0.99),
      'max µs': bruteTimes[bruteTimes.length - 1],
      'speed-up': 1,
      note: `answers agree on ${agree}/${nBrute} points (${joint} of them joint)`,
    },
  ];
  console.log(table(rows));
  if (agree !== nBrute) throw new Error(`resolve bench: the index and the brute-force scan disagree on ${nBrute - agree} points`);
  return { name: 'resolve', rows };
}

/** For bench/run.ts. */
export const bench = { name: 'resolve', run: async () => (await runResolveBench()).rows };

if (import.meta.url === `file://${process.argv[1]}`) await runResolveBench();
