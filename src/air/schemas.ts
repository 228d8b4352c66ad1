import { Type } from 'typebox';
import { DateTime, Nullable, SideSchema } from '../http/schemas.js';
import { PageQuery } from '../http/pagination.js';
import { AIR_LEVELS, ALERT_STATUSES, EMERGENCY_MEASURES } from './tables.js';

/** TypeBox schemas of heavy-pollution weather (重污染天气): zones, reduction lists, alerts. */

const Id = (description: string, example: string) => Type.String({ minLength: 1, maxLength: 64, description, examples: [example] });
const ALERT_ID = '01a23187-e5ef-7582-93ce-33c9d6951b71';

export const IdParams = Type.Object({ id: Id('Id', ALERT_ID) });
export const SourceParams = Type.Object({ id: Id('Pollution source id', 'src-652301-01') });

export const LevelSchema = Type.Enum(AIR_LEVELS, { description: 'Alert level: yellow (黄色), orange (橙色), red (红色)' });
export const MeasureTypeSchema = Type.Enum(EMERGENCY_MEASURES, {
  description:
    'Emergency measure (应急减排措施): stop_process 停产/停工序, limit_load 限产/限负荷, stop_transport 停止大宗物料运输, suspend_construction 停止土石方/拆除作业, stop_open_burning 禁止露天焚烧, reduce_boiler_output 锅炉降负荷, enhanced_dust_control 强化扬尘管控',
});

const Percent = (description: string, example: number) => Type.Number({ minimum: 0, maximum: 100, description, examples: [example] });
const CutsSchema = (description: string, e: number) =>
  Type.Object(
    {
      so2: Percent('SO₂, % of normal emissions', e),
      nox: Percent('NOx, % of normal emissions', e),
      pm: Percent('Particulate matter (颗粒物), % of normal emissions', e),
      vocs: Percent('VOCs, % of normal emissions', e),
    },
    { additionalProperties: false, description },
  );
const PartialCuts = (description: string, e: number) => Type.Partial(CutsSchema(description, e));

// ------------------------------------------------------------------------------------- zones

export const CreateZoneBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, description: '区域名称', examples: ['乌—昌—石'] }),
    areaIds: Type.Array(Id('Area id', 'area-650100'), {
      minItems: 1,
      maxItems: 100,
      uniqueItems: true,
      description: 'Areas of both sides in the zone; their agencies (and those below) are the zone’s agencies',
    }),
    minimumCuts: Type.Optional(
      Type.Object(
        {
          yellow: Type.Optional(PartialCuts('Yellow (default 10 % of each pollutant)', 10)),
          orange: Type.Optional(PartialCuts('Orange (default 20 %)', 20)),
          red: Type.Optional(PartialCuts('Red (default 30 %)', 30)),
        },
        {
          additionalProperties: false,
          description: 'Minimum cuts a listed source’s measures must reach per level (a zone may be stricter than the national defaults, never laxer)',
        },
      ),
    ),
    linkageLevels: Type.Optional(
      Type.Array(LevelSchema, { maxItems: 3, uniqueItems: true, description: 'Levels at which an alert opens a joint operation (default orange, red)' }),
    ),
    note: Type.Optional(Nullable(Type.String({ maxLength: 2000, description: '备注', examples: ['兵地联防联控重点区域'] }))),
  },
  { additionalProperties: false },
);

export const ZoneSchema = Type.Object(
  {
    id: Type.String({ examples: ['zone-wu-chang-shi'] }),
    name: Type.String({ description: '区域名称', examples: ['乌—昌—石'] }),
    areaIds: Type.Array(Type.String({ examples: ['area-650100'] })),
    agencyCodes: Type.Array(Type.String({ examples: ['XPCC-D8'] }), { description: 'Agencies of both sides in the zone (of its areas, and below them)' }),
    minimumCuts: Type.Object(
      { yellow: CutsSchema('Yellow', 10), orange: CutsSchema('Orange', 20), red: CutsSchema('Red', 30) },
      { description: 'Minimum cut per level and pollutant' },
    ),
    linkageLevels: Type.Array(LevelSchema),
    note: Nullable(Type.String({ description: '备注', examples: ['兵地联防联控重点区域'] })),
    createdAt: DateTime(),
    updatedAt: DateTime(),
    version: Type.Integer(),
  },
  { $id: 'AirZone', description: 'A joint-control zone (联防联控区域) of both sides' },
);

export const ZoneQuery = Type.Object({ ...PageQuery });

// ----------------------------------------------------------------------- emergency measures

const LevelMeasuresSchema = (description: string, e: number) =>
  Type.Object(
    {
      measures: Type.Array(
        Type.Object(
          {
            type: MeasureTypeSchema,
            description: Type.Optional(Nullable(Type.String({ maxLength: 500, description: '措施说明', examples: ['2号熟料生产线停窑'] }))),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: 20, description: 'The measures taken at this level' },
      ),
      reductions: CutsSchema('Resulting reduction of each pollutant, % of normal emissions', e),
    },
    { additionalProperties: false, description },
  );

export const PutMeasuresBody = Type.Object(
  {
    levels: Type.Object(
      { yellow: LevelMeasuresSchema('Yellow alert', 10), orange: LevelMeasuresSchema('Orange alert', 20), red: LevelMeasuresSchema('Red alert', 30) },
      {
        additionalProperties: false,
        description: 'Per level; each level’s reductions reach that level’s minimum cut (strictest zone containing the source; else 10/20/30 %) — else 422',
      },
    ),
  },
  { additionalProperties: false },
);

export const MeasuresSchema = Type.Object(
  {
    sourceId: Type.String({ examples: ['src-652301-01'] }),
    sourceName: Nullable(Type.String({ description: '单位名称', examples: ['昌吉示例热电有限公司'] })),
    sourceSide: SideSchema,
    sourceAgencyCode: Type.String({ examples: ['652301'] }),
    zoneIds: Type.Array(Type.String({ examples: ['zone-wu-chang-shi'] }), { description: 'Zones whose areas contain the source' }),
    requiredCuts: Type.Object(
      { yellow: CutsSchema('Yellow', 10), orange: CutsSchema('Orange', 20), red: CutsSchema('Red', 30) },
      { description: 'The minimum cuts that apply (the strictest zone containing it)' },
    ),
    levels: PutMeasuresBody.properties.levels,
    updatedAt: DateTime(),
    version: Type.Integer(),
  },
  { $id: 'EmergencyMeasures', description: 'A source’s emergency reduction list (应急减排清单)' },
);

// ------------------------------------------------------------------------------------ alerts

const Forecast = Type.Object(
  {
    forecastDailyAqi: Type.Array(Type.Integer({ minimum: 0, maximum: 1000, examples: [260] }), {
      minItems: 1,
      maxItems: 15,
      description: 'Forecast daily mean AQI, one per day from the start (24 h rolling)',
      examples: [[230, 320, 280]],
    }),
  },
  { additionalProperties: false, description: 'The forecast the level rests on' },
);

const OverrideReason = Type.Optional(
  Type.String({
    minLength: 1,
    maxLength: 2000,
    description: 'When the forecast does not meet the national rule for the level: why the zone issues it anyway (stricter local trigger); recorded',
    examples: ['区域应急预案规定：PM2.5日均浓度连续两日超过150微克/立方米即启动橙色预警'],
  }),
);

export const CreateAlertBody = Type.Object(
  {
    zoneId: Id('Zone', 'zone-wu-chang-shi'),
    level: LevelSchema,
    startsAt: DateTime('When the alert takes effect (usually about 24 h after issue)'),
    expectedEndAt: DateTime('Expected end; after startsAt'),
    basis: Forecast,
    overrideReason: OverrideReason,
  },
  { additionalProperties: false },
);

export const ChangeAlertBody = Type.Object(
  {
    level: LevelSchema,
    basis: Type.Optional(Forecast),
    expectedEndAt: Type.Optional(DateTime('New expected end')),
    overrideReason: OverrideReason,
  },
  { additionalProperties: false },
);

export const LiftAlertBody = Type.Object(
  { note: Type.Optional(Type.String({ maxLength: 2000, description: '解除说明', examples: ['气象条件好转，解除预警'] })) },
  { additionalProperties: false },
);

export const AlertSchema = Type.Object(
  {
    id: Type.String({ examples: [ALERT_ID] }),
    zoneId: Type.String({ examples: ['zone-wu-chang-shi'] }),
    zoneName: Type.String({ examples: ['乌—昌—石'] }),
    level: LevelSchema,
    status: Type.Enum(ALERT_STATUSES, { description: 'active; lifted (解除)' }),
    startsAt: DateTime(),
    expectedEndAt: DateTime(),
    basis: Forecast,
    supportedLevel: Nullable(LevelSchema),
    overrideReason: Nullable(Type.String({ description: 'Recorded reason for a level above what the forecast supports', examples: ['区域应急预案更严格'] })),
    issuedByAgencyCode: Nullable(Type.String({ examples: ['650100'] })),
    agencyCodes: Type.Array(Type.String({ examples: ['XPCC-D8'] }), { description: 'Agencies of both sides notified' }),
    operationId: Nullable(Type.String({ description: 'The joint operation opened by linkage (应急联动)', examples: [ALERT_ID] })),
    history: Type.Array(
      Type.Object({
        level: LevelSchema,
        at: DateTime(),
        byAgencyCode: Nullable(Type.String({ examples: ['650100'] })),
        overrideReason: Nullable(Type.String({ examples: ['区域应急预案更严格'] })),
      }),
      { description: 'Issue and each change, in order' },
    ),
    liftedAt: Nullable(DateTime()),
    liftNote: Nullable(Type.String({ examples: ['气象条件好转，解除预警'] })),
    createdAt: DateTime(),
    updatedAt: DateTime(),
    version: Type.Integer(),
  },
  { $id: 'AirAlert', description: 'A heavy-pollution weather alert (重污染天气预警) for a zone' },
);

export const AlertQuery = Type.Object({
  status: Type.Optional(Type.Enum(ALERT_STATUSES, { description: 'Only alerts in this status' })),
  zoneId: Type.Optional(Id('Only alerts of this zone', 'zone-wu-chang-shi')),
  ...PageQuery,
});
