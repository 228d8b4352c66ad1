import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from '../support/app.js';
import { dayCountDeadline, dayCountDeadlineFrom } from '../../src/calendar.js';
import { create, keys, ok, row, seedMap } from './helpers.js';

/**
 * Legal periods in days end at 24:00 China time (Asia/Shanghai, UTC+8) of the last day, counted
 * from the day after the event, and a last day that is a weekend or public holiday moves to the
 * next working day (shared/domain.md §4c) — never "instant + n × 24 h".
 */
describe('day-counted deadlines (calendar)', () => {
  it('counts from the China-time date of the instant, not its UTC date', () => {
    // 2026-09-30 23:30 China time is 15:30 UTC the same day; 2026-10-01 00:30 China is still 09-30 in UTC
    expect(dayCountDeadlineFrom(new Date('2026-09-30T15:30:00Z'), 15)).toEqual({ lastDay: '2026-10-15', dueAt: new Date('2026-10-15T16:00:00Z') });
    expect(dayCountDeadlineFrom(new Date('2026-09-30T16:30:00Z'), 15)).toEqual({ lastDay: '2026-10-16', dueAt: new Date('2026-10-16T16:00:00Z') });
  });
  it('a last day in the National Day days off moves to the first working day after them', () => {
    // 2026-09-16 + 15 = Thu 10-01 (off 10-01 – 10-07) → Thu 10-08
    expect(dayCountDeadline('2026-09-16', 15).lastDay).toBe('2026-10-08');
    // an adjusted working Saturday (调休上班, Sat 2026-10-10) is a working day: it stays
    expect(dayCountDeadline('2026-09-10', 30).lastDay).toBe('2026-10-10');
    // a plain Sunday moves to Monday
    expect(dayCountDeadline('2026-03-02', 90).lastDay).toBe('2026-06-01');
  });
  it('Spring Festival 2027: a last day on Fri 02-05 (off 02-05 – 02-08 and the weekend) → Tue 02-09', () => {
    expect(dayCountDeadline('2027-01-21', 15)).toEqual({ lastDay: '2027-02-09', dueAt: new Date('2027-02-09T16:00:00Z') });
  });
});

describe('complaint deadlines at 24:00 China time', () => {
  let t: TestApp;
  let k: ReturnType<typeof keys>;
  beforeAll(async () => {
    t = await makeApp({ mode: 'embedded' });
    seedMap(t);
    k = keys(t);
  });
  afterAll(() => t.close());

  it('received 2026-09-30 23:30 China time: accept by 24:00 of Thu 10-15 (15 days, through National Day)', async () => {
    t.clock.set('2026-09-30T15:30:00.000Z');
    const c = await create(t, k.intake);
    expect(c.acceptanceDueAt).toBe('2026-10-15T16:00:00.000Z');
    // the acceptance timer fires at that instant, not 30 minutes earlier (received + 15 × 24 h)
    t.clock.set('2026-10-15T15:45:00.000Z');
    await t.app.runtime.settle();
    expect(row(t, c.id).overdue).toBe(false);
    t.clock.set('2026-10-15T16:00:01.000Z');
    await t.app.runtime.settle();
    expect(row(t, c.id)).toMatchObject({ overdue: true, overdueDeadline: 'acceptance' });
  });

  it('accepted, replied within 60 days; extended 30 days on from the last day', async () => {
    t.clock.set('2026-10-20T01:00:00.000Z'); // Tue 09:00 China
    const c = await create(t, k.intake);
    const a = await ok(t, k.intake, c.id, 'accept');
    // day 60 after Tue 10-20 is Sat 12-19 → Mon 12-21
    expect(a.deadlines.replyDueAt).toBe('2026-12-21T16:00:00.000Z');
    const e = await ok(t, k.intake, c.id, 'extend', { days: 30, reason: '需等待监测报告' });
    // 30 days on from Mon 12-21: Wed 2027-01-20
    expect(e.deadlines.replyDueAt).toBe('2027-01-20T16:00:00.000Z');
  });

  it('received Thu 2027-01-21: acceptance by Tue 02-09, after the Spring Festival days off', async () => {
    t.clock.set('2027-01-21T02:00:00.000Z');
    const c = await create(t, k.intake);
    expect(c.acceptanceDueAt).toBe('2027-02-09T16:00:00.000Z');
  });
});
