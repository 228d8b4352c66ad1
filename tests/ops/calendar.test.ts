import { afterAll, describe, expect, it } from 'vitest';
import { HOLIDAYS, addWorkingDays, isWorkingDay, registerHolidayYear, workingDayDeadline } from '../../src/calendar.js';
import { makeApp, type TestApp } from '../support/app.js';
import { eventsOfType } from '../support/factories.js';

// 2027's Spring Festival as a notice might set it: 2/5 (Fri) – 2/11 (Thu) off, Sunday 2/14 worked (调休).
const NOTICE_2027 = {
  off: ['2027-01-01', '2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11'],
  work: ['2027-02-14'],
  source: '国务院办公厅关于2027年部分节假日安排的通知 (test)',
};

describe('PUT /v1/admin/calendar/{year}: an admin imports a holiday year', () => {
  const shipped = structuredClone(HOLIDAYS[2027]);
  const apps: TestApp[] = [];
  afterAll(async () => {
    registerHolidayYear(2027, shipped);
    for (const a of apps) await a.close();
  });

  it('replaces the shipped year: working days and deadlines follow the import, and it survives a restart', async () => {
    const t = await makeApp({ start: false });
    apps.push(t);
    const before = await t.app.inject({ url: '/v1/admin/calendar/2027', headers: t.auth(t.admin) });
    expect(before.statusCode).toBe(200);
    expect(before.json()).toMatchObject({ year: 2027, official: false, importedAt: null });
    // Shipped 2027 (statutory days only): 2/5–2/8 off, no 调休.
    expect(addWorkingDays('2027-02-04', 3)).toBe('2027-02-11');
    expect(isWorkingDay('2027-02-14')).toBe(false);

    const put = await t.app.inject({ method: 'PUT', url: '/v1/admin/calendar/2027', headers: t.auth(t.admin), payload: NOTICE_2027 });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ year: 2027, official: true, work: ['2027-02-14'], importedAt: t.clock.now().toISOString() });
    expect(eventsOfType(t, 'calendar.year_imported').map((e) => e.subject)).toEqual(['calendar/2027']);
    // Worked example: Thursday 2/4 + 3 working days = Fri 2/12, Sun 2/14 (调休), Mon 2/15; due 24:00 China time.
    expect(isWorkingDay('2027-02-09')).toBe(false);
    expect(isWorkingDay('2027-02-14')).toBe(true);
    expect(addWorkingDays('2027-02-04', 3)).toBe('2027-02-15');
    expect(workingDayDeadline('2027-02-04', 3).dueAt.toISOString()).toBe('2027-02-15T16:00:00.000Z');
    expect((await t.app.inject({ url: '/v1/admin/calendar/2027', headers: t.auth(t.key({ role: 'intake' })) })).json().source).toBe(NOTICE_2027.source);

    // A new process on the same database loads the import from its table at start.
    registerHolidayYear(2027, shipped);
    expect(isWorkingDay('2027-02-14')).toBe(false);
    const again = await makeApp({ start: false, dir: t.dir, env: { DATABASE_PATH: t.config.databasePath } });
    apps.push(again);
    expect(isWorkingDay('2027-02-14')).toBe(true);
    expect(addWorkingDays('2027-02-04', 3)).toBe('2027-02-15');
  });

  it('refuses what is no holiday year, naming the field; only admins import', async () => {
    const t = await makeApp({ start: false });
    apps.push(t);
    const put = (payload: Record<string, unknown>, key = t.admin, year = 2028) =>
      t.app.inject({ method: 'PUT', url: `/v1/admin/calendar/${year}`, headers: t.auth(key), payload });
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ off: ['2028-02-30'], work: [], source: 'x' }, 'body/off/0', /not a calendar date/],
      [{ off: ['2027-12-31'], work: [], source: 'x' }, 'body/off/0', /not in 2028/],
      [{ off: [], work: ['2028-01-05'], source: 'x' }, 'body/work/0', /weekday/],
      [{ off: ['2028-01-08'], work: ['2028-01-08'], source: 'x' }, 'body/work/0', /day off too/],
    ];
    for (const [body, field, reason] of cases) {
      const r = await put(body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json().errors[0]).toMatchObject({ field, reason: expect.stringMatching(reason) });
    }
    expect((await put({ off: [], work: [], source: 'x' }, t.admin, 1999)).statusCode).toBe(400);
    expect((await put({ off: [], work: [], source: 'x' }, t.key({ role: 'intake' }))).statusCode).toBe(403);
    expect((await t.app.inject({ url: '/v1/admin/calendar/2030', headers: t.auth(t.admin) })).statusCode).toBe(404);
    expect(
      (await t.app.inject({ url: '/v1/admin/calendar/2027', headers: t.auth(t.key({ role: 'supervisor', side: 'region', agencyCode: 'XJ' })) })).statusCode,
    ).toBe(403);
    expect(HOLIDAYS[2028]).toBeUndefined();
  });
});
