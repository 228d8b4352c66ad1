import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

/** Heavy-pollution alert levels (重污染天气预警), lowest first. */
export const AIR_LEVELS = ['yellow', 'orange', 'red'] as const;
export type AirLevel = (typeof AIR_LEVELS)[number];
export const POLLUTANTS = ['so2', 'nox', 'pm', 'vocs'] as const;
export type Pollutant = (typeof POLLUTANTS)[number];
/** Emergency reduction measures (应急减排措施) a source takes at a level. */
export const EMERGENCY_MEASURES = [
  'stop_process',
  'limit_load',
  'stop_transport',
  'suspend_construction',
  'stop_open_burning',
  'reduce_boiler_output',
  'enhanced_dust_control',
] as const;
export type EmergencyMeasure = (typeof EMERGENCY_MEASURES)[number];
export const ALERT_STATUSES = ['active', 'lifted'] as const;

/** Percent of normal emissions, per pollutant. */
export type Cuts = Record<Pollutant, number>;
export type LevelCuts = Record<AirLevel, Cuts>;

/** A joint-control zone (联防联控区域): areas of both sides that share heavy-pollution alerts. */
export const airZones = sqliteTable('air_zones', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  areaIds: text('area_ids', { mode: 'json' }).$type<string[]>().notNull(),
  /** Minimum cut per level and pollutant (domain.md §4a defaults; a zone may be stricter). */
  minimumCuts: text('minimum_cuts', { mode: 'json' }).$type<LevelCuts>().notNull(),
  /** Levels at which an alert opens a joint operation over the zone's listed sources. */
  linkageLevels: text('linkage_levels', { mode: 'json' }).$type<AirLevel[]>().notNull(),
  note: text('note'),
  createdBy: text('created_by').notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
  version: integer('version').notNull().default(1),
});

export interface LevelMeasures {
  measures: { type: EmergencyMeasure; description: string | null }[];
  reductions: Cuts;
}

/** A source's emergency reduction list (应急减排清单): per level, the measures and the resulting cuts. */
export const emergencyMeasures = sqliteTable('emergency_measures', {
  sourceId: text('source_id').primaryKey(),
  sourceSide: text('source_side', { enum: ['region', 'corps'] }).notNull(),
  sourceAgencyCode: text('source_agency_code').notNull(),
  levels: text('levels', { mode: 'json' }).$type<Record<AirLevel, LevelMeasures>>().notNull(),
  updatedBy: text('updated_by').notNull(),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
  version: integer('version').notNull().default(1),
});

export interface LevelChange {
  level: AirLevel;
  at: string;
  byAgencyCode: string | null;
  overrideReason: string | null;
}

/** A heavy-pollution alert for a zone; `history` lists its levels in order (issue, then each change). */
export const airAlerts = sqliteTable(
  'air_alerts',
  {
    id: text('id').primaryKey(),
    zoneId: text('zone_id')
      .notNull()
      .references(() => airZones.id),
    level: text('level', { enum: AIR_LEVELS }).notNull(),
    status: text('status', { enum: ALERT_STATUSES }).notNull(),
    startsAt: text('starts_at').notNull(),
    expectedEndAt: text('expected_end_at').notNull(),
    forecastDailyAqi: text('forecast_daily_aqi', { mode: 'json' }).$type<number[]>().notNull(),
    /** The highest level the forecast supports by the national rule (null: none). */
    supportedLevel: text('supported_level', { enum: AIR_LEVELS }),
    overrideReason: text('override_reason'),
    issuedByAgencyCode: text('issued_by_agency_code'),
    operationId: text('operation_id'),
    history: text('history', { mode: 'json' }).$type<LevelChange[]>().notNull(),
    liftedAt: text('lifted_at'),
    liftNote: text('lift_note'),
    createdBy: text('created_by').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    version: integer('version').notNull().default(1),
  },
  (t) => [index('air_alerts_created').on(t.createdAt, t.id), index('air_alerts_zone').on(t.zoneId, t.status)],
);
