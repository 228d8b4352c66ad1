import { Type } from 'typebox';
import { CategorySchema, DateTime, Nullable, SideSchema } from '../http/schemas.js';
import { CATEGORIES } from '../domain/index.js';
import { GEOMETRY_TYPES } from './geojson.js';

/** TypeBox schemas of the reference registry API (hand-written, `typebox` only). */

export const AGENCY_LEVELS = ['autonomous_region', 'prefecture', 'county', 'corps', 'division', 'regiment'] as const;
export type AgencyLevel = (typeof AGENCY_LEVELS)[number];
export const AREA_KINDS = ['jurisdiction', 'grid', 'protected'] as const;
export type AreaKind = (typeof AREA_KINDS)[number];

const Version = Type.Integer({ minimum: 1, description: 'Increases by one on every change; the ETag is "<version>"' });
const Timestamps = {
  createdAt: DateTime('When it was created'),
  updatedAt: DateTime('When it last changed'),
};

// ---- agencies -------------------------------------------------------------------------------

export const AgencyCode = Type.String({
  minLength: 1,
  maxLength: 32,
  pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*$',
  description: 'Agency code: the GB/T 2260 division code on the region side (e.g. 650100); a stable project code for corps units (e.g. XPCC-D8)',
  examples: ['650100'],
});
const AdminCode = Type.String({
  pattern: '^[0-9]{6}$',
  description: 'GB/T 2260 code of the administrative division this agency answers for, e.g. 659001 (石河子市) beside XPCC-D8',
  examples: ['659001'],
});
const AgencyName = Type.String({ minLength: 1, maxLength: 200, description: 'Official name, e.g. 乌鲁木齐市', examples: ['乌鲁木齐市生态环境局'] });
const LevelSchema = Type.Enum(AGENCY_LEVELS, {
  description: 'region side: autonomous_region > prefecture > county; corps side: corps > division > regiment',
});

export const Agency = Type.Object(
  {
    code: AgencyCode,
    name: AgencyName,
    side: SideSchema,
    level: LevelSchema,
    parentCode: Nullable(Type.String({ description: 'Code of the agency above; null at the top of a side' })),
    adminCode: Nullable(AdminCode),
    version: Version,
    ...Timestamps,
  },
  { description: 'An enforcement authority of one side at one level' },
);

export const CreateAgencyBody = Type.Object(
  {
    code: AgencyCode,
    name: AgencyName,
    side: SideSchema,
    level: LevelSchema,
    parentCode: Type.Optional(
      Nullable(Type.String({ minLength: 1, maxLength: 32, description: 'Agency above (same side, higher level); omit or null for the top' })),
    ),
    adminCode: Type.Optional(Nullable(AdminCode)),
  },
  {
    additionalProperties: false,
    examples: [
      { code: '652301', name: '昌吉市', side: 'region', level: 'county', parentCode: '652300' },
      { code: 'XPCC-D8', name: '第八师', side: 'corps', level: 'division', parentCode: 'XPCC', adminCode: '659001' },
    ],
  },
);

export const PatchAgencyBody = Type.Object(
  {
    name: Type.Optional(AgencyName),
    level: Type.Optional(LevelSchema),
    parentCode: Type.Optional(
      Nullable(Type.String({ minLength: 1, maxLength: 32, description: 'New parent (same side, higher level, not below this agency); null = top' })),
    ),
    adminCode: Type.Optional(Nullable(AdminCode)),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description: 'Fields to change; code and side never change',
    examples: [{ name: '乌鲁木齐市生态环境局' }, { parentCode: '652300' }],
  },
);

export const AgencyParams = Type.Object({ code: AgencyCode });

export const AgencyListQuery = Type.Object({
  side: Type.Optional(SideSchema),
  parentCode: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'Only the direct children of this agency' })),
  level: Type.Optional(LevelSchema),
});

// ---- teams ----------------------------------------------------------------------------------

export const TeamId = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
  description: 'Team id: given on create (e.g. team-650100-air) or generated (UUIDv7)',
  examples: ['team-650100-air'],
});
const TeamName = Type.String({ minLength: 1, maxLength: 200, description: 'e.g. 乌鲁木齐市生态环境综合执法支队 大气组' });
const Categories = Type.Array(CategorySchema, {
  minItems: 1,
  maxItems: CATEGORIES.length,
  uniqueItems: true,
  description: 'Complaint/case categories this team handles (1–8, no repeats)',
});

export const Team = Type.Object(
  {
    id: TeamId,
    agencyCode: Type.String({ description: 'Agency the team belongs to' }),
    name: TeamName,
    categories: Categories,
    version: Version,
    ...Timestamps,
  },
  { description: 'A group of inspectors of one agency that receives work' },
);

export const CreateTeamBody = Type.Object(
  {
    id: Type.Optional(TeamId),
    agencyCode: Type.String({ minLength: 1, maxLength: 32, description: 'Agency the team belongs to (must exist)' }),
    name: TeamName,
    categories: Categories,
  },
  {
    additionalProperties: false,
    examples: [{ id: 'team-650100-air', agencyCode: '650100', name: '乌鲁木齐市生态环境综合执法支队 大气组', categories: ['air'] }],
  },
);

export const PatchTeamBody = Type.Object(
  { name: Type.Optional(TeamName), categories: Type.Optional(Categories) },
  {
    additionalProperties: false,
    minProperties: 1,
    description: 'Fields to change; a team stays with its agency (keys are bound to both)',
    examples: [{ categories: ['air', 'noise'] }],
  },
);

export const TeamParams = Type.Object({ id: TeamId });

export const TeamListQuery = Type.Object({
  agencyCode: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'Only teams of this agency' })),
  category: Type.Optional(CategorySchema),
});

// ---- areas ----------------------------------------------------------------------------------

export const AreaId = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
  description: 'Area id: given on create (e.g. area-xpcc-d8) or generated (UUIDv7)',
  examples: ['area-xpcc-d8'],
});
const AreaName = Type.String({ minLength: 1, maxLength: 200, description: 'e.g. 石河子市 (approximate)' });
const KindSchema = Type.Enum(AREA_KINDS, {
  description: 'jurisdiction = 辖区 of an agency; grid = 网格 cell; protected = protected zone (e.g. a lake or reserve)',
});

const SQUARE = [
  [87.58, 43.79],
  [87.66, 43.79],
  [87.66, 43.87],
  [87.58, 43.87],
  [87.58, 43.79],
];

export const Geometry = Type.Object(
  {
    type: Type.Enum(GEOMETRY_TYPES, { description: 'Polygon or MultiPolygon' }),
    coordinates: Type.Array(Type.Unknown(), {
      maxItems: 100_000,
      description:
        'RFC 7946 coordinates, WGS-84 [longitude, latitude]. Polygon: [ring][position][lng, lat]; MultiPolygon: [polygon][ring][position][lng, lat]. ' +
        'The first ring is the exterior, the others holes; each ring has ≥ 4 positions, is closed (first = last) and encloses an area; ' +
        'longitude in [-180, 180], latitude in [-90, 90].',
    }),
  },
  {
    additionalProperties: false,
    description: 'GeoJSON (RFC 7946) Polygon or MultiPolygon geometry',
    examples: [{ type: 'Polygon', coordinates: [SQUARE] }],
  },
);

export const Area = Type.Object(
  {
    id: AreaId,
    name: AreaName,
    side: SideSchema,
    agencyCode: Type.String({ description: 'Agency responsible for this ground (same side)' }),
    kind: KindSchema,
    geometry: Geometry,
    bbox: Type.Array(Type.Number(), { minItems: 4, maxItems: 4, description: 'Bounding box [minLng, minLat, maxLng, maxLat]' }),
    areaSize: Type.Number({ description: 'Planar area in square degrees (for ranking nested areas, not a surface area)' }),
    version: Version,
    ...Timestamps,
  },
  { description: 'A polygon of ground with the side and agency responsible for it' },
);

export const CreateAreaBody = Type.Object(
  {
    id: Type.Optional(AreaId),
    name: AreaName,
    side: SideSchema,
    agencyCode: Type.String({ minLength: 1, maxLength: 32, description: 'Responsible agency (must exist, same side)' }),
    kind: KindSchema,
    geometry: Geometry,
  },
  {
    additionalProperties: false,
    examples: [
      {
        id: 'area-650100-grid-01',
        name: '乌鲁木齐 中心网格 01',
        side: 'region',
        agencyCode: '650100',
        kind: 'grid',
        geometry: { type: 'Polygon', coordinates: [SQUARE] },
      },
    ],
  },
);

export const PatchAreaBody = Type.Object(
  {
    name: Type.Optional(AreaName),
    side: Type.Optional(SideSchema),
    agencyCode: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'New responsible agency (its side must match the area side)' })),
    kind: Type.Optional(KindSchema),
    geometry: Type.Optional(Geometry),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description: 'Fields to change; after the change the area side must equal its agency side',
    examples: [{ name: '乌鲁木齐 中心网格 01（调整）' }, { geometry: { type: 'Polygon', coordinates: [SQUARE] } }],
  },
);

export const AreaParams = Type.Object({ id: AreaId });

export const AreaListQuery = Type.Object({
  side: Type.Optional(SideSchema),
  agencyCode: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'Only areas of this agency' })),
  kind: Type.Optional(KindSchema),
});

export const ImportFeature = Type.Object(
  {
    type: Type.Literal('Feature'),
    id: Type.Optional(Type.Union([Type.String(), Type.Number()], { description: 'GeoJSON feature id (ignored; use properties.id)' })),
    properties: Type.Object(
      {
        id: Type.Optional(AreaId),
        name: AreaName,
        side: SideSchema,
        agencyCode: Type.String({ minLength: 1, maxLength: 32, description: 'Responsible agency (must exist, same side)' }),
        kind: KindSchema,
      },
      { additionalProperties: true, description: 'Area fields; other properties of the source data are ignored' },
    ),
    geometry: Geometry,
    bbox: Type.Optional(Type.Array(Type.Number(), { description: 'Ignored (recomputed)' })),
  },
  { additionalProperties: true, description: 'One area as a GeoJSON Feature' },
);

export const ImportBody = Type.Object(
  {
    type: Type.Literal('FeatureCollection'),
    features: Type.Array(ImportFeature, { minItems: 1, maxItems: 10_000 }),
  },
  {
    additionalProperties: true,
    description: 'GeoJSON FeatureCollection; every feature becomes an area. All are imported in one transaction, or none.',
    examples: [
      {
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: { id: 'area-650100-grid-01', name: '乌鲁木齐 中心网格 01', side: 'region', agencyCode: '650100', kind: 'grid' },
            geometry: { type: 'Polygon', coordinates: [SQUARE] },
          },
        ],
      },
    ],
  },
);

export const ImportQuery = Type.Object({
  upsert: Type.Optional(
    Type.Boolean({
      default: false,
      description: 'true: a feature whose properties.id names an existing area replaces it (version + 1); false: an existing id is an error',
    }),
  ),
});

export const ImportResult = Type.Object(
  {
    imported: Type.Integer({ description: 'Number of areas written' }),
    ids: Type.Array(Type.String(), { description: 'Ids of the areas written, in feature order' }),
  },
  { description: 'Every feature was imported' },
);
