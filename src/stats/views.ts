import type { Tx } from '../db/client.js';
import type { Figures, Key } from '../db/aggregate.js';
import { onTimeRate, type StatDimension, type StatSubject, type StatsQuery } from '../domain/stats.js';
import { labelOf } from '../domain/labels.js';
import { getAgency } from '../reference/hierarchy.js';
import { getTeam } from '../reference/teams.js';
import type { MeasureFigure } from '../cases/index.js';

/** Which counts make each subject's on-time rate: [on time, closed]; the third term is always openPastDue. */
export const RATE_TERMS: Record<StatSubject, [string, string]> = {
  complaints: ['closedOnTime', 'closed'],
  cases: ['decidedOnTime', 'decided'],
  filings: ['acknowledgedOnTime', 'acknowledged'],
  assignments: ['claimedOnTime', 'claimed'],
  rectification: ['closedOffOnTime', 'closedOff'],
};

export type FigureView = Record<string, unknown> & { onTimeRate: number | null };

export interface StatsView {
  subject: StatSubject;
  from: string;
  to: string;
  groupBy: StatDimension | null;
  asOf: string;
  total: FigureView;
  groups: { key: string | null; label: string | null; figures: FigureView }[];
  declinesByTeam?: { teamId: string; teamName: string | null; agencyCode: string | null; declined: number }[];
}

const fen = (ms: MeasureFigure[] | undefined, type: string) => ms?.find((m) => m.type === type)?.amountFen ?? 0;

function figureView(subject: StatSubject, f: Figures, measures?: MeasureFigure[]): FigureView {
  const [onTime, closed] = RATE_TERMS[subject];
  const out: FigureView = { ...f.counts, onTimeRate: onTimeRate(f.counts[onTime] ?? 0, f.counts[closed] ?? 0, f.counts.openPastDue ?? 0), ...f.durations };
  if (subject === 'cases')
    Object.assign(out, { measuresByType: measures ?? [], finesFen: fen(measures, 'fine'), dailyPenaltyFen: fen(measures, 'daily_penalty') });
  return out;
}

/** A person's name for a group key: vocabulary labels (zh-CN), agency and team names; months and weeks are their own. */
export function keyLabel(tx: Tx, dim: StatDimension, key: Key): string | null {
  if (key === null) return null;
  switch (dim) {
    case 'side':
    case 'category':
    case 'channel':
      return labelOf(dim, key, 'zh-CN');
    case 'agency':
      return getAgency(tx, key)?.name ?? key;
    case 'team':
      return getTeam(tx, key)?.name ?? key;
    default:
      return key;
  }
}

export function statsView(
  tx: Tx,
  subject: StatSubject,
  q: StatsQuery,
  r: { total: Figures; groups: Map<Key, Figures> },
  extra: {
    measures?: { total: MeasureFigure[]; groups: Map<Key, MeasureFigure[]> };
    declinesByTeam?: { teamId: string; agencyCode: string | null; declined: number }[];
  } = {},
): StatsView {
  const keys = [...r.groups.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0));
  return {
    subject,
    from: q.from,
    to: q.to,
    groupBy: q.groupBy ?? null,
    asOf: q.now,
    total: figureView(subject, r.total, extra.measures?.total),
    groups: keys.map((key) => ({
      key,
      label: keyLabel(tx, q.groupBy!, key),
      figures: figureView(subject, r.groups.get(key)!, extra.measures?.groups.get(key)),
    })),
    ...(extra.declinesByTeam ? { declinesByTeam: extra.declinesByTeam.map((d) => ({ ...d, teamName: getTeam(tx, d.teamId)?.name ?? null })) } : {}),
  };
}
