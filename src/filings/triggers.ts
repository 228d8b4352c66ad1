/**
 * What case and complaint events cause: filings (job `filing.evaluate`, on the case side's work
 * queue) and notifications (通报, job `filing.notify`, on the notify queue). Pure: runs in the
 * outbox relay. Job ids derive from the event id, so a re-relayed event adds nothing.
 */
import type { StoredEvent } from '../outbox/index.js';
import { sideQueue, type JobRequest } from '../queue/types.js';
import type { FilingTrigger } from './tables.js';
import type { EvaluateJob } from './service.js';
import type { NoticeJob } from './notices.js';

export const FILING_EVALUATE = 'filing.evaluate';
export const FILING_NOTIFY = 'filing.notify';

/** Measures of weight: each files the case (a fine only at or above the threshold). */
const HEAVY_MEASURES: Partial<Record<string, FilingTrigger>> = {
  police_transfer: 'police_transfer',
  seal_seizure: 'seal_seizure',
  production_suspension: 'production_suspension',
  listed_supervision: 'listed_supervision',
};
/** Money measures compared with FILING_FINE_THRESHOLD_FEN (a daily penalty's computed total is a fine too). */
const FINES = ['fine', 'daily_penalty'];

const isHeavyFine = (e: StoredEvent, thresholdFen: number) =>
  FINES.includes(String(e.data.measureType)) && typeof e.data.amountFen === 'number' && e.data.amountFen >= thresholdFen;

/** The events that can file a case or call for a notification (the two switches below). */
export const FILING_EVENT_TYPES = ['case.registered', 'case.status_changed', 'case.measure_added', 'case.overdue', 'complaint.overdue'] as const;

/** The filing trigger of a case event, or null when the event files nothing. */
export function filingTriggerOf(e: StoredEvent, thresholdFen: number): FilingTrigger | null {
  switch (e.type) {
    case 'case.registered':
      return 'registered';
    case 'case.status_changed':
      return e.data.to === 'decided' ? 'decided' : e.data.to === 'closed' ? 'closed' : null;
    case 'case.measure_added':
      if (isHeavyFine(e, thresholdFen)) return 'fine';
      return HEAVY_MEASURES[String(e.data.measureType)] ?? null;
    default:
      return null;
  }
}

/** The notification (通报) an event calls for, or null. */
export function noticeOf(e: StoredEvent, thresholdFen: number): NoticeJob | null {
  const id = String(e.data.id ?? '');
  if (!id) return null;
  switch (e.type) {
    case 'case.measure_added': {
      const t = String(e.data.measureType);
      const kind =
        t === 'police_transfer' ? 'police_transfer' : t === 'listed_supervision' ? 'listed_supervision' : isHeavyFine(e, thresholdFen) ? 'heavy_fine' : null;
      return kind ? { kind, caseId: id, measureId: String(e.data.measureId ?? ''), eventId: e.id } : null;
    }
    case 'case.overdue':
      return e.data.joint === true ? { kind: 'case_overdue', caseId: id, eventId: e.id } : null;
    case 'complaint.overdue':
      // Whether the place is joint is read from the complaint by the job.
      return { kind: 'complaint_overdue', complaintId: id, eventId: e.id };
    default:
      return null;
  }
}

export function filingJobsFor(e: StoredEvent, thresholdFen: number): JobRequest[] {
  const out: JobRequest[] = [];
  const trigger = filingTriggerOf(e, thresholdFen);
  if (trigger && typeof e.data.id === 'string') {
    const payload: EvaluateJob = { caseId: e.data.id, trigger, eventId: e.id, measureId: typeof e.data.measureId === 'string' ? e.data.measureId : null };
    out.push({ queue: sideQueue(e.side), name: FILING_EVALUATE, id: `filing-${e.id}`, payload });
  }
  const notice = noticeOf(e, thresholdFen);
  if (notice) out.push({ queue: 'notify', name: FILING_NOTIFY, id: `notice-${e.id}`, payload: notice });
  return out;
}
