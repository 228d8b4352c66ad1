import { describe, expect, it } from 'vitest';
import { addWorkingDays, covered, HOLIDAYS, isWorkingDay, workingDayDeadline } from '../../src/calendar.js';

describe('working days (src/calendar.ts, shared/domain.md §4c)', () => {
  it('skips weekends and the State Council holidays, and counts the adjusted working weekend days (调休)', () => {
    expect(isWorkingDay('2026-03-06')).toBe(true); // Friday
    expect(isWorkingDay('2026-03-07')).toBe(false); // Saturday
    expect(isWorkingDay('2026-04-06')).toBe(false); // Qingming, a Monday
    expect(isWorkingDay('2026-02-23')).toBe(false); // Spring Festival, a Monday
    expect(isWorkingDay('2026-02-14')).toBe(true); // Saturday, 调休上班
    expect(isWorkingDay('2026-02-28')).toBe(true); // Saturday, 调休上班
    expect(isWorkingDay('2026-10-10')).toBe(true); // Saturday, 调休上班
    expect(isWorkingDay('2025-01-26')).toBe(true); // Sunday, 调休上班
    expect(isWorkingDay('2025-10-08')).toBe(false); // National Day, a Wednesday
    expect(isWorkingDay('2027-02-08')).toBe(false); // Spring Festival 2027 (statutory; notice not yet published)
  });

  it('20 working days after 2026-04-01 end at 24:00 China time on 2026-04-30 (Qingming skipped)', () => {
    // Apr 2, 3 | (4–6 Qingming) | 7–10 | 13–17 | 20–24 | 27–30 = 2 + 4 + 5 + 5 + 4 = 20.
    expect(workingDayDeadline('2026-04-01', 20)).toEqual({ lastDay: '2026-04-30', dueAt: new Date('2026-04-30T16:00:00.000Z') });
    // Over the Spring Festival: Feb 13 (Fri) + 1 working day is Saturday Feb 14 (调休); + 2 skips to Feb 24.
    expect(addWorkingDays('2026-02-13', 1)).toBe('2026-02-14');
    expect(addWorkingDays('2026-02-13', 2)).toBe('2026-02-24');
    // Over National Day 2025: Sept 30 + 1 → Oct 9 (Oct 1–8 off), + 3 → Oct 11 (Saturday, 调休).
    expect(addWorkingDays('2025-09-30', 1)).toBe('2025-10-09');
    expect(addWorkingDays('2025-09-30', 3)).toBe('2025-10-11');
  });

  it('ships 2025 and 2026 as the official notices and marks 2027 provisional', () => {
    expect(HOLIDAYS[2025].official && HOLIDAYS[2026].official).toBe(true);
    expect(HOLIDAYS[2027].official).toBe(false);
    expect([covered(2024), covered(2025), covered(2027), covered(2028)]).toEqual([false, true, true, false]);
  });
});
