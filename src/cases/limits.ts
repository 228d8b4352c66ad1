/**
 * Legal limits of the case registry (shared/domain.md §2–3), each a named rule. Pure functions:
 * a breach throws a 422 problem whose `detail` names the rule and the limit, with `rule`, `limit`
 * and `source` as extension members; dates in the wrong order are 400s naming the field.
 */
import type { Config } from '../config.js';
import { fieldError, unprocessable, type Problem } from '../http/problem.js';
import { addDays, addMonths, addWorkingDays, daysBetween } from '../calendar.js';

export type Limits = Config['caseLimits'];

export const RULES = {
  decisionDeadline: { name: 'decision.within_days_of_registration', source: '行政处罚法 (2021) art. 60; 生态环境行政处罚办法 (2023)' },
  firstExtension: { name: 'decision.first_extension_days', source: '生态环境行政处罚办法 (2023)' },
  secondExtension: { name: 'decision.second_extension_by_collective_decision', source: '生态环境行政处罚办法 (2023) (unverified detail)' },
  maxExtensions: { name: 'decision.at_most_two_extensions', source: '生态环境行政处罚办法 (2023) (unverified detail)' },
  extensionBeforeDeadline: { name: 'decision.extension_before_deadline', source: '生态环境行政处罚办法 (2023)' },
  dailyPenaltyReinspection: { name: 'daily_penalty.reinspection_within_days_of_service', source: 'MEP order no. 28 (2014)' },
  sealSeizureMax: { name: 'seal_seizure.max_days', source: '行政强制法 art. 25; MEP order no. 29 (2014)' },
  sealSeizureExtensionMax: { name: 'seal_seizure.extension_max_days', source: '行政强制法 art. 25; MEP order no. 29 (2014)' },
  sealSeizureOneExtension: { name: 'seal_seizure.one_extension', source: '行政强制法 art. 25' },
  restrictionMax: { name: 'production_restriction.max_months', source: 'MEP order no. 30 (2014)' },
  restrictionExtensionMax: { name: 'production_restriction.extension_max_months', source: 'MEP order no. 30 (2014)' },
  restrictionOneExtension: { name: 'production_restriction.one_extension', source: 'MEP order no. 30 (2014)' },
  rectificationPlan: { name: 'production_suspension.rectification_plan_working_days', source: 'MEP order no. 30 (2014)' },
  policeCriminalMaterials: { name: 'police_transfer.criminal_materials_within_hours', source: '环境保护行政执法与刑事司法衔接工作办法 (2017)' },
  policeDetentionMaterials: {
    name: 'police_transfer.detention_materials_within_hours',
    source: '行政主管部门移送适用行政拘留环境违法案件暂行办法 (2014) (unverified; configurable)',
  },
  penaltyStage: { name: 'penalty.after_investigation', source: '行政处罚法 (2021) arts. 44–45, 57' },
  hearingNotice: { name: 'fine.hearing_notice_first', source: '行政处罚法 (2021) art. 63 (threshold province-set: HEARING_FINE_THRESHOLD_FEN)' },
  listedSupervisionAbove: { name: 'listed_supervision.supervisor_above_lead', source: '环境违法案件挂牌督办管理办法' },
} as const;
export type Rule = (typeof RULES)[keyof typeof RULES];

/** 422 naming the rule and the limit. */
export function limitBreached(rule: Rule, limit: string | number, detail: string): Problem {
  return unprocessable('legal-limit', `${rule.name}: ${detail} (limit: ${limit}; ${rule.source})`, { rule: rule.name, limit, source: rule.source });
}

/** Days and total of a daily continuous penalty (按日连续处罚), computed, never typed in. */
export function dailyPenalty(
  input: { originalFineFen: number; correctionServedOn: string; reinspectedOn: string },
  limits: Limits,
): { days: number; totalFen: number } {
  // Counted from the day after service to the re-inspection day, both inclusive.
  const days = daysBetween(input.correctionServedOn, input.reinspectedOn);
  if (days < 1) throw fieldError('body/reinspectedOn', 'must be after correctionServedOn');
  const max = limits.dailyPenaltyReinspectionDays;
  if (days > max)
    throw limitBreached(
      RULES.dailyPenaltyReinspection,
      max,
      `the re-inspection must be within ${max} days of serving the correction order; it was ${days} days after`,
    );
  const totalFen = input.originalFineFen * days;
  if (!Number.isSafeInteger(totalFen)) throw fieldError('body/originalFineFen', 'is too large');
  return { days, totalFen };
}

/** Inclusive length in days of a period; 400 when the end is before the start. */
function periodDays(startsOn: string, endsOn: string, endField = 'body/endsOn'): number {
  const d = daysBetween(startsOn, endsOn) + 1;
  if (d < 1) throw fieldError(endField, 'must not be before startsOn');
  return d;
}

/** Seal / seizure (查封、扣押): at most SEAL_SEIZURE_MAX_DAYS days (both ends counted). */
export function sealSeizure(input: { startsOn: string; endsOn: string }, limits: Limits): { durationDays: number } {
  const durationDays = periodDays(input.startsOn, input.endsOn);
  const max = limits.sealSeizureMaxDays;
  if (durationDays > max)
    throw limitBreached(RULES.sealSeizureMax, max, `a seal/seizure lasts at most ${max} days without extension; ${durationDays} days requested`);
  return { durationDays };
}

/** One extension of a seal / seizure, of at most SEAL_SEIZURE_EXTENSION_DAYS days. */
export function sealSeizureExtension(current: { endsOn: string; extensionCount: number }, newEndsOn: string, limits: Limits): { extensionDays: number } {
  if (current.extensionCount >= 1) throw limitBreached(RULES.sealSeizureOneExtension, 1, 'a seal/seizure may be extended only once, and it already was');
  const extensionDays = daysBetween(current.endsOn, newEndsOn);
  if (extensionDays < 1) throw fieldError('body/newEndsOn', `must be after the current end ${current.endsOn}`);
  const max = limits.sealSeizureExtensionDays;
  if (extensionDays > max) throw limitBreached(RULES.sealSeizureExtensionMax, max, `the extension is at most ${max} days; ${extensionDays} days requested`);
  return { extensionDays };
}

/** Last allowed day of a period of `months` months starting on `from` (inclusive). */
export const lastDayOfMonths = (from: string, months: number) => addDays(addMonths(from, months), -1);

/** Production restriction (限制生产): at most PRODUCTION_RESTRICTION_MAX_MONTHS months. */
export function productionRestriction(input: { startsOn: string; endsOn: string }, limits: Limits): { durationDays: number; latestEndsOn: string } {
  const durationDays = periodDays(input.startsOn, input.endsOn);
  const max = limits.restrictionMaxMonths;
  const latestEndsOn = lastDayOfMonths(input.startsOn, max);
  if (input.endsOn > latestEndsOn)
    throw limitBreached(
      RULES.restrictionMax,
      `${max} months`,
      `a production restriction starting ${input.startsOn} may end on ${latestEndsOn} at the latest; ${input.endsOn} requested`,
    );
  return { durationDays, latestEndsOn };
}

/** One extension of a production restriction, of at most PRODUCTION_RESTRICTION_EXTENSION_MONTHS months. */
export function productionRestrictionExtension(
  current: { endsOn: string; extensionCount: number },
  newEndsOn: string,
  limits: Limits,
): { extensionDays: number } {
  if (current.extensionCount >= 1)
    throw limitBreached(RULES.restrictionOneExtension, 1, 'a production restriction may be extended only once, and it already was');
  const extensionDays = daysBetween(current.endsOn, newEndsOn);
  if (extensionDays < 1) throw fieldError('body/newEndsOn', `must be after the current end ${current.endsOn}`);
  const max = limits.restrictionExtensionMonths;
  const latest = lastDayOfMonths(addDays(current.endsOn, 1), max);
  if (newEndsOn > latest)
    throw limitBreached(RULES.restrictionExtensionMax, `${max} months`, `the extension may run to ${latest} at the latest; ${newEndsOn} requested`);
  return { extensionDays };
}

/** Production suspension (停产整治): the rectification plan is due N working days after service. */
export function rectificationPlanDueOn(servedOn: string, limits: Limits): string {
  return addWorkingDays(servedOn, limits.rectificationPlanWorkingDays);
}

/** Police transfer (移送公安): materials are due within N hours of the transfer decision. */
export function policeTransfer(
  input: { transferKind: 'administrative_detention' | 'criminal'; decidedAt: string; transferredAt: string },
  limits: Limits,
): { materialsDueAt: string } {
  const criminal = input.transferKind === 'criminal';
  const hours = criminal ? limits.policeCriminalMaterialsHours : limits.policeDetentionMaterialsHours;
  const rule = criminal ? RULES.policeCriminalMaterials : RULES.policeDetentionMaterials;
  const decided = Date.parse(input.decidedAt);
  const transferred = Date.parse(input.transferredAt);
  if (transferred < decided) throw fieldError('body/transferredAt', 'must not be before decidedAt');
  const due = decided + hours * 3_600_000;
  const materialsDueAt = new Date(due).toISOString();
  if (transferred > due)
    throw limitBreached(
      rule,
      `${hours} hours`,
      `materials must be handed to the police by ${materialsDueAt} (${hours} h after the transfer decision); transferredAt is later`,
    );
  return { materialsDueAt };
}

/** Length of the next decision-deadline extension, or a 422 naming the rule it would break. */
export function decisionExtensionDays(extensionCount: number, collective: boolean, limits: Limits): number {
  if (extensionCount === 0) return limits.extensionDays;
  if (extensionCount === 1) {
    if (!collective)
      throw limitBreached(
        RULES.secondExtension,
        `${limits.secondExtensionDays} days`,
        'a second extension needs a collective decision of the agency leaders (collective: true)',
      );
    return limits.secondExtensionDays;
  }
  throw limitBreached(RULES.maxExtensions, 2, 'the decision deadline was already extended twice');
}
