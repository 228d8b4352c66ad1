/** Rows → API shapes. */
import type { Tx } from '../db/client.js';
import { sourceNames } from '../cases/index.js';
import type { AlertRow, MeasuresRow, ZoneRow } from './visibility.js';
import { zoneAgencies } from './visibility.js';
import type { LevelCuts } from './tables.js';

export function zoneView(tx: Tx, z: ZoneRow) {
  return {
    id: z.id,
    name: z.name,
    areaIds: z.areaIds,
    agencyCodes: zoneAgencies(tx, z),
    minimumCuts: z.minimumCuts,
    linkageLevels: z.linkageLevels,
    note: z.note,
    createdAt: z.createdAt,
    updatedAt: z.updatedAt,
    version: z.version,
  };
}

export function measuresView(tx: Tx, m: MeasuresRow, zoneIds: string[], requiredCuts: LevelCuts) {
  return {
    sourceId: m.sourceId,
    sourceName: sourceNames(tx, [m.sourceId]).get(m.sourceId)?.name ?? null,
    sourceSide: m.sourceSide,
    sourceAgencyCode: m.sourceAgencyCode,
    zoneIds,
    requiredCuts,
    levels: m.levels,
    updatedAt: m.updatedAt,
    version: m.version,
  };
}

export function alertView(a: AlertRow, zone: ZoneRow, agencies: string[]) {
  return {
    id: a.id,
    zoneId: a.zoneId,
    zoneName: zone.name,
    level: a.level,
    status: a.status,
    startsAt: a.startsAt,
    expectedEndAt: a.expectedEndAt,
    basis: { forecastDailyAqi: a.forecastDailyAqi },
    supportedLevel: a.supportedLevel,
    overrideReason: a.overrideReason,
    issuedByAgencyCode: a.issuedByAgencyCode,
    agencyCodes: agencies,
    operationId: a.operationId,
    history: a.history,
    liftedAt: a.liftedAt,
    liftNote: a.liftNote,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    version: a.version,
  };
}
