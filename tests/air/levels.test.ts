import { describe, expect, it } from 'vitest';
import { checkLevel, meetsLevel, strictestCuts, supportedLevel, DEFAULT_CUTS } from '../../src/air/levels.js';

/** The national level rule (shared/domain.md §4a), each clause with a worked example. */
describe('heavy-pollution alert levels: the national rule', () => {
  it('yellow: daily AQI > 200 for ≥ 2 consecutive days', () => {
    expect(checkLevel('yellow', [210, 205])).toBeNull();
    // 200 is not > 200; the two days over 200 are not consecutive.
    expect(checkLevel('yellow', [201, 200])).toMatchObject({ rule: 'air-alert-yellow', reason: 'forecast-below-level' });
    expect(checkLevel('yellow', [210, 190, 210])).toMatchObject({ rule: 'air-alert-yellow', reason: 'forecast-below-level' });
    expect(checkLevel('yellow', [250])).toMatchObject({ rule: 'air-alert-yellow', reason: 'forecast-too-short' });
    expect(supportedLevel([210, 205, 150])).toBe('yellow');
  });

  it('orange: > 200 for ≥ 3 consecutive days with a day > 300', () => {
    expect(checkLevel('orange', [230, 320, 280])).toBeNull();
    expect(checkLevel('orange', [230, 300, 280])).toMatchObject({ rule: 'air-alert-orange', reason: 'forecast-below-level' }); // 300 is not > 300
    expect(checkLevel('orange', [320, 180, 230, 250])).toMatchObject({ rule: 'air-alert-orange', reason: 'forecast-below-level' }); // the day > 300 is outside the 3-day run
    expect(checkLevel('orange', [320, 330])).toMatchObject({ rule: 'air-alert-orange', reason: 'forecast-too-short' });
    expect(supportedLevel([230, 320, 280])).toBe('orange');
  });

  it('red: > 200 for ≥ 4 consecutive days with ≥ 2 days > 300, or any day ≥ 500', () => {
    expect(checkLevel('red', [260, 320, 350, 240])).toBeNull();
    expect(checkLevel('red', [260, 320, 290, 240])).toMatchObject({ rule: 'air-alert-red', reason: 'forecast-below-level' }); // one day > 300
    expect(checkLevel('red', [510])).toBeNull(); // a single day reaching 500
    expect(checkLevel('red', [180, 500])).toBeNull();
    expect(checkLevel('red', [260, 320, 350])).toMatchObject({ rule: 'air-alert-red', reason: 'forecast-too-short' });
    expect(supportedLevel([260, 320, 350, 240])).toBe('red');
  });

  it('a forecast that meets a higher level supports the lower ones; none → no level', () => {
    expect(meetsLevel('yellow', [510])).toBe(true);
    expect(meetsLevel('orange', [260, 320, 350, 240])).toBe(true);
    expect(supportedLevel([150, 180, 199])).toBeNull();
  });

  it('cuts: the national defaults 10/20/30 %, and per level and pollutant the strictest zone', () => {
    expect(strictestCuts([])).toEqual(DEFAULT_CUTS);
    const stricter = { ...DEFAULT_CUTS, orange: { so2: 20, nox: 20, pm: 25, vocs: 20 } };
    expect(strictestCuts([DEFAULT_CUTS, stricter]).orange).toEqual({ so2: 20, nox: 20, pm: 25, vocs: 20 });
  });
});
