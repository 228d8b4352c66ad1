import { envSchema } from 'env-schema';
import { Type, type Static } from 'typebox';
import { existsSync } from 'node:fs';

/**
 * Environment → typed config, validated once at the edge (env-schema / ajv).
 * Nothing else in the code reads process.env.
 */
const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.Optional(Type.String({ minLength: 1 })),
  DATABASE_PATH: Type.String({ minLength: 1, default: './data/enforcement.db' }),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  REDIS_PREFIX: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9_-]+$', default: 'enf' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  ADMIN_API_KEY: Type.Optional(Type.String({ minLength: 32 })),
  SEED_DEMO: Type.Boolean({ default: false }),
  WORKERS: Type.Union([Type.Literal('on'), Type.Literal('off')], { default: 'on' }),
  PUBLIC_BASE_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  TRUST_PROXY: Type.Optional(Type.String({ minLength: 1, pattern: '^[0-9A-Fa-f:.,/ ]+$' })),
  CORS_ORIGINS: Type.Optional(Type.String({ minLength: 1, pattern: '^(\\*|https?://[^,\\s]+(\\s*,\\s*https?://[^,\\s]+)*)$' })),
  PII_KEY: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{64}$' })),
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 32 })),
  STREAM_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 5, maximum: 3600, default: 60 }),
  BACKUP_DIR: Type.Optional(Type.String({ minLength: 1 })),
  BACKUP_INTERVAL_MINUTES: Type.Integer({ minimum: 0, maximum: 525_600, default: 0 }),
  BACKUP_KEEP: Type.Integer({ minimum: 1, maximum: 10_000, default: 7 }),
  JOINT_BUFFER_METERS: Type.Number({ minimum: 0, maximum: 100_000, default: 1000 }),
  DEDUP_RADIUS_METERS: Type.Number({ minimum: 0, maximum: 100_000, default: 500 }),
  DEDUP_WINDOW_HOURS: Type.Number({ minimum: 0, maximum: 24 * 365, default: 72 }),
  ASSIGNMENT_CLAIM_HOURS: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 365, default: 24 }),
  COMPLAINT_ACCEPT_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 15 }),
  COMPLAINT_REPLY_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 60 }),
  COMPLAINT_EXTENSION_MAX_DAYS: Type.Integer({ minimum: 0, maximum: 365, default: 30 }),
  COMPLAINT_AUTO_CLOSE_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 15 }),
  FILING_FINE_THRESHOLD_FEN: Type.Integer({ minimum: 0, default: 10_000_000 }),
  FILING_ACK_DAYS: Type.Number({ exclusiveMinimum: 0, maximum: 365, default: 3 }),
  FILING_ESCALATE_DAYS: Type.Number({ exclusiveMinimum: 0, maximum: 365, default: 7 }),
  INSPECTION_PUBLICATION_WORKING_DAYS: Type.Integer({ minimum: 1, maximum: 250, default: 20 }),
  RECTIFICATION_NOTICE_DAYS: Type.Integer({ minimum: 1, maximum: 90, default: 5 }),
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: Type.Boolean({ default: false }),
  GROUP_COMMIT: Type.Boolean({ default: true }),
  REPLAY_MAX_EVENTS: Type.Integer({ minimum: 1, default: 10_000 }),
  DELIVERY_PER_SUBSCRIPTION: Type.Integer({ minimum: 1, default: 4 }),
  EVENTS_HEARTBEAT_MS: Type.Integer({ minimum: 10, maximum: 3_600_000, default: 15_000 }),
  EVENTS_STREAM_MAX_BUFFER_BYTES: Type.Integer({ minimum: 1024, default: 1_048_576 }),
  RECONCILE_GRACE_MS: Type.Integer({ minimum: 0, maximum: 86_400_000, default: 5_000 }),
  PUBLIC_LOOKUP_RATE_PER_MINUTE: Type.Integer({ minimum: 1, default: 30 }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 1_048_576 }),
  AREA_IMPORT_BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 16_777_216 }),
  // Case registry legal limits (shared/domain.md §2–3); (unverified) ones are configurable by design.
  CASE_DECISION_DAYS: Type.Integer({ minimum: 1, maximum: 3650, default: 90 }),
  CASE_EXTENSION_DAYS: Type.Integer({ minimum: 0, maximum: 365, default: 30 }),
  CASE_SECOND_EXTENSION_DAYS: Type.Integer({ minimum: 0, maximum: 365, default: 30 }),
  DAILY_PENALTY_REINSPECTION_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 30 }),
  /** 行政处罚法 art. 63: a fine this large needs a hearing-rights notice first (province-set; default ¥100,000, unverified for Xinjiang). */
  HEARING_FINE_THRESHOLD_FEN: Type.Integer({ minimum: 1, default: 10_000_000 }),
  SEAL_SEIZURE_MAX_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 30 }),
  SEAL_SEIZURE_EXTENSION_DAYS: Type.Integer({ minimum: 0, maximum: 365, default: 30 }),
  PRODUCTION_RESTRICTION_MAX_MONTHS: Type.Integer({ minimum: 1, maximum: 120, default: 3 }),
  PRODUCTION_RESTRICTION_EXTENSION_MONTHS: Type.Integer({ minimum: 0, maximum: 120, default: 3 }),
  RECTIFICATION_PLAN_WORKING_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 15 }),
  POLICE_CRIMINAL_MATERIALS_HOURS: Type.Number({ exclusiveMinimum: 0, maximum: 8760, default: 24 }),
  POLICE_DETENTION_MATERIALS_HOURS: Type.Number({ exclusiveMinimum: 0, maximum: 8760, default: 24 }),
});

type Env = Static<typeof EnvSchema>;

export interface Config {
  port: number;
  host: string;
  databasePath: string;
  redisUrl?: string;
  redisPrefix: string;
  logLevel: Env['LOG_LEVEL'];
  adminApiKey?: string;
  seedDemo: boolean;
  workers: boolean;
  publicBaseUrl: string;
  /** Proxy addresses/CIDRs whose X-Forwarded-For is believed (rate limits and logs see the client); false = none. */
  trustProxy: string[] | false;
  /** Browser origins allowed by CORS (`*` = any); none by default. */
  corsOrigins: string[];
  piiKey?: string;
  /** Bearer token Prometheus sends to GET /metrics; unset = admin keys only. */
  metricsToken?: string;
  /** Lifetime of a single-use stream token (POST /v1/events/stream-tokens). */
  streamTokenTtlSeconds: number;
  /** Where scheduled backups go (unset: no scheduled backups; on-demand ones need a path or this). */
  backupDir?: string;
  /** Minutes between scheduled backups; 0 = none. */
  backupIntervalMinutes: number;
  /** Backups kept in BACKUP_DIR (oldest removed first). */
  backupKeep: number;
  jointBufferMeters: number;
  dedupRadiusMeters: number;
  dedupWindowHours: number;
  assignmentClaimHours: number;
  complaintAcceptDays: number;
  complaintReplyDays: number;
  complaintExtensionMaxDays: number;
  complaintAutoCloseDays: number;
  filingFineThresholdFen: number;
  filingAckDays: number;
  filingEscalateDays: number;
  /** Random-inspection results are published within this many working days of the inspection (国发〔2019〕5号; unverified, configurable). */
  inspectionPublicationWorkingDays: number;
  /** Days a signed-off rectification task stays in public notice (公示) before it is closed off. */
  rectificationNoticeDays: number;
  webhookAllowPrivateNetworks: boolean;
  /** Complaint creates of one event-loop turn share one commit (inGroupTx). */
  groupCommit: boolean;
  replayMaxEvents: number;
  /**
   * Webhook sends in flight at once per subscription (per process): a hanging receiver sent many
   * subjects holds at most this many delivery slots; the rest of its deliveries wait their turn.
   */
  deliveryPerSubscription: number;
  /** SSE heartbeat comment interval (GET /v1/events/stream). */
  eventsHeartbeatMs: number;
  /** A stream client whose unsent bytes exceed this is dropped (it resumes with Last-Event-ID). */
  eventsStreamMaxBufferBytes: number;
  /**
   * Redis mode: derived work younger than this (by the injected clock) is left to the relay and
   * the workers; older and neither recorded done nor held by Redis, the reconciler re-adds it.
   */
  reconcileGraceMs: number;
  publicLookupRatePerMinute: number;
  bodyLimitBytes: number;
  /** Body limit of POST /v1/areas/import (real boundary files are large). */
  areaImportBodyLimitBytes: number;
  /** Case registry legal limits (src/cases/limits.ts names the rules). */
  caseLimits: {
    decisionDays: number;
    extensionDays: number;
    secondExtensionDays: number;
    dailyPenaltyReinspectionDays: number;
    /** A fine at or above this (fen) needs a recorded hearing-rights notice first (行政处罚法 art. 63). */
    hearingFineThresholdFen: number;
    sealSeizureMaxDays: number;
    sealSeizureExtensionDays: number;
    restrictionMaxMonths: number;
    restrictionExtensionMonths: number;
    rectificationPlanWorkingDays: number;
    policeCriminalMaterialsHours: number;
    policeDetentionMaterialsHours: number;
  };
}

export class ConfigError extends Error {}

/** Where the service is reached when PUBLIC_BASE_URL is not set: its own host and port. */
function defaultBaseUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}

/** Parses an environment map; throws ConfigError whose message is one line naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const data = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in EnvSchema.properties && v !== ''));
  let e: Env;
  try {
    // Only the given map (env: false): an empty variable means unset, and process.env is not read twice.
    e = envSchema<Env>({ schema: EnvSchema as object, data, dotenv: false, env: false });
  } catch (err) {
    const ajvErrors = (err as { errors?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] }).errors;
    const first = ajvErrors?.[0];
    const name = first ? first.instancePath.replace(/^\//, '') || String(first.params?.missingProperty ?? '') : '';
    throw new ConfigError(name ? `invalid configuration: ${name} ${first?.message ?? 'is invalid'}` : `invalid configuration: ${(err as Error).message}`);
  }
  const inContainer = existsSync('/.dockerenv') && env.NODE_ENV === 'production';
  return {
    port: e.PORT,
    host: e.HOST ?? (inContainer ? '0.0.0.0' : '127.0.0.1'),
    databasePath: e.DATABASE_PATH,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    logLevel: e.LOG_LEVEL,
    adminApiKey: e.ADMIN_API_KEY,
    seedDemo: e.SEED_DEMO,
    workers: e.WORKERS === 'on',
    publicBaseUrl: e.PUBLIC_BASE_URL ?? defaultBaseUrl(e.HOST ?? (inContainer ? '0.0.0.0' : '127.0.0.1'), e.PORT),
    trustProxy: e.TRUST_PROXY
      ? e.TRUST_PROXY.split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : false,
    corsOrigins: e.CORS_ORIGINS ? e.CORS_ORIGINS.split(',').map((s) => s.trim()) : [],
    piiKey: e.PII_KEY,
    metricsToken: e.METRICS_TOKEN,
    streamTokenTtlSeconds: e.STREAM_TOKEN_TTL_SECONDS,
    backupDir: e.BACKUP_DIR,
    backupIntervalMinutes: e.BACKUP_INTERVAL_MINUTES,
    backupKeep: e.BACKUP_KEEP,
    jointBufferMeters: e.JOINT_BUFFER_METERS,
    dedupRadiusMeters: e.DEDUP_RADIUS_METERS,
    dedupWindowHours: e.DEDUP_WINDOW_HOURS,
    assignmentClaimHours: e.ASSIGNMENT_CLAIM_HOURS,
    complaintAcceptDays: e.COMPLAINT_ACCEPT_DAYS,
    complaintReplyDays: e.COMPLAINT_REPLY_DAYS,
    complaintExtensionMaxDays: e.COMPLAINT_EXTENSION_MAX_DAYS,
    complaintAutoCloseDays: e.COMPLAINT_AUTO_CLOSE_DAYS,
    filingFineThresholdFen: e.FILING_FINE_THRESHOLD_FEN,
    filingAckDays: e.FILING_ACK_DAYS,
    filingEscalateDays: e.FILING_ESCALATE_DAYS,
    inspectionPublicationWorkingDays: e.INSPECTION_PUBLICATION_WORKING_DAYS,
    rectificationNoticeDays: e.RECTIFICATION_NOTICE_DAYS,
    webhookAllowPrivateNetworks: e.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
    groupCommit: e.GROUP_COMMIT,
    replayMaxEvents: e.REPLAY_MAX_EVENTS,
    deliveryPerSubscription: e.DELIVERY_PER_SUBSCRIPTION,
    eventsHeartbeatMs: e.EVENTS_HEARTBEAT_MS,
    eventsStreamMaxBufferBytes: e.EVENTS_STREAM_MAX_BUFFER_BYTES,
    reconcileGraceMs: e.RECONCILE_GRACE_MS,
    publicLookupRatePerMinute: e.PUBLIC_LOOKUP_RATE_PER_MINUTE,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    areaImportBodyLimitBytes: e.AREA_IMPORT_BODY_LIMIT_BYTES,
    caseLimits: {
      decisionDays: e.CASE_DECISION_DAYS,
      extensionDays: e.CASE_EXTENSION_DAYS,
      secondExtensionDays: e.CASE_SECOND_EXTENSION_DAYS,
      dailyPenaltyReinspectionDays: e.DAILY_PENALTY_REINSPECTION_DAYS,
      hearingFineThresholdFen: e.HEARING_FINE_THRESHOLD_FEN,
      sealSeizureMaxDays: e.SEAL_SEIZURE_MAX_DAYS,
      sealSeizureExtensionDays: e.SEAL_SEIZURE_EXTENSION_DAYS,
      restrictionMaxMonths: e.PRODUCTION_RESTRICTION_MAX_MONTHS,
      restrictionExtensionMonths: e.PRODUCTION_RESTRICTION_EXTENSION_MONTHS,
      rectificationPlanWorkingDays: e.RECTIFICATION_PLAN_WORKING_DAYS,
      policeCriminalMaterialsHours: e.POLICE_CRIMINAL_MATERIALS_HOURS,
      policeDetentionMaterialsHours: e.POLICE_DETENTION_MATERIALS_HOURS,
    },
  };
}
