import { afterKey, visiblePage } from '../db/keyset.js';
/** Heavy-pollution weather (重污染天气): zones, emergency reduction lists, alerts and their linkage. */
import { and, desc, eq, lt } from 'drizzle-orm';
import type { Static } from 'typebox';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import type { Principal } from '../auth/principal.js';
import type { Side } from '../domain/index.js';
import { newId } from '../ids.js';
import { conflict, fieldError, notFound, unprocessable } from '../http/problem.js';
import { checkIfMatch, type Expected } from '../http/versioning.js';
import { chinaDate } from '../calendar.js';
import { getAgency, agencyAncestors } from '../reference/hierarchy.js';
import { getArea } from '../reference/areas.js';
import { teamsOfAgency } from '../reference/teams.js';
import { spatialService, type Resolution } from '../jurisdiction/spatial-index.js';
import { getSource, type SourceRow } from '../cases/index.js';
import { closeLinkedOperation, openLinkedOperation, recheckLinkedTasks, type LinkedTarget } from '../operations/index.js';
import { AIR_LEVELS, POLLUTANTS, airAlerts, airZones, emergencyMeasures, type AirLevel, type LevelCuts } from './tables.js';
import { DEFAULT_CUTS, checkLevel, strictestCuts, supportedLevel } from './levels.js';
import { emitAlert, emitReference } from './events.js';
import {
  assertMayAlert,
  assertMaySetMeasures,
  getZone,
  loadAlertFor,
  maySeeAlert,
  zoneAgencies,
  type AlertRow,
  type MeasuresRow,
  type ZoneRow,
} from './visibility.js';
import type { ChangeAlertBody, CreateAlertBody, CreateZoneBody, LiftAlertBody, PutMeasuresBody } from './schemas.js';

// -------------------------------------------------------------------------------------- zones

export function createZone(tx: Tx, deps: Deps, p: Principal, b: Static<typeof CreateZoneBody>, id = newId()): ZoneRow {
  b.areaIds.forEach((a, k) => {
    if (!getArea(tx, a)) throw fieldError(`body/areaIds/${k}`, `area ${a} does not exist`);
  });
  const cuts = {} as LevelCuts;
  for (const level of AIR_LEVELS) {
    cuts[level] = { ...DEFAULT_CUTS[level], ...(b.minimumCuts?.[level] ?? {}) };
    for (const pol of POLLUTANTS)
      if (cuts[level][pol] < DEFAULT_CUTS[level][pol])
        throw fieldError(
          `body/minimumCuts/${level}/${pol}`,
          `${cuts[level][pol]} % is below the national minimum ${DEFAULT_CUTS[level][pol]} % (a zone may be stricter, never laxer)`,
        );
  }
  const at = deps.clock.now().toISOString();
  const row = tx
    .insert(airZones)
    .values({
      id,
      name: b.name,
      areaIds: [...b.areaIds],
      minimumCuts: cuts,
      linkageLevels: b.linkageLevels ? [...b.linkageLevels] : ['orange', 'red'],
      note: b.note ?? null,
      createdBy: p.keyId,
      createdAt: at,
      updatedAt: at,
      version: 1,
    })
    .returning()
    .get();
  emitReference(tx, deps, 'air_zone.created', `air-zones/${row.id}`, { id: row.id, name: row.name, areaIds: row.areaIds }, p.agencyCode);
  return row;
}

export function getZoneOr404(tx: Tx, id: string): ZoneRow {
  const z = getZone(tx, id);
  if (!z) throw notFound('air zone', id);
  return z;
}

export function listZones(tx: Tx, limit: number, afterId?: string): ZoneRow[] {
  return tx
    .select()
    .from(airZones)
    .where(afterId ? lt(airZones.id, afterId) : undefined)
    .orderBy(desc(airZones.id))
    .limit(limit)
    .all();
}

/** Zones whose areas contain the point. */
export function zonesAt(tx: Tx, deps: Deps, lat: number, lng: number): ZoneRow[] {
  const inside = new Set(
    spatialService(deps)
      .resolve(lat, lng)
      .containing.map((a) => a.id),
  );
  return tx
    .select()
    .from(airZones)
    .all()
    .filter((z) => z.areaIds.some((a) => inside.has(a)));
}

// ------------------------------------------------------------------------- emergency measures

export function getMeasures(tx: Tx, sourceId: string): MeasuresRow | undefined {
  return tx.select().from(emergencyMeasures).where(eq(emergencyMeasures.sourceId, sourceId)).get();
}

export function sourceOr404(tx: Tx, id: string): SourceRow {
  const s = getSource(tx, id);
  if (!s) throw notFound('source', id);
  return s;
}

/**
 * Sets a source's reduction list. Each level's reductions reach that level's minimum cut of each
 * pollutant — the strictest zone containing the source, else the national 10/20/30 % — or 422
 * naming pollutant, level, required and given (the first shortfall; all of them in `shortfalls`).
 */
export function putMeasures(
  tx: Tx,
  deps: Deps,
  p: Principal,
  sourceId: string,
  expected: Expected | undefined,
  b: Static<typeof PutMeasuresBody>,
): MeasuresRow {
  const src = sourceOr404(tx, sourceId);
  assertMaySetMeasures(tx, p, src.agencyCode);
  const cur = getMeasures(tx, sourceId);
  if (cur) checkIfMatch(expected, cur.version, 'emergency measures', sourceId);
  const required = strictestCuts(zonesAt(tx, deps, src.lat, src.lng).map((z) => z.minimumCuts));
  const shortfalls: { level: AirLevel; pollutant: string; required: number; given: number }[] = [];
  for (const level of AIR_LEVELS)
    for (const pol of POLLUTANTS) {
      const given = b.levels[level].reductions[pol];
      if (given < required[level][pol]) shortfalls.push({ level, pollutant: pol, required: required[level][pol], given });
    }
  if (shortfalls.length) {
    const f = shortfalls[0];
    throw unprocessable(
      'emergency-cut-below-minimum',
      `At ${f.level} the measures cut ${f.pollutant} by ${f.given} %; the minimum cut there is ${f.required} %.`,
      { rule: 'emergency-cut-below-minimum', ...f, shortfalls },
    );
  }
  const levels = Object.fromEntries(
    AIR_LEVELS.map((l) => [
      l,
      { measures: b.levels[l].measures.map((m) => ({ type: m.type, description: m.description ?? null })), reductions: { ...b.levels[l].reductions } },
    ]),
  ) as MeasuresRow['levels'];
  const at = deps.clock.now().toISOString();
  const row = cur
    ? tx
        .update(emergencyMeasures)
        .set({ levels, sourceSide: src.side, sourceAgencyCode: src.agencyCode, updatedBy: p.keyId, updatedAt: at, version: cur.version + 1 })
        .where(eq(emergencyMeasures.sourceId, sourceId))
        .returning()
        .get()
    : tx
        .insert(emergencyMeasures)
        .values({ sourceId, sourceSide: src.side, sourceAgencyCode: src.agencyCode, levels, updatedBy: p.keyId, createdAt: at, updatedAt: at, version: 1 })
        .returning()
        .get();
  emitReference(
    tx,
    deps,
    'emergency_measures.set',
    `sources/${sourceId}/emergency-measures`,
    { id: sourceId, sourceAgencyCode: src.agencyCode, version: row.version },
    p.agencyCode,
  );
  return row;
}

// ------------------------------------------------------------------------------------- alerts

function assertLevel(level: AirLevel, aqi: number[], overrideReason: string | undefined) {
  const refusal = checkLevel(level, aqi);
  if (refusal && !overrideReason)
    throw unprocessable('forecast-does-not-support-level', `${refusal.detail} Send overrideReason to issue it anyway (a stricter zone rule).`, {
      rule: refusal.rule,
      reason: refusal.reason,
      level,
      supportedLevel: supportedLevel(aqi),
    });
}

export function issueAlert(tx: Tx, deps: Deps, p: Principal, b: Static<typeof CreateAlertBody>): AlertRow {
  const zone = getZone(tx, b.zoneId);
  if (!zone) throw fieldError('body/zoneId', `zone ${b.zoneId} does not exist`);
  const agencies = zoneAgencies(tx, zone);
  assertMayAlert(tx, p, zone, agencies);
  if (b.expectedEndAt <= b.startsAt) throw fieldError('body/expectedEndAt', `must be after startsAt (${b.startsAt})`);
  const aqi = b.basis.forecastDailyAqi;
  assertLevel(b.level, aqi, b.overrideReason);
  const active = tx
    .select({ id: airAlerts.id })
    .from(airAlerts)
    .where(and(eq(airAlerts.zoneId, zone.id), eq(airAlerts.status, 'active')))
    .get();
  if (active)
    throw conflict('zone-alert-active', `Zone ${zone.name} already has an active alert (${active.id}): change its level or lift it.`, { alertId: active.id });
  const at = deps.clock.now().toISOString();
  const by = p.agencyCode ?? null;
  let row = tx
    .insert(airAlerts)
    .values({
      id: newId(),
      zoneId: zone.id,
      level: b.level,
      status: 'active',
      startsAt: new Date(b.startsAt).toISOString(),
      expectedEndAt: new Date(b.expectedEndAt).toISOString(),
      forecastDailyAqi: [...aqi],
      supportedLevel: supportedLevel(aqi),
      overrideReason: b.overrideReason ?? null,
      issuedByAgencyCode: by,
      operationId: null,
      history: [{ level: b.level, at, byAgencyCode: by, overrideReason: b.overrideReason ?? null }],
      createdBy: p.keyId,
      createdAt: at,
      updatedAt: at,
      version: 1,
    })
    .returning()
    .get();
  if (zone.linkageLevels.includes(b.level)) row = link(tx, deps, row, zone, agencies, by);
  emitAlert(tx, deps, row, agencies, 'air_alert.issued', { supportedLevel: row.supportedLevel, overrideReason: row.overrideReason }, by);
  return row;
}

export function changeAlert(tx: Tx, deps: Deps, p: Principal, id: string, expected: Expected | undefined, b: Static<typeof ChangeAlertBody>): AlertRow {
  const { alert: cur, zone, agencies } = loadAlertFor(tx, p, id);
  assertMayAlert(tx, p, zone, agencies);
  checkIfMatch(expected, cur.version, 'air alert', id);
  if (cur.status === 'lifted') throw conflict('alert-lifted', `Alert ${id} was lifted at ${cur.liftedAt}.`, { alertStatus: cur.status });
  if (b.level === cur.level) throw conflict('alert-level-unchanged', `Alert ${id} is already ${cur.level}.`, { level: cur.level });
  const aqi = b.basis?.forecastDailyAqi ?? cur.forecastDailyAqi;
  assertLevel(b.level, aqi, b.overrideReason);
  const expectedEndAt = b.expectedEndAt ? new Date(b.expectedEndAt).toISOString() : cur.expectedEndAt;
  if (expectedEndAt <= cur.startsAt) throw fieldError('body/expectedEndAt', `must be after startsAt (${cur.startsAt})`);
  const at = deps.clock.now().toISOString();
  const by = p.agencyCode ?? null;
  let row = tx
    .update(airAlerts)
    .set({
      level: b.level,
      forecastDailyAqi: [...aqi],
      supportedLevel: supportedLevel(aqi),
      overrideReason: b.overrideReason ?? null,
      expectedEndAt,
      history: [...cur.history, { level: b.level, at, byAgencyCode: by, overrideReason: b.overrideReason ?? null }],
      updatedAt: at,
      version: cur.version + 1,
    })
    .where(eq(airAlerts.id, id))
    .returning()
    .get();
  if (row.operationId) {
    // Open tasks are re-checked against the new level: its measures replace the old level's.
    recheckLinkedTasks(tx, deps, row.operationId, b.level, (sourceId) => measuresAt(tx, sourceId, b.level), by);
  } else if (zone.linkageLevels.includes(b.level)) row = link(tx, deps, row, zone, agencies, by);
  emitAlert(tx, deps, row, agencies, 'air_alert.changed', { fromLevel: cur.level }, by);
  return row;
}

export function liftAlert(tx: Tx, deps: Deps, p: Principal, id: string, expected: Expected | undefined, b: Static<typeof LiftAlertBody>): AlertRow {
  const { alert: cur, zone, agencies } = loadAlertFor(tx, p, id);
  assertMayAlert(tx, p, zone, agencies);
  checkIfMatch(expected, cur.version, 'air alert', id);
  if (cur.status === 'lifted') throw conflict('alert-lifted', `Alert ${id} was already lifted at ${cur.liftedAt}.`, { alertStatus: cur.status });
  const at = deps.clock.now().toISOString();
  const by = p.agencyCode ?? null;
  const row = tx
    .update(airAlerts)
    .set({ status: 'lifted', liftedAt: at, liftNote: b.note ?? null, updatedAt: at, version: cur.version + 1 })
    .where(eq(airAlerts.id, id))
    .returning()
    .get();
  if (row.operationId) closeLinkedOperation(tx, deps, row.operationId, `重污染天气预警解除（${zone.name}）${b.note ? '：' + b.note : ''}`, by);
  emitAlert(tx, deps, row, agencies, 'air_alert.lifted', {}, by);
  return row;
}

// ------------------------------------------------------------------------------------ linkage

function measuresAt(tx: Tx, sourceId: string, level: AirLevel): string[] {
  return getMeasures(tx, sourceId)?.levels[level].measures.map((m) => m.type) ?? [];
}

/** The agency's team for air work: one with category air, else its first; else up the hierarchy. */
function airTeamOf(tx: Tx, agencyCode: string): string | null {
  for (const code of [agencyCode, ...agencyAncestors(tx, agencyCode).map((a) => a.code)]) {
    const ts = teamsOfAgency(tx, code);
    const t = ts.find((x) => x.categories.includes('air')) ?? ts[0];
    if (t) return t.id;
  }
  return null;
}

/** The zone's listed sources (with a reduction list, inside the zone's areas), ordered by source id, with their lists and places. */
export function listedSources(tx: Tx, deps: Deps, zone: ZoneRow): { source: SourceRow; measures: MeasuresRow; place: Resolution }[] {
  const areaIds = new Set(zone.areaIds);
  const spatial = spatialService(deps);
  const out: { source: SourceRow; measures: MeasuresRow; place: Resolution }[] = [];
  for (const m of tx.select().from(emergencyMeasures).orderBy(emergencyMeasures.sourceId).all()) {
    const s = getSource(tx, m.sourceId);
    if (!s) continue;
    const place = spatial.resolve(s.lat, s.lng);
    if (place.containing.some((a) => areaIds.has(a.id))) out.push({ source: s, measures: m, place });
  }
  return out;
}

/**
 * Linkage (应急联动): a joint operation over the zone's listed sources — a patrol task per source
 * for a team of its side, and a mixed pair (plus a team of the other side's nearest agency) for a
 * source within the joint buffer of the seam (JOINT_BUFFER_METERS, as routing uses).
 */
function link(tx: Tx, deps: Deps, alert: AlertRow, zone: ZoneRow, agencies: string[], by: string | null): AlertRow {
  const level = alert.level;
  const teams = new Map<string, string | null>();
  const teamOf = (agencyCode: string) => {
    if (!teams.has(agencyCode)) teams.set(agencyCode, airTeamOf(tx, agencyCode));
    return teams.get(agencyCode)!;
  };
  const targets: LinkedTarget[] = [];
  for (const { source: s, measures, place } of listedSources(tx, deps, zone)) {
    const own = teamOf(s.agencyCode);
    if (!own) continue;
    const teamIds = [own];
    const other: Side = s.side === 'region' ? 'corps' : 'region';
    const near = place.neighbours.find((n) => n.side === other);
    if (place.joint && near) {
      const t = teamOf(near.agencyCode);
      if (t) teamIds.push(t);
    }
    targets.push({ sourceId: s.id, teamIds, requiredMeasures: measures.levels[level].measures.map((m) => m.type) });
  }
  const lead = by && getAgency(tx, by) ? by : agencies[0];
  const from = chinaDate(new Date(alert.startsAt));
  const to = chinaDate(new Date(alert.expectedEndAt));
  const { op } = openLinkedOperation(tx, deps, {
    airAlertId: alert.id,
    name: `重污染天气应急联动：${zone.name}（${LEVEL_ZH[level]}预警）`,
    leadAgencyCode: lead,
    partnerAgencyCodes: agencies,
    window: { from, to: to < from ? from : to },
    level,
    targets,
    note: `预警 ${alert.id}：巡查清单内污染源应急减排措施落实情况`,
    actorAgencyCode: by,
  });
  return tx.update(airAlerts).set({ operationId: op.id }).where(eq(airAlerts.id, alert.id)).returning().get();
}

const LEVEL_ZH: Record<AirLevel, string> = { yellow: '黄色', orange: '橙色', red: '红色' };

// --------------------------------------------------------------------------------------- list

/** Newest first; only alerts the caller may see (each zone and its agencies read once). */
export function listAlerts(tx: Tx, p: Principal, q: { status?: string; zoneId?: string }, limit: number, after?: { c: string; i: string }) {
  const zones = new Map<string, { zone: ZoneRow; agencies: string[] } | null>();
  const zoneOf = (id: string) => {
    if (!zones.has(id)) {
      const z = getZone(tx, id);
      zones.set(id, z ? { zone: z, agencies: zoneAgencies(tx, z) } : null);
    }
    return zones.get(id)!;
  };
  const status = q.status ? eq(airAlerts.status, q.status as AlertRow['status']) : undefined;
  const zone = q.zoneId ? eq(airAlerts.zoneId, q.zoneId) : undefined;
  return visiblePage(
    (cursor, n) =>
      tx
        .select()
        .from(airAlerts)
        .where(and(status, zone, afterKey(airAlerts.createdAt, airAlerts.id, cursor && { value: cursor.c, id: cursor.i }, 'desc')))
        .orderBy(desc(airAlerts.createdAt), desc(airAlerts.id))
        .limit(n)
        .all(),
    (a) => {
      const z = zoneOf(a.zoneId);
      return !!z && maySeeAlert(tx, p, z.agencies);
    },
    (a) => ({ c: a.createdAt, i: a.id }),
    limit,
    after,
  ).map((a) => ({ alert: a, ...zoneOf(a.zoneId)! }));
}
