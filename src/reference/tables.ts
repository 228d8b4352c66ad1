import { sqliteTable, text, real, integer, index } from 'drizzle-orm/sqlite-core';

export const agencies = sqliteTable(
  'agencies',
  {
    code: text('code').primaryKey(),
    name: text('name').notNull(),
    side: text('side', { enum: ['region', 'corps'] }).notNull(),
    level: text('level', { enum: ['autonomous_region', 'prefecture', 'county', 'corps', 'division', 'regiment'] }).notNull(),
    parentCode: text('parent_code'),
    adminCode: text('admin_code'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    version: integer('version').notNull().default(1),
  },
  (t) => [index('agencies_parent').on(t.parentCode), index('agencies_side').on(t.side)],
);

export const teams = sqliteTable(
  'teams',
  {
    id: text('id').primaryKey(),
    agencyCode: text('agency_code')
      .notNull()
      .references(() => agencies.code),
    name: text('name').notNull(),
    /** JSON array of categories this team handles. */
    categories: text('categories', { mode: 'json' }).$type<string[]>().notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    version: integer('version').notNull().default(1),
  },
  (t) => [index('teams_agency').on(t.agencyCode)],
);

export const areas = sqliteTable(
  'areas',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    side: text('side', { enum: ['region', 'corps'] }).notNull(),
    agencyCode: text('agency_code')
      .notNull()
      .references(() => agencies.code),
    kind: text('kind', { enum: ['jurisdiction', 'grid', 'protected'] }).notNull(),
    /** GeoJSON Polygon or MultiPolygon (RFC 7946). */
    geometry: text('geometry', { mode: 'json' }).$type<{ type: 'Polygon' | 'MultiPolygon'; coordinates: unknown }>().notNull(),
    /** Bounding box and planar area (deg²) kept for the spatial index and "smaller wins". */
    minLng: real('min_lng').notNull(),
    minLat: real('min_lat').notNull(),
    maxLng: real('max_lng').notNull(),
    maxLat: real('max_lat').notNull(),
    areaSize: real('area_size').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    version: integer('version').notNull().default(1),
  },
  (t) => [index('areas_agency').on(t.agencyCode), index('areas_created').on(t.createdAt, t.id)],
);
