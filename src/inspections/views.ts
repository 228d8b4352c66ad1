/** Rows → API shapes. Names of officers appear only in authenticated views the caller may see. */
import type { Tx } from '../db/client.js';
import { sourceNames } from '../cases/sources.js';
import { disclosureOf, drawRecord, officersById, periodEnded, planInspections, poolSizes, type ConflictRow, type ItemRow } from './service.js';
import type { InspectionRow, InspectorRow, PlanRow } from './visibility.js';

export const itemView = (r: ItemRow) => ({
  id: r.id,
  agencyCode: r.agencyCode,
  code: r.code,
  name: r.name,
  legalBasis: r.legalBasis,
  categories: r.categories,
  targetClasses: r.targetClasses,
  method: r.method,
  createdAt: r.createdAt,
});

export const inspectorView = (r: InspectorRow, conflicts: ConflictRow[] = []) => ({
  id: r.id,
  name: r.name,
  side: r.side,
  agencyCode: r.agencyCode,
  teamId: r.teamId,
  certificateNo: r.certificateNo,
  certificateValidUntil: r.certificateValidUntil,
  expert: r.expert,
  active: r.active,
  keyId: r.keyId,
  conflicts: conflicts.map((c) => ({ id: c.id, sourceId: c.sourceId, reason: c.reason, createdAt: c.createdAt })),
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  version: r.version,
});

function disclosure(d: { inspected: number; published: number; overdue: number } | undefined) {
  const x = d ?? { inspected: 0, published: 0, overdue: 0 };
  return { ...x, rate: x.inspected ? Math.round((x.published / x.inspected) * 10_000) / 10_000 : null };
}

function basePlan(plan: PlanRow, d: ReturnType<typeof disclosure>, showSecrets: boolean, showDraw: boolean) {
  return {
    id: plan.id,
    name: plan.name,
    agencyCode: plan.agencyCode,
    side: plan.side,
    scope: plan.scope,
    period: { from: plan.periodFrom, to: plan.periodTo },
    ratios: plan.ratios,
    inspectorsPerTarget: plan.inspectorsPerTarget,
    mode: plan.mode,
    itemCodes: plan.itemCodes,
    status: plan.status,
    parties: plan.parties.map((x) => ({
      agencyCode: x.agencyCode,
      commitment: x.commitment,
      committedAt: x.committedAt,
      revealed: x.secret !== null,
      revealedAt: x.revealedAt,
      ...(showSecrets ? { secret: x.secret } : {}),
    })),
    frozenAt: plan.frozenAt,
    inputHash: plan.inputHash,
    poolSizes: poolSizes(plan.input),
    previousPlanId: plan.previousPlanId,
    seed: showSecrets ? plan.seed : null,
    drawnAt: plan.drawnAt,
    failure: showDraw
      ? plan.failure
      : plan.failure
        ? { ...plan.failure, sourceId: '', detail: `constraint ${plan.failure.constraint} could not be met` }
        : null,
    disclosure: d,
  };
}

/** For authenticated callers: `full` (plan agency supervisors, admins) sees the drawn list. */
export function planView(tx: Tx, plan: PlanRow, access: 'full' | 'party') {
  const d = disclosure(disclosureOf(tx, [plan.id]).get(plan.id));
  const full = access === 'full';
  const rows = full && plan.status === 'drawn' ? planInspections(tx, plan.id) : [];
  return {
    // Secrets only once drawn: until then not even the plan agency sees another party's secret.
    ...basePlan(plan, d, full && (plan.status === 'drawn' || plan.status === 'failed'), full),
    targets:
      full && plan.status === 'drawn' ? rows.map((r) => ({ inspectionId: r.id, sourceId: r.sourceId, class: r.sourceClass, officers: r.officers })) : null,
    createdAt: plan.createdAt,
    updatedAt: plan.updatedAt,
    version: plan.version,
  };
}

export function planViews(tx: Tx, plans: PlanRow[], accessOf: (p: PlanRow) => 'full' | 'party') {
  return plans.map((p) => planView(tx, p, accessOf(p)));
}

/** The public view (一公开): commitments always; secrets, seed and the draw once the period has ended. */
export function publicPlanView(tx: Tx, plan: PlanRow, now: Date, d?: { inspected: number; published: number; overdue: number }) {
  const ended = periodEnded(plan, now);
  const record = ended ? drawRecord(plan) : null;
  return {
    ...basePlan(plan, disclosure(d ?? disclosureOf(tx, [plan.id]).get(plan.id)), ended, ended),
    periodEnded: ended,
    targets: ended && plan.status === 'drawn' ? (plan.targets ?? []) : null,
    drawRecordUrl: record ? `/v1/public/inspection-plans/${plan.id}/draw-record` : null,
  };
}

export function inspectionViews(tx: Tx, rows: InspectionRow[], plans: Map<string, PlanRow>) {
  const officers = officersById(tx, [...new Set(rows.flatMap((r) => r.officers))]);
  const names = sourceNames(
    tx,
    rows.map((r) => r.sourceId),
  );
  return rows.map((r) => {
    const plan = plans.get(r.planId)!;
    const src = names.get(r.sourceId);
    return {
      id: r.id,
      planId: r.planId,
      planName: plan.name,
      sourceId: r.sourceId,
      sourceName: src?.name ?? null,
      creditCode: src?.creditCode ?? null,
      class: r.sourceClass,
      officers: r.officers.map((o) => {
        const x = officers.get(o);
        return { id: o, name: x?.name ?? '', side: x?.side ?? r.sourceSide, teamId: x?.teamId ?? '' };
      }),
      status: r.status,
      period: { from: plan.periodFrom, to: plan.periodTo },
      itemCodes: plan.itemCodes,
      inspectionDate: r.inspectionDate,
      results: r.results ? r.results.map((x) => ({ itemCode: x.itemCode, result: x.result, note: x.note ?? null })) : null,
      officersPresent: r.officersPresent,
      evidence: r.evidence,
      outcome: r.outcome,
      rectification: r.rectification,
      caseId: r.caseId,
      recordedAt: r.recordedAt,
      publicationDueAt: r.publicationDueAt,
      overdue: r.overdueAt !== null && r.status === 'recorded',
      publishedAt: r.publishedAt,
      version: r.version,
    };
  });
}
