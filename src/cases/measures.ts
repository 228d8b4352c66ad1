/** Enforcement measures: per-type fields, legal limits (limits.ts) and computed values. */
import type { Static } from 'typebox';
import type { Tx } from '../db/client.js';
import type { Limits } from './limits.js';
import {
  RULES,
  dailyPenalty,
  limitBreached,
  policeTransfer,
  productionRestriction,
  productionRestrictionExtension,
  rectificationPlanDueOn,
  sealSeizure,
  sealSeizureExtension,
} from './limits.js';
import { conflict, fieldError, notFound } from '../http/problem.js';
import { getAgency, isAbove } from '../reference/hierarchy.js';
import type { CreateMeasureBody } from './schemas.js';
import type { CaseStatus, MeasureType, caseMeasures } from './tables.js';

export type MeasureBody = Static<typeof CreateMeasureBody>;
export type MeasureRow = typeof caseMeasures.$inferSelect;

/** Type-specific fields: required, then optional. `legalBasis` and `description` are common. */
const FIELDS: Record<MeasureType, { required: (keyof MeasureBody)[]; optional?: (keyof MeasureBody)[] }> = {
  warning: { required: [] },
  fine: { required: ['amountFen', 'legalBasis'] },
  daily_penalty: { required: ['originalFineFen', 'correctionServedOn', 'reinspectedOn'] },
  seal_seizure: { required: ['startsOn', 'endsOn'] },
  production_restriction: { required: ['startsOn', 'endsOn'] },
  production_suspension: { required: ['servedOn'] },
  police_transfer: { required: ['transferKind', 'decidedAt', 'transferredAt', 'receivingBureau'] },
  listed_supervision: { required: ['supervisingAgencyCode', 'deadline'] },
  hearing_notice: { required: ['servedOn'] },
};
const COMMON: (keyof MeasureBody)[] = ['type', 'legalBasis', 'description'];

/** Types that run over time and can be lifted; the others are one-off decisions. */
export const LIFTABLE: readonly MeasureType[] = ['seal_seizure', 'production_restriction', 'production_suspension', 'listed_supervision'];
export const EXTENDABLE: readonly MeasureType[] = ['seal_seizure', 'production_restriction'];

export interface BuiltMeasure {
  amountFen: number | null;
  legalBasis: string | null;
  details: Record<string, unknown>;
}

/**
 * Checks the fields of a new measure and its legal limit; returns what is stored. 400 for a field
 * that is missing or does not belong to the type, 404 for an unknown supervising agency, 422
 * (naming the rule and the limit) when a legal limit is exceeded.
 */
export function buildMeasure(tx: Tx, b: MeasureBody, ctx: { leadAgencyCode: string; today: string; limits: Limits }): BuiltMeasure {
  const spec = FIELDS[b.type];
  const allowed = new Set<string>([...COMMON, ...spec.required, ...(spec.optional ?? [])]);
  for (const k of Object.keys(b) as (keyof MeasureBody)[]) {
    if (b[k] !== undefined && !allowed.has(k)) throw fieldError(`body/${k}`, `is not a field of a ${b.type} measure`);
  }
  for (const k of spec.required) if (b[k] === undefined) throw fieldError(`body/${k}`, `is required for a ${b.type} measure`);
  const description = b.description ?? null;
  const base = { description };
  const L = ctx.limits;
  switch (b.type) {
    case 'warning':
      return { amountFen: null, legalBasis: b.legalBasis ?? null, details: base };
    case 'fine':
      return { amountFen: b.amountFen!, legalBasis: b.legalBasis!, details: base };
    case 'daily_penalty': {
      const input = { originalFineFen: b.originalFineFen!, correctionServedOn: b.correctionServedOn!, reinspectedOn: b.reinspectedOn! };
      const { days, totalFen } = dailyPenalty(input, L);
      return { amountFen: totalFen, legalBasis: b.legalBasis ?? null, details: { ...base, ...input, days, totalFen } };
    }
    case 'seal_seizure': {
      const { durationDays } = sealSeizure({ startsOn: b.startsOn!, endsOn: b.endsOn! }, L);
      return {
        amountFen: null,
        legalBasis: b.legalBasis ?? null,
        details: { ...base, startsOn: b.startsOn, endsOn: b.endsOn, originalEndsOn: b.endsOn, durationDays },
      };
    }
    case 'production_restriction': {
      const { durationDays } = productionRestriction({ startsOn: b.startsOn!, endsOn: b.endsOn! }, L);
      return {
        amountFen: null,
        legalBasis: b.legalBasis ?? null,
        details: { ...base, startsOn: b.startsOn, endsOn: b.endsOn, originalEndsOn: b.endsOn, durationDays },
      };
    }
    case 'production_suspension':
      return {
        amountFen: null,
        legalBasis: b.legalBasis ?? null,
        details: { ...base, servedOn: b.servedOn, rectificationPlanDueOn: rectificationPlanDueOn(b.servedOn!, L) },
      };
    case 'police_transfer': {
      const input = { transferKind: b.transferKind!, decidedAt: b.decidedAt!, transferredAt: b.transferredAt! };
      const { materialsDueAt } = policeTransfer(input, L);
      return { amountFen: null, legalBasis: b.legalBasis ?? null, details: { ...base, ...input, receivingBureau: b.receivingBureau, materialsDueAt } };
    }
    case 'hearing_notice':
      return { amountFen: null, legalBasis: b.legalBasis ?? '行政处罚法 第六十三条、第六十四条', details: { ...base, servedOn: b.servedOn } };
    case 'listed_supervision': {
      const sup = b.supervisingAgencyCode!;
      if (!getAgency(tx, sup)) throw notFound('agency', sup);
      if (!isAbove(tx, sup, ctx.leadAgencyCode))
        throw limitBreached(RULES.listedSupervisionAbove, 'an agency above the lead agency', `${sup} is not above the lead agency ${ctx.leadAgencyCode}`);
      if (b.deadline! <= ctx.today) throw fieldError('body/deadline', `must be after today (${ctx.today})`);
      return { amountFen: null, legalBasis: b.legalBasis ?? null, details: { ...base, supervisingAgencyCode: sup, deadline: b.deadline } };
    }
  }
}

/**
 * Penalties (fines, daily continuous penalties) are decided after investigation, the notice of the
 * intended penalty and the party's statement (行政处罚法 (2021) arts. 44–45, 57): only once the case
 * is at `pending_decision` or later (`decided`, `executing`; a suspended case counts where it
 * was suspended from). Compulsory measures (seal/seizure, production restriction/suspension) and
 * the others stay possible during investigation.
 */
export const PENALTIES: readonly MeasureType[] = ['fine', 'daily_penalty'];
export const PENALTY_STAGES: readonly CaseStatus[] = ['pending_decision', 'decided', 'executing'];

export function checkPenaltyStage(type: MeasureType, c: { number: string; status: CaseStatus; suspendedFrom: CaseStatus | null }): void {
  if (!PENALTIES.includes(type)) return;
  const stage = c.status === 'suspended' ? (c.suspendedFrom ?? c.status) : c.status;
  if (PENALTY_STAGES.includes(stage)) return;
  throw conflict(
    'penalty-stage',
    `${RULES.penaltyStage.name}: a ${type} is decided only once case ${c.number} is at ${PENALTY_STAGES.join(', ')}; it is ${c.status} (${RULES.penaltyStage.source}).`,
    { rule: RULES.penaltyStage.name, source: RULES.penaltyStage.source, caseStatus: c.status, allowedStatuses: PENALTY_STAGES },
  );
}

/**
 * A fine at or above the hearing threshold (HEARING_FINE_THRESHOLD_FEN, province-set) needs the
 * party to have been told of its right to a hearing first (行政处罚法 (2021) art. 63): a
 * `hearing_notice` measure recorded on the case. 422 naming the rule and the threshold.
 */
export function checkHearingNotice(b: MeasureBody, existing: { type: MeasureType }[], limits: Limits): void {
  if (b.type !== 'fine' || b.amountFen === undefined || b.amountFen < limits.hearingFineThresholdFen) return;
  if (existing.some((m) => m.type === 'hearing_notice')) return;
  throw limitBreached(
    RULES.hearingNotice,
    limits.hearingFineThresholdFen,
    `a fine of ${b.amountFen} fen is at or above the hearing threshold; record a hearing_notice measure (the party told of its right to a hearing) first`,
  );
}

/** Checks and computes an extension of a seal/seizure or production restriction. */
export function extendMeasure(m: MeasureRow, newEndsOn: string, limits: Limits): { extensionDays: number } {
  const endsOn = String(m.details.endsOn);
  if (m.type === 'seal_seizure') return sealSeizureExtension({ endsOn, extensionCount: m.extensionCount }, newEndsOn, limits);
  return productionRestrictionExtension({ endsOn, extensionCount: m.extensionCount }, newEndsOn, limits);
}

export function publicMeasure(m: MeasureRow) {
  const { description, ...details } = m.details as Record<string, unknown> & { description?: string | null };
  return {
    ...details,
    id: m.id,
    caseId: m.caseId,
    type: m.type,
    status: m.status,
    legalBasis: m.legalBasis,
    description: description ?? null,
    amountFen: m.amountFen,
    extensionCount: m.extensionCount,
    liftedAt: m.liftedAt,
    liftReason: m.liftReason,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
  };
}
