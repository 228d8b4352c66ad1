/**
 * Notifications (通报) of significant events to the supervisors of both sides' responsible
 * agencies, through the shared notify() (each becomes an inbox item linked to its subject):
 *
 * - police transfer, listed supervision, a fine at or above FILING_FINE_THRESHOLD_FEN → the lead
 *   agency and the other side's responsible agencies (nearby area, source, co-handling), and for
 *   listed supervision the supervising agency;
 * - a case or complaint on a joint place gone overdue → the other side's responsible agencies
 *   (the owning side's agency and its parent are already told by the case / complaint flow).
 *
 * An overdue filing's notices are sent by the filing deadline itself (service.ts).
 */
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { notify } from '../notifications/index.js';
import { subjectAssignments } from '../assignments/service.js';
import { getComplaint } from '../intake/service.js';
import { getCase } from '../cases/visibility.js';
import { getMeasure } from '../cases/service.js';
import { getAgency } from '../reference/hierarchy.js';
import { otherSidePlaceAgencies, receiversOf } from './service.js';

export type NoticeKind = 'police_transfer' | 'listed_supervision' | 'heavy_fine' | 'case_overdue' | 'complaint_overdue';

/** Payload of the `filing.notify` job. */
export interface NoticeJob {
  kind: NoticeKind;
  eventId: string;
  caseId?: string;
  complaintId?: string;
  measureId?: string;
}

const yuan = (fen: number) => (fen / 100).toLocaleString('en-US', { maximumFractionDigits: 2 });

/** The `filing.notify` job body. Returns the agencies notified. */
export function sendNotice(tx: Tx, deps: Deps, job: NoticeJob): string[] {
  if (!job || typeof job.kind !== 'string') throw new Error('bad filing.notify payload');
  if (job.kind === 'complaint_overdue') return complaintNotice(tx, deps, job);
  const c = job.caseId ? getCase(tx, job.caseId) : undefined;
  if (!c) return [];
  const others = receiversOf(tx, deps, c).map((r) => r.agencyCode);
  const base = { subject: `cases/${c.id}`, category: c.category, actorAgencyCode: c.leadAgencyCode };
  const caseData = { caseId: c.id, number: c.number, leadAgencyCode: c.leadAgencyCode, joint: c.joint };

  if (job.kind === 'case_overdue') {
    for (const agencyCode of others)
      notify(tx, deps, {
        ...base,
        kind: 'case_overdue',
        agencyCode,
        message: `Case ${c.number} (lead ${c.leadAgencyCode}) on a joint place has no decision by its deadline ${c.decisionDueAt}.`,
        data: { ...caseData, dueAt: c.decisionDueAt },
      });
    return others;
  }

  const m = job.measureId ? getMeasure(tx, c.id, job.measureId) : undefined;
  const targets = [c.leadAgencyCode, ...others];
  let what: string;
  if (job.kind === 'police_transfer') {
    what = `transferred to the police (${String(m?.details.transferKind ?? 'transfer')}, ${String(m?.details.receivingBureau ?? 'police')})`;
  } else if (job.kind === 'listed_supervision') {
    const sup = typeof m?.details.supervisingAgencyCode === 'string' ? m.details.supervisingAgencyCode : null;
    if (sup && getAgency(tx, sup)) targets.push(sup);
    what = `put under listed supervision (挂牌督办) by ${sup ?? 'a higher agency'}, deadline ${String(m?.details.deadline ?? '')}`;
  } else {
    what = `fined ${yuan(m?.amountFen ?? 0)} yuan (threshold ${yuan(deps.config.filingFineThresholdFen)})`;
  }
  const unique = [...new Set(targets)];
  for (const agencyCode of unique)
    notify(tx, deps, {
      ...base,
      kind: job.kind,
      agencyCode,
      message: `Case ${c.number} (lead ${c.leadAgencyCode}) was ${what}.`,
      data: { ...caseData, measureId: m?.id ?? job.measureId ?? null, measureType: m?.type ?? null, amountFen: m?.amountFen ?? null },
    });
  return unique;
}

function complaintNotice(tx: Tx, deps: Deps, job: NoticeJob): string[] {
  const c = job.complaintId ? getComplaint(tx, job.complaintId) : undefined;
  if (!c || !c.joint || !c.side) return [];
  const side = c.side;
  const codes = new Set<string>();
  if (c.lat !== null && c.lng !== null) for (const code of otherSidePlaceAgencies(tx, deps, c.lat, c.lng, side)) codes.add(code);
  for (const a of subjectAssignments(tx, 'complaint', c.id)) if (a.role === 'co_handling' && a.agencyCode && a.side && a.side !== side) codes.add(a.agencyCode);
  codes.delete(c.agencyCode ?? '');
  const deadline = c.overdueDeadline ?? 'handling';
  const dueAt = deadline === 'acceptance' ? c.acceptanceDueAt : c.replyDueAt;
  for (const agencyCode of codes)
    notify(tx, deps, {
      kind: 'complaint_overdue',
      agencyCode,
      subject: `complaints/${c.id}`,
      message: `Complaint ${c.number} on a joint place (owner ${c.agencyCode ?? 'none'}) passed its ${deadline} deadline (${dueAt}).`,
      category: c.category,
      data: { complaintId: c.id, number: c.number, deadline, dueAt, joint: true, ownerAgencyCode: c.agencyCode },
    });
  return [...codes];
}
