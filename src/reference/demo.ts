import type { Db } from '../db/client.js';
import { inTx } from '../db/client.js';
import type { Clock } from '../clock.js';
import { CATEGORIES, type Category } from '../domain/index.js';
import { getAgency } from './hierarchy.js';
import { createAgency, type NewAgency } from './agencies.js';
import { createTeam, getTeam, type NewTeam } from './teams.js';
import { createArea, getArea, type NewArea } from './areas.js';
import { ringSignedArea, type AreaGeometry, type Ring } from './geojson.js';

/*
 * Demo reference data (SEED_DEMO=true, `npm run cli -- seed demo`): the two key zones where
 * region (自治区) and corps (兵团) ground interlock — 乌—昌—石 (Urumqi, Changji, Shihezi, Wujiaqu)
 * and 奎—独—乌 (Kuytun, Dushanzi, Wusu, Huyanghe).
 *
 * Agency codes are the real GB/T 2260 codes (shared/domain.md §5). Corps divisions have no GB/T
 * code: they use project codes XPCC-D<n> and keep their city's code in adminCode.
 *
 * Corps cities (师市合一): Shihezi, Wujiaqu and Huyanghe are each run by their division as one
 * administration (the division and the city share one leadership and one environment bureau), so
 * they are modelled as the division's city — one agency, XPCC-D8 / XPCC-D6 / XPCC-D7, with the
 * city's code 659001 / 659004 / 659010 as adminCode beside the division code — not as regiments.
 * One real regiment (第八师一二一团) is included so the regiment level exists in the demo.
 *
 * POLYGONS ARE APPROXIMATE: simple 6–16 vertex shapes placed at the real centres, drawn so region
 * and corps areas touch along shared edges (never overlap) as they interlock on the ground. Same-
 * side areas nest (county inside prefecture, grid cell inside county): the smaller area wins.
 * Corps land is carved out of the region's areas as holes (the 12th division's enclave inside
 * Urumqi; every corps area inside the autonomous-region outline). Replace them with real
 * boundaries through POST /v1/areas/import?upsert=true using the same ids.
 */

export interface DemoPoint {
  lng: number;
  lat: number;
}

/** Useful demo coordinates (WGS-84) for tests and examples. */
export const DEMO_POINTS = {
  /** Urumqi centre: region, 650100 (inside grid cell area-650100-grid-01). */
  urumqiCenter: { lng: 87.62, lat: 43.83 },
  /** Changji city centre: region, 652301. */
  changjiCenter: { lng: 87.31, lat: 44.01 },
  /** Wujiaqu (五家渠市) centre: corps, XPCC-D6. */
  wujiaquCenter: { lng: 87.54, lat: 44.17 },
  /** Shihezi (石河子市) centre: corps, XPCC-D8 (inside grid cell area-xpcc-d8-grid-01). */
  shiheziCenter: { lng: 86.08, lat: 44.31 },
  /** Kuytun centre: region, 654003 (inside grid cell area-654003-grid-01). */
  kuytunCenter: { lng: 84.9, lat: 44.43 },
  /** Dushanzi centre: region, 650202. */
  dushanziCenter: { lng: 84.89, lat: 44.33 },
  /** Wusu centre: region, 654202. */
  wusuCenter: { lng: 84.71, lat: 44.42 },
  /** Huyanghe (胡杨河市) centre: corps, XPCC-D7. */
  huyangheCenter: { lng: 84.83, lat: 44.69 },
  /** Inside the 12th division's enclave in Urumqi: corps, XPCC-D12. */
  d12Center: { lng: 87.515, lat: 43.895 },
  /** Inside the 121st regiment: corps, XPCC-D8-R121 (the division's MultiPolygon also covers it). */
  regiment121Center: { lng: 85.45, lat: 44.86 },
  /** Lake Ulungur (乌伦古湖): region, protected area of 650000. */
  ulungurLake: { lng: 87.3, lat: 47.2 },
  /**
   * Region point about 240 m east of Shihezi's eastern edge (lng 86.18): inside Changji
   * prefecture (652300), 0.003° of longitude × 79.7 km/° at 44.31° N ≈ 239 m from corps ground.
   */
  seamNearShihezi: { lng: 86.183, lat: 44.31 },
  /** Region point (Kuytun, 654003) about 220 m south of Huyanghe's southern edge (lat 44.60). */
  seamNearHuyanghe: { lng: 84.9, lat: 44.598 },
  /** Region point (Urumqi, 650100) about 150 m south of the 12th division's enclave. */
  seamNearD12: { lng: 87.52, lat: 43.8546 },
  /** Outside every demo area (Beijing). */
  nowhere: { lng: 116.4, lat: 39.9 },
} satisfies Record<string, DemoPoint>;

// ---- agencies -------------------------------------------------------------------------------

/** Parents before children. */
export const DEMO_AGENCIES: NewAgency[] = [
  { code: '650000', name: '新疆维吾尔自治区', side: 'region', level: 'autonomous_region', parentCode: null },
  { code: '650100', name: '乌鲁木齐市', side: 'region', level: 'prefecture', parentCode: '650000' },
  { code: '650200', name: '克拉玛依市', side: 'region', level: 'prefecture', parentCode: '650000' },
  { code: '650202', name: '独山子区', side: 'region', level: 'county', parentCode: '650200' },
  { code: '652300', name: '昌吉回族自治州', side: 'region', level: 'prefecture', parentCode: '650000' },
  { code: '652301', name: '昌吉市', side: 'region', level: 'county', parentCode: '652300' },
  { code: '654000', name: '伊犁哈萨克自治州', side: 'region', level: 'prefecture', parentCode: '650000' },
  { code: '654003', name: '奎屯市', side: 'region', level: 'county', parentCode: '654000' },
  { code: '654200', name: '塔城地区', side: 'region', level: 'prefecture', parentCode: '650000' },
  { code: '654202', name: '乌苏市', side: 'region', level: 'county', parentCode: '654200' },
  { code: 'XPCC', name: '新疆生产建设兵团', side: 'corps', level: 'corps', parentCode: null },
  { code: 'XPCC-D6', name: '第六师（五家渠市）', side: 'corps', level: 'division', parentCode: 'XPCC', adminCode: '659004' },
  { code: 'XPCC-D7', name: '第七师（胡杨河市）', side: 'corps', level: 'division', parentCode: 'XPCC', adminCode: '659010' },
  { code: 'XPCC-D8', name: '第八师（石河子市）', side: 'corps', level: 'division', parentCode: 'XPCC', adminCode: '659001' },
  { code: 'XPCC-D12', name: '第十二师', side: 'corps', level: 'division', parentCode: 'XPCC' },
  { code: 'XPCC-D8-R121', name: '第八师一二一团', side: 'corps', level: 'regiment', parentCode: 'XPCC-D8' },
];

// ---- teams ----------------------------------------------------------------------------------

const ALL: Category[] = [...CATEGORIES];
const team = (agencyCode: string, suffix: string, name: string, categories: Category[]): NewTeam => ({
  id: `team-${agencyCode.toLowerCase()}-${suffix}`,
  agencyCode,
  name,
  categories,
});

export const DEMO_TEAMS: NewTeam[] = [
  team('650000', 'general', '自治区生态环境保护综合行政执法局 综合组', ALL),
  team('XPCC', 'general', '兵团生态环境保护综合执法总队 综合组', ALL),
  team('650100', 'air', '乌鲁木齐市生态环境综合执法支队 大气组', ['air']),
  team('650100', 'water-soil', '乌鲁木齐市生态环境综合执法支队 水与土壤组', ['water', 'soil', 'solid_waste']),
  team('650100', 'general', '乌鲁木齐市生态环境综合执法支队 综合组', ['noise', 'radiation', 'ecology', 'other']),
  team('650200', 'general', '克拉玛依市生态环境综合执法支队 综合组', ALL),
  team('650202', 'general', '独山子区生态环境执法大队', ['air', 'water', 'soil', 'solid_waste', 'noise', 'other']),
  team('652300', 'general', '昌吉州生态环境综合执法支队 综合组', ALL),
  team('652301', 'air', '昌吉市生态环境执法大队 大气组', ['air', 'noise']),
  team('652301', 'general', '昌吉市生态环境执法大队 综合组', ['water', 'soil', 'solid_waste', 'radiation', 'ecology', 'other']),
  team('654000', 'general', '伊犁州生态环境综合执法支队 综合组', ALL),
  team('654003', 'general', '奎屯市生态环境执法大队', ['air', 'water', 'soil', 'solid_waste', 'noise', 'other']),
  team('654200', 'general', '塔城地区生态环境综合执法支队 综合组', ALL),
  team('654202', 'general', '乌苏市生态环境执法大队', ['air', 'water', 'soil', 'noise', 'ecology', 'other']),
  team('XPCC-D6', 'general', '第六师五家渠市生态环境执法支队', ALL),
  team('XPCC-D7', 'general', '第七师胡杨河市生态环境执法支队', ALL),
  team('XPCC-D8', 'air', '第八师石河子市生态环境执法支队 大气组', ['air']),
  team('XPCC-D8', 'water-soil', '第八师石河子市生态环境执法支队 水与土壤组', ['water', 'soil', 'solid_waste']),
  team('XPCC-D8', 'general', '第八师石河子市生态环境执法支队 综合组', ['noise', 'radiation', 'ecology', 'other']),
  team('XPCC-D12', 'general', '第十二师生态环境执法大队', ALL),
  team('XPCC-D8-R121', 'general', '一二一团生态环境执法中队', ['air', 'water', 'soil', 'solid_waste', 'noise', 'other']),
];

// ---- areas ----------------------------------------------------------------------------------

type P = [number, number];
/** Closes a ring and orients it (RFC 7946 right-hand rule: exterior counter-clockwise). */
function ring(points: P[], ccw = true): Ring {
  const r: Ring = [...points.map((p) => [...p]), [...points[0]]];
  return ringSignedArea(r) > 0 === ccw ? r : r.reverse();
}
const polygon = (outer: P[], ...holes: P[][]): AreaGeometry => ({ type: 'Polygon', coordinates: [ring(outer), ...holes.map((h) => ring(h, false))] });
const multi = (...polys: P[][][]): AreaGeometry => ({
  type: 'MultiPolygon',
  coordinates: polys.map(([outer, ...holes]) => [ring(outer), ...holes.map((h) => ring(h, false))]),
});

// Zone 乌—昌—石. Shared edges: Shihezi | Changji prefecture along lng 86.18 (lat 44.20–44.42);
// Changji prefecture/city | Urumqi along lng 87.45 (lat 43.55–44.10); Changji | Wujiaqu along
// lng 87.45 (44.10–44.28); Urumqi | Wujiaqu along lat 44.10 (87.45–87.65).
const SHIHEZI: P[] = [
  [85.98, 44.22],
  [86.1, 44.2],
  [86.18, 44.2],
  [86.18, 44.31],
  [86.18, 44.42],
  [86.06, 44.43],
  [85.96, 44.38],
  [85.95, 44.3],
];
const WUJIAQU: P[] = [
  [87.45, 44.1],
  [87.55, 44.1],
  [87.65, 44.1],
  [87.68, 44.18],
  [87.64, 44.28],
  [87.55, 44.29],
  [87.45, 44.28],
  [87.45, 44.2],
];
const D12_ENCLAVE: P[] = [
  [87.48, 43.86],
  [87.53, 43.855],
  [87.56, 43.88],
  [87.55, 43.93],
  [87.5, 43.935],
  [87.475, 43.9],
];
const URUMQI: P[] = [
  [87.45, 43.55],
  [87.62, 43.48],
  [87.8, 43.5],
  [88.05, 43.7],
  [88.1, 43.95],
  [87.95, 44.1],
  [87.8, 44.1],
  [87.65, 44.1],
  [87.55, 44.1],
  [87.45, 44.1],
  [87.45, 43.8],
];
const CHANGJI_PREFECTURE: P[] = [
  [86.18, 43.55],
  [86.8, 43.45],
  [87.45, 43.55],
  [87.45, 43.8],
  [87.45, 44.1],
  [87.45, 44.28],
  [87.45, 44.6],
  [86.8, 44.7],
  [86.18, 44.6],
  [86.18, 44.42],
  [86.18, 44.31],
  [86.18, 44.2],
];
const CHANGJI_CITY: P[] = [
  [87.05, 43.75],
  [87.25, 43.7],
  [87.45, 43.75],
  [87.45, 44.0],
  [87.45, 44.28],
  [87.3, 44.35],
  [87.1, 44.25],
  [87.02, 44.0],
];

// Zone 奎—独—乌. Shared edges: Wusu | Dushanzi, Kuytun along lng 84.82 (lat 44.22–44.60);
// Dushanzi | Kuytun along lat 44.37; Huyanghe | Wusu, Kuytun along lat 44.60 (84.70–84.98).
const KUYTUN: P[] = [
  [84.82, 44.37],
  [84.9, 44.37],
  [84.96, 44.37],
  [85.02, 44.45],
  [84.98, 44.6],
  [84.9, 44.6],
  [84.82, 44.6],
  [84.82, 44.48],
];
const DUSHANZI: P[] = [
  [84.82, 44.22],
  [84.9, 44.2],
  [84.96, 44.24],
  [84.97, 44.3],
  [84.96, 44.37],
  [84.9, 44.37],
  [84.82, 44.37],
  [84.82, 44.3],
];
const WUSU: P[] = [
  [84.4, 44.1],
  [84.65, 44.05],
  [84.82, 44.1],
  [84.82, 44.22],
  [84.82, 44.37],
  [84.82, 44.6],
  [84.7, 44.6],
  [84.5, 44.62],
  [84.38, 44.45],
];
const HUYANGHE: P[] = [
  [84.7, 44.6],
  [84.82, 44.6],
  [84.98, 44.6],
  [85.0, 44.7],
  [84.95, 44.78],
  [84.8, 44.8],
  [84.68, 44.74],
  [84.66, 44.66],
];

// Elsewhere (approximate blocks, only so each prefecture has ground of its own).
const R121: P[] = [
  [85.35, 44.8],
  [85.45, 44.78],
  [85.55, 44.82],
  [85.56, 44.9],
  [85.48, 44.95],
  [85.37, 44.93],
  [85.33, 44.86],
];
const KARAMAY_MAIN: P[] = [
  [84.55, 45.2],
  [85.2, 45.15],
  [85.6, 45.6],
  [85.5, 46.1],
  [85.0, 46.2],
  [84.6, 45.9],
  [84.4, 45.5],
];
const ILI_VALLEY: P[] = [
  [80.9, 43.0],
  [82.5, 42.9],
  [83.8, 43.3],
  [83.7, 44.0],
  [82.5, 44.3],
  [81.0, 44.2],
  [80.85, 43.6],
];
const TACHENG_NORTH: P[] = [
  [83.1, 45.7],
  [84.3, 45.7],
  [84.3, 46.6],
  [83.8, 47.0],
  [83.1, 46.9],
];
const ULUNGUR: P[] = [
  [87.0, 47.05],
  [87.2, 46.95],
  [87.5, 47.0],
  [87.6, 47.2],
  [87.45, 47.35],
  [87.2, 47.4],
  [87.02, 47.3],
];
/** Rough outline of Xinjiang (16 vertices); corps ground cut out as holes. */
const XINJIANG: P[] = [
  [73.5, 39.5],
  [75.5, 40.6],
  [78.5, 41.5],
  [80.2, 42.1],
  [80.8, 43.2],
  [80.0, 44.9],
  [82.5, 45.5],
  [83.0, 47.2],
  [85.5, 47.1],
  [87.0, 49.2],
  [90.5, 47.0],
  [96.4, 42.7],
  [93.5, 40.0],
  [90.0, 36.0],
  [80.0, 35.4],
  [75.0, 36.5],
];
// Grid cells (网格), each inside its agency's jurisdiction.
const square = (lng0: number, lat0: number, lng1: number, lat1: number): P[] => [
  [lng0, lat0],
  [lng1, lat0],
  [lng1, lat1],
  [lng0, lat1],
];

const area = (id: string, name: string, side: 'region' | 'corps', agencyCode: string, kind: NewArea['kind'], geometry: AreaGeometry): NewArea => ({
  id,
  name,
  side,
  agencyCode,
  kind,
  geometry,
});

export const DEMO_AREAS: NewArea[] = [
  area('area-650000', '新疆维吾尔自治区（示意）', 'region', '650000', 'jurisdiction', polygon(XINJIANG, SHIHEZI, WUJIAQU, D12_ENCLAVE, HUYANGHE, R121)),
  area('area-650100', '乌鲁木齐市（示意）', 'region', '650100', 'jurisdiction', polygon(URUMQI, D12_ENCLAVE)),
  area('area-650200', '克拉玛依市（含独山子区，示意）', 'region', '650200', 'jurisdiction', multi([KARAMAY_MAIN], [DUSHANZI])),
  area('area-650202', '独山子区（示意）', 'region', '650202', 'jurisdiction', polygon(DUSHANZI)),
  area('area-652300', '昌吉回族自治州（西部，示意）', 'region', '652300', 'jurisdiction', polygon(CHANGJI_PREFECTURE)),
  area('area-652301', '昌吉市（示意）', 'region', '652301', 'jurisdiction', polygon(CHANGJI_CITY)),
  area('area-654000', '伊犁哈萨克自治州（伊犁河谷与奎屯，示意）', 'region', '654000', 'jurisdiction', multi([ILI_VALLEY], [KUYTUN])),
  area('area-654003', '奎屯市（示意）', 'region', '654003', 'jurisdiction', polygon(KUYTUN)),
  area('area-654200', '塔城地区（塔城与乌苏，示意）', 'region', '654200', 'jurisdiction', multi([TACHENG_NORTH], [WUSU])),
  area('area-654202', '乌苏市（示意）', 'region', '654202', 'jurisdiction', polygon(WUSU)),
  area('area-xpcc-d6', '第六师五家渠市（示意）', 'corps', 'XPCC-D6', 'jurisdiction', polygon(WUJIAQU)),
  area('area-xpcc-d7', '第七师胡杨河市（示意）', 'corps', 'XPCC-D7', 'jurisdiction', polygon(HUYANGHE)),
  area('area-xpcc-d8', '第八师石河子市（含一二一团，示意）', 'corps', 'XPCC-D8', 'jurisdiction', multi([SHIHEZI], [R121])),
  area('area-xpcc-d8-r121', '第八师一二一团（示意）', 'corps', 'XPCC-D8-R121', 'jurisdiction', polygon(R121)),
  area('area-xpcc-d12', '第十二师（乌鲁木齐市内，示意）', 'corps', 'XPCC-D12', 'jurisdiction', polygon(D12_ENCLAVE)),
  area('area-650100-grid-01', '乌鲁木齐 中心网格 01', 'region', '650100', 'grid', polygon(square(87.58, 43.79, 87.66, 43.87))),
  area('area-654003-grid-01', '奎屯 中心网格 01', 'region', '654003', 'grid', polygon(square(84.86, 44.4, 84.94, 44.46))),
  area('area-xpcc-d8-grid-01', '石河子 中心网格 01', 'corps', 'XPCC-D8', 'grid', polygon(square(86.03, 44.26, 86.13, 44.36))),
  area('area-xpcc-d6-grid-01', '五家渠 中心网格 01', 'corps', 'XPCC-D6', 'grid', polygon(square(87.5, 44.14, 87.58, 44.2))),
  area('area-ulungur-lake', '乌伦古湖（保护区，示意）', 'region', '650000', 'protected', polygon(ULUNGUR)),
];

/**
 * Loads the demo agencies, teams and areas, each only if its code/id is absent: running it again
 * changes nothing (and never overwrites an admin's edits). All in one transaction, through the
 * same service functions (and rules) as the API.
 */
export function seedDemo(db: Db, clock: Clock): void {
  inTx(db, (tx) => {
    for (const a of DEMO_AGENCIES) if (!getAgency(tx, a.code)) createAgency(tx, clock, a);
    for (const t of DEMO_TEAMS) if (!getTeam(tx, t.id!)) createTeam(tx, clock, t);
    for (const a of DEMO_AREAS) if (!getArea(tx, a.id!)) createArea(tx, clock, a);
  });
}

// ---- pollution sources, checklist and officer roster (random inspections) --------------------
//
// Data only: the cases capability loads DEMO_SOURCES (seedDemoSources) and the inspections
// capability the checklist and roster (seedDemoInspections), through their own service rules,
// from `npm run demo` and `npm run cli -- seed demo`. Names and credit codes are invented (the
// codes pass GB 32100 and the inner GB 11714 check); no real enterprise is meant.

export interface DemoSource {
  id: string;
  name: string;
  creditCode: string;
  side: 'region' | 'corps';
  agencyCode: string;
  location: DemoPoint;
  address: string;
  industry: string;
  /** key 重点排污单位, special 特殊监管对象, general 一般排污单位. */
  supervisionClass: 'key' | 'special' | 'general';
}

const src = (
  id: string,
  name: string,
  creditCode: string,
  agencyCode: string,
  side: 'region' | 'corps',
  dx: number,
  dy: number,
  address: string,
  industry: string,
  supervisionClass: DemoSource['supervisionClass'],
): DemoSource => {
  const c = side === 'region' ? DEMO_POINTS.changjiCenter : DEMO_POINTS.shiheziCenter;
  return { id, name, creditCode, side, agencyCode, location: { lng: c.lng + dx, lat: c.lat + dy }, address, industry, supervisionClass };
};

export const DEMO_SOURCES: DemoSource[] = [
  src('src-652301-01', '昌吉示例热电有限公司', '91652301700100010A', '652301', 'region', 0.02, 0.01, '昌吉市示例工业园1号', '热电联产', 'key'),
  src('src-652301-02', '昌吉示例水泥有限公司', '916523017001003878', '652301', 'region', -0.03, 0.02, '昌吉市示例工业园2号', '水泥制造', 'key'),
  src('src-652301-03', '昌吉示例化工有限公司', '91652301700100758Y', '652301', 'region', 0.04, -0.02, '昌吉市示例工业园3号', '基础化学原料制造', 'special'),
  src('src-652301-04', '昌吉示例污水处理厂', '916523017001011281', '652301', 'region', -0.01, -0.03, '昌吉市示例路4号', '污水处理', 'special'),
  src('src-652301-05', '昌吉示例食品有限公司', '91652301700101494W', '652301', 'region', 0.01, 0.04, '昌吉市示例路5号', '食品制造', 'general'),
  src('src-652301-06', '昌吉示例汽修厂', '91652301700101865K', '652301', 'region', -0.04, 0.0, '昌吉市示例路6号', '汽车修理', 'general'),
  src('src-652301-07', '昌吉示例印刷厂', '91652301700102235M', '652301', 'region', 0.03, 0.03, '昌吉市示例路7号', '印刷', 'general'),
  src('src-xpcc-d8-01', '石河子示例电力有限公司', '91659001800200019B', 'XPCC-D8', 'corps', 0.01, 0.01, '石河子市示例开发区1号', '火力发电', 'key'),
  src('src-xpcc-d8-02', '石河子示例化纤有限公司', '916590018002003857', 'XPCC-D8', 'corps', -0.02, 0.02, '石河子市示例开发区2号', '化学纤维制造', 'key'),
  src('src-xpcc-d8-03', '石河子示例造纸有限公司', '91659001800200756X', 'XPCC-D8', 'corps', 0.02, -0.02, '石河子市示例开发区3号', '造纸', 'special'),
  src('src-xpcc-d8-04', '石河子示例危废处置中心', '916590018002011260', 'XPCC-D8', 'corps', -0.03, -0.01, '石河子市示例开发区4号', '危险废物治理', 'special'),
  src('src-xpcc-d8-05', '石河子示例乳业有限公司', '91659001800201492U', 'XPCC-D8', 'corps', 0.03, 0.02, '石河子市示例路5号', '乳制品制造', 'general'),
  src('src-xpcc-d8-06', '石河子示例棉纺厂', '91659001800201863J', 'XPCC-D8', 'corps', -0.01, 0.03, '石河子市示例路6号', '棉纺织', 'general'),
  src('src-xpcc-d8-07', '石河子示例建材厂', '91659001800202233L', 'XPCC-D8', 'corps', 0.0, -0.03, '石河子市示例路7号', '建筑材料', 'general'),
];

export interface DemoInspectionItem {
  agencyCode: string;
  code: string;
  name: string;
  legalBasis: string;
  categories: Category[];
  targetClasses: ('key' | 'special' | 'general')[];
  method: string;
}

const items = (agencyCode: string): DemoInspectionItem[] => [
  {
    agencyCode,
    code: 'AIR-01',
    name: '大气污染防治设施运行情况',
    legalBasis: '《中华人民共和国大气污染防治法》第二十条',
    categories: ['air'],
    targetClasses: ['key', 'special', 'general'],
    method: '现场检查、查阅运行台账和在线监测数据',
  },
  {
    agencyCode,
    code: 'WATER-01',
    name: '水污染物排放情况',
    legalBasis: '《中华人民共和国水污染防治法》第二十一条',
    categories: ['water'],
    targetClasses: ['key', 'special', 'general'],
    method: '现场检查排放口、采样监测',
  },
  {
    agencyCode,
    code: 'PERMIT-01',
    name: '排污许可证执行情况',
    legalBasis: '《排污许可管理条例》第十七条',
    categories: ['air', 'water', 'solid_waste'],
    targetClasses: ['key', 'special'],
    method: '核查许可证载明事项与执行报告',
  },
  {
    agencyCode,
    code: 'WASTE-01',
    name: '危险废物贮存和转移情况',
    legalBasis: '《中华人民共和国固体废物污染环境防治法》第七十七条',
    categories: ['solid_waste'],
    targetClasses: ['key', 'special', 'general'],
    method: '现场检查贮存设施、核对转移联单',
  },
];

/** The checklist of both sides (items of the top agency are usable by every agency below it). */
export const DEMO_INSPECTION_ITEMS: DemoInspectionItem[] = [...items('650000'), ...items('XPCC')];

export interface DemoInspector {
  id: string;
  name: string;
  agencyCode: string;
  teamId: string;
  certificateNo: string;
  certificateValidUntil: string;
  expert?: boolean;
}

/** Officer rosters of both sides (names invented). */
export const DEMO_INSPECTORS: DemoInspector[] = [
  {
    id: 'insp-652301-01',
    name: '王建国',
    agencyCode: '652301',
    teamId: 'team-652301-air',
    certificateNo: '6523012026001',
    certificateValidUntil: '2028-12-31',
  },
  { id: 'insp-652301-02', name: '李娜', agencyCode: '652301', teamId: 'team-652301-air', certificateNo: '6523012026002', certificateValidUntil: '2028-12-31' },
  {
    id: 'insp-652301-03',
    name: '阿不都热合曼·买买提',
    agencyCode: '652301',
    teamId: 'team-652301-general',
    certificateNo: '6523012026003',
    certificateValidUntil: '2027-06-30',
  },
  {
    id: 'insp-652301-04',
    name: '张伟',
    agencyCode: '652301',
    teamId: 'team-652301-general',
    certificateNo: '6523012026004',
    certificateValidUntil: '2028-12-31',
    expert: true,
  },
  {
    id: 'insp-652300-01',
    name: '古丽娜尔·艾力',
    agencyCode: '652300',
    teamId: 'team-652300-general',
    certificateNo: '6523002026001',
    certificateValidUntil: '2028-12-31',
  },
  {
    id: 'insp-xpcc-d8-01',
    name: '刘强',
    agencyCode: 'XPCC-D8',
    teamId: 'team-xpcc-d8-air',
    certificateNo: 'BT0082026001',
    certificateValidUntil: '2028-12-31',
  },
  {
    id: 'insp-xpcc-d8-02',
    name: '陈静',
    agencyCode: 'XPCC-D8',
    teamId: 'team-xpcc-d8-air',
    certificateNo: 'BT0082026002',
    certificateValidUntil: '2028-12-31',
  },
  {
    id: 'insp-xpcc-d8-03',
    name: '赵磊',
    agencyCode: 'XPCC-D8',
    teamId: 'team-xpcc-d8-general',
    certificateNo: 'BT0082026003',
    certificateValidUntil: '2028-12-31',
  },
  {
    id: 'insp-xpcc-d8-04',
    name: '马晓燕',
    agencyCode: 'XPCC-D8',
    teamId: 'team-xpcc-d8-water-soil',
    certificateNo: 'BT0082026004',
    certificateValidUntil: '2028-12-31',
    expert: true,
  },
  {
    id: 'insp-xpcc-d8-r121-01',
    name: '孙浩',
    agencyCode: 'XPCC-D8-R121',
    teamId: 'team-xpcc-d8-r121-general',
    certificateNo: 'BT1212026001',
    certificateValidUntil: '2028-12-31',
  },
];
